"""Every tenant app has the one shape written down in docs/dev/layers.md.

Read from the source tree (no database): the API in an api/ package (never api.py, api_urls.py, urls_api.py,
api_views.py), with its urls.py and views.py; pages in views.py or views_console.py / views_storefront.py;
URL modules named for where they are mounted; domain errors in errors.py; no module over 800 lines (split it
into a package by sub-domain). The layers between apps are import-linter's contracts (pyproject.toml).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "tenant_apps"
APPS = sorted(path.name for path in ROOT.iterdir() if (path / "apps.py").is_file())
MAX_LINES = 800
API_SPELLINGS = {"api.py", "api_urls.py", "urls_api.py", "api_views.py"}
URL_MODULES = {"urls.py", "urls_console.py", "urls_storefront.py"}
VIEW_MODULES = {"views.py", "views_console.py", "views_storefront.py"}
# core is the toolkit every app stands on (errors, money, tables, uploads), not a domain: no pages or API of its own.
TOOLKIT = {"core"}


def _modules(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*.py") if "migrations" not in path.parts]


def _error_names(root: Path) -> set[str]:
    """The domain error classes: core's bases and every class an app's errors.py defines."""
    names = set()
    for path in root.glob("*/errors.py"):
        names |= {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ClassDef)}
    return names


def shape_problems(app: str, root: Path = ROOT) -> list[str]:
    folder = root / app
    top = {path.name for path in folder.glob("*.py")}
    problems = [f"{name}: the API lives in api/ (api/views.py, api/urls.py)" for name in sorted(top & API_SPELLINGS)]
    problems += [f"{name}: API modules go in api/" for name in sorted(top) if name.startswith("api_")]
    if (folder / "api").is_dir():
        problems += [f"api/{name} is missing" for name in ("__init__.py", "urls.py", "views.py")
                     if not (folder / "api" / name).is_file()]
    problems += [f"{name}: URL modules are urls_console.py, urls_storefront.py (or urls.py), the API's api/urls.py"
                 for name in sorted(top) if name.startswith("urls") and name not in URL_MODULES]
    problems += [f"{name}: pages are views.py, or views_console.py and views_storefront.py"
                 for name in sorted(top) if name.startswith("views") and name not in VIEW_MODULES]
    if app in TOOLKIT:  # its api.py is the one exception handler; its error classes are the bases
        return [f"{name}: core has no pages or URLs" for name in sorted(top) if name.startswith(("views", "urls"))] + [
            f"{path.relative_to(folder)}: over {MAX_LINES} lines" for path in _modules(folder)
            if len(path.read_text().splitlines()) > MAX_LINES]
    errors = _error_names(root) - {"Exception"}
    for path in _modules(folder):
        relative = path.relative_to(folder)
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            problems.append(f"{relative}: {lines} lines (over {MAX_LINES}: make it a package by sub-domain)")
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", None) or getattr(base, "attr", None) for base in node.bases}
                if bases & errors:
                    problems.append(f"{relative}: the domain error {node.name} belongs in errors.py")
    return problems


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_one_shape(app):
    assert shape_problems(app) == []


def test_the_shape_check_finds_the_old_spellings(tmp_path):
    """The check itself: an app written the old ways (api.py beside urls_api.py, an error class in services.py,
    a 900-line module) is reported on each count."""
    app = tmp_path / "oldshape"
    app.mkdir()
    (app / "apps.py").write_text("")
    (app / "errors.py").write_text("class ThingNotFound(Exception):\n    pass\n")
    (app / "api.py").write_text("")
    (app / "urls_api.py").write_text("")
    (app / "views_transfer.py").write_text("")
    (app / "services.py").write_text("from .errors import ThingNotFound\n\n\nclass Gone(ThingNotFound):\n    pass\n")
    (app / "big.py").write_text("x = 1\n" * 900)
    problems = shape_problems("oldshape", root=tmp_path)
    assert sorted({problem.split(":")[0] for problem in problems}) == [
        "api.py", "big.py", "services.py", "urls_api.py", "views_transfer.py"]
