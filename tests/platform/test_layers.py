"""The layers between apps (import-linter's contracts in pyproject.toml, docs/dev/layers.md) hold: the same check
`make test` runs as `lint-imports`, here too so that a plain pytest run catches an import against the layers."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0, (
        capsys.readouterr().out)
