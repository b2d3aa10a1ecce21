"""Bulk import and export of dealers (CSV and XLSX): every row validated, errors reported per row,
all or nothing. (Interface agreed; implementation in progress.)"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowError:
    row: int  # 1-based data row number as the user sees it in the file (header is row 1, first data row is 2)
    field: str
    message: str


@dataclass
class ImportResult:
    applied: bool
    rows: int
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


COLUMNS: list[str] = []


def dealers_import(*, actor, file, filename: str) -> ImportResult:
    """Validate every row of a CSV or XLSX file; apply all rows in one transaction, or none."""
    raise NotImplementedError


def dealers_export(*, actor, fmt: str) -> tuple[bytes, str, str]:
    """The dealers the actor may see, in the import's shape: (content, content_type, filename)."""
    raise NotImplementedError
