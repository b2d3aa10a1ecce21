"""The `platform/` folder must never shadow the standard library's `platform` module."""

import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_platform_is_stdlib_under_pytest():
    assert platform.system() == "Linux"
    assert Path(platform.__file__).parent != ROOT / "platform"


def test_import_platform_is_stdlib_from_repository_root():
    code = "import platform, uuid, django; print(platform.system()); print(platform.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    system, path = out.split()
    assert system == "Linux"
    assert not path.startswith(str(ROOT / "platform"))


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
