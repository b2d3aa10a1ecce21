"""The limits every spreadsheet upload is read under (tenant_apps.core.tables.read_table), and the refusal.

A CSV or XLSX file is small on the wire and can be huge once read: an XLSX is a zip whose parts inflate up to
a thousand times, a shared string is stored once and shown in every cell that points to it, a million rows fit
in 300 KB. So the reader checks what it is about to do before it does it: the upload's size, each zip part's
inflated size and compression ratio (from the zip's directory, before inflating anything; zipfile never
inflates a part past the size the directory claims), the rows, columns, cell length and the total text,
counted as it streams, and it stops at the first one past its limit.

`TableTooLarge` is the refusal: a 413 whose field error on `file` names the limit, in the user's language.

The defaults suit every import; `settings.SPREADSHEET_LIMITS` (a dict of the field names below) overrides
them, and each entry point passes its own `max_rows` (a cart of 2,000 lines, an import of 50,000 rows).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tenant_apps.core.errors import ValidationFailed

MB = 1024 * 1024


@dataclass(frozen=True)
class TableLimits:
    max_rows: int = 50_000  # data rows below the header (blank rows aside)
    max_blank_rows: int = 1_000  # blank rows on top of those (Excel leaves some; a row numbered 1,048,576 is not)
    max_bytes: int = 20 * MB  # the upload as sent
    max_columns: int = 100  # columns with a value, in any row
    max_cell_chars: int = 1_000  # one cell's text
    max_text_chars: int = 50_000_000  # all cells' text together (a shared string counts once per cell)
    max_inflated_bytes: int = 100 * MB  # XLSX: all parts together, inflated
    max_part_bytes: int = 2 * MB  # XLSX: a part read whole (workbook, relationships, content types)
    max_ratio: int = 100  # XLSX: inflated / compressed size of a part of more than 1 MB
    max_parts: int = 1_000  # XLSX: parts in the zip
    max_shared_strings: int = 1_000_000  # XLSX: entries of the shared strings table (and no more than max_cells)

    @classmethod
    def configured(cls, **overrides) -> TableLimits:
        """The defaults, then settings.SPREADSHEET_LIMITS, then the caller's (e.g. max_rows)."""
        names = {f.name for f in fields(cls)}
        configured = {k: v for k, v in getattr(settings, "SPREADSHEET_LIMITS", {}).items() if k in names}
        return replace(cls(), **configured, **overrides)

    @property
    def max_cells(self) -> int:
        """XLSX: cell elements in the sheet, empty ones included (each costs time to read)."""
        return (self.max_rows + 1 + self.max_blank_rows) * self.max_columns

    @property
    def max_line_chars(self) -> int:
        """CSV: the longest physical line (every column at its longest, quoted, with its comma)."""
        return self.max_columns * (self.max_cell_chars + 3)


class TableTooLarge(ValidationFailed):
    """The file is past one of the limits: nothing of it is used. 413, with the message on the `file` field."""

    code = "file_too_large"
    status = 413

    def __init__(self, message: str):
        super().__init__(message, fields={"file": [message]})


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _size(value: int) -> str:
    return filesizeformat(value)  # "20.0 MB", "200 bytes", in the user's language


def too_many_rows(limits: TableLimits) -> TableTooLarge:
    return TableTooLarge(_("The file has more than %(max)s rows; the limit is %(max)s. Split it into smaller files.")
                         % {"max": _n(limits.max_rows)})


def too_many_columns(limits: TableLimits, row: int) -> TableTooLarge:
    return TableTooLarge(_("Row %(row)s has values in more than %(max)s columns; the limit is %(max)s.")
                         % {"row": row, "max": _n(limits.max_columns)})


def cell_too_long(limits: TableLimits, row: int) -> TableTooLarge:
    return TableTooLarge(_("A cell in row %(row)s has more than %(max)s characters; the limit is %(max)s.")
                         % {"row": row, "max": _n(limits.max_cell_chars)})


def line_too_long(limits: TableLimits, row: int) -> TableTooLarge:
    return TableTooLarge(_("Line %(row)s of the file has more than %(max)s characters; the limit is %(max)s.")
                         % {"row": row, "max": _n(limits.max_line_chars)})


def too_many_cells(limits: TableLimits) -> TableTooLarge:
    return TableTooLarge(_("The sheet has more than %(max)s cells; the limit is %(max)s.")
                         % {"max": _n(limits.max_cells)})


def too_much_text(limits: TableLimits) -> TableTooLarge:
    return TableTooLarge(_("The file holds more than %(max)s characters of text; the limit is %(max)s.")
                         % {"max": _n(limits.max_text_chars)})


def file_too_big(limits: TableLimits) -> TableTooLarge:
    return TableTooLarge(_("The file is larger than %(max)s; the limit is %(max)s.")
                         % {"max": _size(limits.max_bytes)})


def inflates_too_much(limits: TableLimits) -> TableTooLarge:
    return TableTooLarge(_("The workbook unpacks to more than %(max)s; the limit is %(max)s.")
                         % {"max": _size(limits.max_inflated_bytes)})


def part_too_big(limits: TableLimits, part: str) -> TableTooLarge:
    return TableTooLarge(_("The part “%(part)s” of the workbook unpacks to more than %(max)s; the limit is "
                           "%(max)s.") % {"part": part[:100], "max": _size(limits.max_part_bytes)})


def packed_too_tightly(limits: TableLimits, part: str) -> TableTooLarge:
    return TableTooLarge(_("The part “%(part)s” of the workbook is compressed more than %(max)s times; the limit "
                           "is %(max)s (a file packed that tightly is refused).")
                         % {"part": part[:100], "max": _n(limits.max_ratio)})


def too_many_parts(limits: TableLimits) -> TableTooLarge:
    return TableTooLarge(_("The workbook has more than %(max)s parts; the limit is %(max)s.")
                         % {"max": _n(limits.max_parts)})


def too_complex(limits: TableLimits) -> TableTooLarge:
    return TableTooLarge(_("A cell or style of the workbook is made of more parts than a spreadsheet has; save the "
                           "file again from Excel as “Excel Workbook (.xlsx)”."))


def too_many_shared_strings(limit: int) -> TableTooLarge:
    return TableTooLarge(_("The workbook has more than %(max)s different texts; the limit is %(max)s.")
                         % {"max": _n(limit)})
