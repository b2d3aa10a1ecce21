"""A report as a table, a CSV file or an XLSX workbook: labels as text (never a formula), figures as numbers, a
totals row last. Every export and scheduled mail of a report goes through here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from tenant_apps.reporting.cube import Report

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    """Text for a cell: illegal control characters dropped; a formula start put behind an apostrophe."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def report_table(report: Report) -> tuple[list[str], list[list]]:
    """Header and rows (labels, then figures), the totals row last."""
    header = [str(label) for _name, label in report.columns()]
    rows = [[*row.labels, *row.values] for row in report.rows]
    if report.spec.dimensions:
        rows.append([_("Total"), *[""] * (len(report.spec.dimensions) - 1), *report.totals])
    else:
        rows.append(list(report.totals))
    return header, rows


def table_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(cell) for cell in header])
    for row in rows:
        writer.writerow([cell if isinstance(cell, int | float) or _is_decimal(cell) else safe_text(cell)
                         for cell in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 (Chinese names)


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence], *, sheet: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(safe_text(sheet)[:31] or "Sheet")
    worksheet.append([safe_text(cell) for cell in header])
    for row in rows:
        worksheet.append([cell if isinstance(cell, int | float) or _is_decimal(cell) else safe_text(cell)
                          for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _is_decimal(value) -> bool:
    from decimal import Decimal

    return isinstance(value, Decimal)


def report_csv(report: Report) -> bytes:
    header, rows = report_table(report)
    return table_csv(header, rows)


def report_xlsx(report: Report, *, sheet: str = "") -> bytes:
    header, rows = report_table(report)
    return table_xlsx(header, rows, sheet=sheet or _("Report"))


# --- streaming: exports of many rows, written to a file as they are read (exports/services.py) -------------------

def _cell_value(cell, *, xlsx: bool):
    """A cell as it is written: numbers as numbers, dates as dates (XLSX: the brand's local time, which Excel
    cannot hold with a zone; CSV: ISO text), empty for None, anything else as safe text."""
    from datetime import date, datetime
    from decimal import Decimal

    from django.utils import timezone

    if cell is None:
        return None if xlsx else ""
    if isinstance(cell, bool):
        return safe_text(cell)
    if isinstance(cell, int | float | Decimal):
        return cell
    if isinstance(cell, datetime):
        local = timezone.localtime(cell).replace(tzinfo=None) if timezone.is_aware(cell) else cell
        return local.replace(microsecond=0) if xlsx else local.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date):
        return cell if xlsx else cell.isoformat()
    return safe_text(cell)


def table_csv_write(out, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write a CSV (UTF-8 with a BOM, for Excel) to the binary file `out`, row by row."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([safe_text(cell) for cell in header])
    for row in rows:
        writer.writerow([_cell_value(cell, xlsx=False) for cell in row])
    text.flush()
    text.detach()


def table_xlsx_write(out, header: Sequence[str], rows: Iterable[Sequence], *, sheet: str) -> None:
    """Write an XLSX to the binary file `out` with openpyxl's write-only mode (rows go to disk as they come)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(safe_text(sheet)[:31] or "Sheet")
    worksheet.append([safe_text(cell) for cell in header])
    for row in rows:
        worksheet.append([_cell_value(cell, xlsx=True) for cell in row])
    workbook.save(out)
