"""Spreadsheet tables for the bulk imports and exports (dealers, catalog, ...): reading a CSV or XLSX
upload into rows of text keyed by column, writing rows back as CSV or XLSX, and the per-row error and
result types the imports report with.

Reading: CSV in UTF-8 (with or without BOM) or GB18030 (Excel on a Chinese Windows); XLSX streamed
(first sheet, tenant_apps.core.xlsx_read). Every CSV/XLSX upload goes through `read_table`, which reads
within limits (size, inflated size, rows, columns, cell length, total text; tenant_apps.core.table_limits)
and stops at the first one passed with `TableTooLarge` (413, naming the limit). Every cell becomes clean
text (`cell_text`). The header row names the columns (English codes, or aliases such as 商品编码 mapped to
them); a file that cannot be used as a whole raises `FileUnreadable` with its errors, reported on row 0
(the file) or row 1 (the header). Error reports are capped (`report_errors`): the first 100, then
"… and N more".

Spreadsheet safety: a CSV value starting with = + - @ is exported behind an apostrophe (Excel would
run it as a formula); the import drops that apostrophe again. XLSX cells are always written as text.
"""

from __future__ import annotations

import csv
import heapq
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenant_apps.core import table_limits as table_limits_module
from tenant_apps.core.table_limits import TableLimits, TableTooLarge  # noqa: F401 (TableTooLarge: for the callers)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

# Values Excel would evaluate as a formula (CSV injection); exported behind an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowError:
    row: int  # spreadsheet row number as the user sees it (header is row 1, first data row is 2; 0: the file)
    field: str
    message: str


@dataclass
class MoreErrors(RowError):
    """The last line of a capped error report: `count` more errors, not listed."""

    count: int = 0


# An answer lists at most this many errors, then "… and N more" (a file of 50,000 bad rows stays a few KB).
MAX_REPORTED_ERRORS = 100


@dataclass
class ImportResult:
    applied: bool
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)  # at most MAX_REPORTED_ERRORS, then a MoreErrors line

    @property
    def problem_count(self) -> int:
        """Every error found, the ones not listed included."""
        return sum(error.count if isinstance(error, MoreErrors) else 1 for error in self.errors)


@dataclass
class TableRow:
    number: int  # spreadsheet row number (a JSON batch: the item's position, counted from 1)
    values: dict[str, str]
    named: frozenset[str] | None = None  # a JSON item: the fields it gives (None: every column of the header)


class FileUnreadable(Exception):
    """The file as a whole cannot be used (format, encoding, header); carries the row errors."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors[0].message)
        self.errors = errors


def file_error(message: str) -> FileUnreadable:
    return FileUnreadable([RowError(row=0, field="file", message=message)])


# --- reading --------------------------------------------------------------------------------------


def read_table(*, file, filename: str, max_rows: int, **limits) -> Iterator[list[str]]:
    """The cells of a CSV or XLSX upload as text (`cell_text`), row by row, within `TableLimits` (the
    configured ones with `max_rows` and any other field given here, e.g. max_cell_chars=10_000): a file
    past one of them raises `TableTooLarge` (413, naming the limit) as soon as the reading gets there, its
    size before anything is read. Blank rows come as []. `file`: anything with `read()`, or bytes."""
    table_limits = TableLimits.configured(max_rows=max_rows, **limits)
    extension = (filename or "").lower().rsplit(".", 1)[-1] if "." in (filename or "") else ""
    if extension not in FORMATS:
        raise file_error(_("“%(filename)s” is not a CSV or XLSX file. Upload a .csv or .xlsx file.")
                         % {"filename": filename or ""})
    size = len(file) if isinstance(file, bytes | bytearray | str) else getattr(file, "size", None)
    if size is not None and size > table_limits.max_bytes:
        raise table_limits_module.file_too_big(table_limits)
    data = file if isinstance(file, bytes | bytearray | str) else file.read(table_limits.max_bytes + 1)
    if isinstance(data, str):  # a file opened in text mode
        data = data.encode("utf-8")
    if len(data) > table_limits.max_bytes:
        raise table_limits_module.file_too_big(table_limits)
    rows = _csv_rows(bytes(data), table_limits) if extension == "csv" else _xlsx_rows(bytes(data), table_limits)
    return _limited(rows, table_limits)


def _limited(rows: Iterator[tuple[int, list]], limits: TableLimits) -> Iterator[list[str]]:
    """Numbered rows to text rows (blank ones for the numbers skipped), counted against the limits as they
    come: the first row past one stops the reading."""
    last = limits.max_rows + 1 + limits.max_blank_rows
    max_cell = limits.max_cell_chars
    expected = 1
    header = False
    data_rows = 0
    text = 0
    for number, cells in rows:
        if number < expected:
            continue  # a row number given twice (openpyxl kept the first too)
        if number > last:
            raise table_limits_module.too_many_rows(limits)
        while expected < number:
            yield []
            expected += 1
        expected += 1
        if len(cells) > limits.max_columns:
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()
            if len(cells) > limits.max_columns:
                raise table_limits_module.too_many_columns(limits, number)
        texts = _Texts(cell_text(cell) for cell in cells)
        if texts:
            if max(map(len, texts)) > max_cell:
                raise table_limits_module.cell_too_long(limits, number)
            text += sum(map(len, texts))
            if text > limits.max_text_chars:
                raise table_limits_module.too_much_text(limits)
        if any(texts):
            data_rows += header
            header = True
            if data_rows > limits.max_rows:
                raise table_limits_module.too_many_rows(limits)
        yield texts


class _Texts(list):
    """A row `_limited` made: its cells are clean text already (`rows_from_table` does not clean them again)."""


def _csv_rows(data: bytes, limits: TableLimits) -> Iterator[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # CSV saved by Excel on a Chinese Windows
        except UnicodeDecodeError:
            raise file_error(_("The file is neither UTF-8 nor GB18030 text. Save it as “CSV UTF-8”.")) from None
    return _csv_records(text, limits)


def _csv_records(text: str, limits: TableLimits) -> Iterator[tuple[int, list]]:
    number = 0

    def lines():
        longest = limits.max_line_chars
        for line_number, line in enumerate(io.StringIO(text, newline=""), start=1):
            if len(line) > longest:
                raise table_limits_module.line_too_long(limits, line_number)
            yield line

    try:
        for number, cells in enumerate(csv.reader(lines()), start=1):  # noqa: B007 (number: for the errors)
            yield number, cells
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own limit, 131,072 by default
            raise table_limits_module.cell_too_long(limits, number + 1) from None
        raise file_error(_("The CSV file could not be read: %(error)s.") % {"error": error}) from None


def _xlsx_rows(data: bytes, limits: TableLimits) -> Iterator[tuple[int, list]]:
    from openpyxl.utils.exceptions import InvalidFileException

    from tenant_apps.core.xlsx_read import xlsx_rows

    try:
        yield from xlsx_rows(data, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError, IndexError, TypeError,
            ValueError, OSError, ParseError, InvalidFileException):
        raise file_error(_("The XLSX file could not be read. Save it again from Excel as “Excel Workbook "
                           "(.xlsx)”.")) from None


def cell_text(value) -> str:
    """One cell as clean text: numbers without a trailing .0, dates as ISO, no NULs, no export escape."""
    if value is None:
        return ""
    if value.__class__ is str:  # most cells: the short way
        text = value.strip()
        if "\x00" in text:
            text = text.replace("\x00", "").strip()
        if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
            text = text[1:].strip()
        return text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value).replace("\x00", "").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:].strip()
    return text


def rows_from_table(
    table: Iterable[list], *, columns: Sequence[str], required: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None, row_class: type[TableRow] = TableRow, no_rows: str | None = None,
) -> tuple[list[TableRow], set[str]]:
    """Check the header, then map each non-blank row to {column: text} (every column present, "" when
    the file has no such column). Returns the rows and the set of columns the header names. The number of
    rows is `read_table`'s business (its `max_rows`).

    `aliases` maps other header names (e.g. Chinese ones, compared case-insensitively) to columns.
    `no_rows` is the message for a header alone.
    """
    known = set(columns)
    alias_of = {name.casefold(): column for name, column in (aliases or {}).items()}
    alias_of.update({column.casefold(): column for column in columns})
    iterator = iter(table)
    header_cells = next(iterator, None)
    if header_cells is None:
        raise file_error(_("The file is empty."))
    header = list(header_cells) if header_cells.__class__ is _Texts else [cell_text(cell) for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise file_error(_("The first row must be the header, with the column names: %(columns)s.")
                         % {"columns": ", ".join(columns)})
    errors = []
    names: list[str] = []
    seen: set[str] = set()
    for given in header:
        name = alias_of.get(given.casefold(), given) if given else ""
        names.append(name)
        if not name:
            continue  # a column without a name: an error only where a row has a value in it (below)
        if name not in known:
            errors.append(RowError(row=1, field=name, message=_(
                "Unknown column “%(column)s”. The columns are: %(columns)s."
            ) % {"column": name, "columns": ", ".join(columns)}))
        elif name in seen:
            errors.append(RowError(row=1, field=name, message=_("The column “%(column)s” appears twice.")
                                   % {"column": name}))
        seen.add(name)
    for name in required:
        if name not in seen:
            errors.append(RowError(row=1, field=name, message=_("The column “%(column)s” is missing.")
                                   % {"column": name}))
    if errors:
        raise FileUnreadable(errors)

    rows: list[TableRow] = []
    stray: list[RowError] = []
    strays = 0  # all of them; the first MAX_REPORTED_ERRORS are kept
    for number, cells in enumerate(iterator, start=2):
        texts = cells if cells.__class__ is _Texts else [cell_text(cell) for cell in cells]
        if not any(texts):
            continue  # blank lines (Excel leaves some at the end)
        values = dict.fromkeys(columns, "")
        for index, text in enumerate(texts):
            name = names[index] if index < len(names) else ""
            if name:
                values[name] = text
            elif text:
                strays += 1
                if len(stray) < MAX_REPORTED_ERRORS:
                    stray.append(RowError(row=number, field="", message=_(
                        "Column %(number)s has a value but no name in the header."
                    ) % {"number": index + 1}))
        rows.append(row_class(number=number, values=values))
    if stray:
        raise FileUnreadable(stray + ([more_errors(strays - len(stray))] if strays > len(stray) else []))
    if not rows:
        raise file_error(no_rows or _("The file has a header but no rows."))
    return rows, seen


def rows_from_records(
    records, *, columns: Sequence[str], max_cell_chars: int = TableLimits.max_cell_chars,
    row_class: type[TableRow] = TableRow,
) -> list[TableRow]:
    """The items of a JSON batch (the integration API's bulk upserts) as the rows a file import validates: each
    item an object of {column: text, number or null}, each value made text as a cell is (`cell_text`), numbered
    from 1 in the batch's order, with the fields it gives in `named` (a field left out is not a field emptied).
    Anything else (not an object, an unknown field, a list, an object or true/false as a value, text PostgreSQL
    cannot hold, a value too long) raises `FileUnreadable` with every such problem by row and field: the
    import's own validation sees only rows of text."""
    known = set(columns)
    errors: list[RowError] = []
    rows: list[TableRow] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            errors.append(RowError(row=number, field="", message=_("Each row must be an object of fields.")))
            continue
        values = dict.fromkeys(columns, "")
        for name, value in record.items():
            if name not in known:
                errors.append(RowError(row=number, field=str(name)[:64], message=_(
                    "Unknown field “%(field)s”. The fields are: %(columns)s."
                ) % {"field": str(name)[:64], "columns": ", ".join(columns)}))
                continue
            if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
                errors.append(RowError(row=number, field=name, message=_("Enter text or a number.")))
                continue
            text = cell_text(value)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate ("\\ud800"): the database cannot store it
                errors.append(RowError(row=number, field=name, message=_("This text holds characters that are "
                                                                         "not valid Unicode.")))
                continue
            if len(text) > max_cell_chars:
                errors.append(RowError(row=number, field=name, message=_(
                    "Use at most %(max)s characters (this has %(length)s).") % {"max": max_cell_chars,
                                                                                "length": len(text)}))
                continue
            values[name] = text
        rows.append(row_class(number=number, values=values, named=frozenset(record)))
    if errors:
        raise FileUnreadable(report_errors(errors, columns))
    return rows


def split_codes(value: str) -> list[str]:
    """`A; B；C` -> ["A", "B", "C"] (half- or full-width semicolons, blanks and repeats dropped)."""
    codes = [code.strip() for code in value.replace("；", ";").split(";")]
    return list(dict.fromkeys(code for code in codes if code))


def report_errors(errors: list[RowError], columns: Sequence[str]) -> list[RowError]:
    """The errors to report: by row, then in the order of the columns (errors of unnamed fields last), the
    first MAX_REPORTED_ERRORS of them and a `MoreErrors` line for the rest (the answer stays small)."""
    order = {name: index for index, name in enumerate(columns)}
    if len(errors) <= MAX_REPORTED_ERRORS:
        return sorted(errors, key=lambda e: (e.row, order.get(e.field, len(order))))
    first = heapq.nsmallest(MAX_REPORTED_ERRORS, errors, key=lambda e: (e.row, order.get(e.field, len(order))))
    return [*first, more_errors(len(errors) - len(first))]


def capped_errors(errors: list[RowError]) -> list[RowError]:
    """The first MAX_REPORTED_ERRORS errors as they come, and a `MoreErrors` line for the rest."""
    if len(errors) <= MAX_REPORTED_ERRORS or isinstance(errors[-1], MoreErrors):  # short, or capped already
        return errors
    return [*errors[:MAX_REPORTED_ERRORS], more_errors(len(errors) - MAX_REPORTED_ERRORS)]


def more_errors(count: int) -> MoreErrors:
    return MoreErrors(row=0, field="", count=count, message=ngettext(
        "… and %(count)s more problem, not listed here.", "… and %(count)s more problems, not listed here.", count,
    ) % {"count": number_format(count, force_grouping=True)})


# --- writing --------------------------------------------------------------------------------------


def table_bytes(*, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[str]], sheet: str) -> bytes:
    """Header + rows (all text) as CSV or XLSX bytes."""
    return csv_bytes(columns, rows) if fmt == "csv" else xlsx_bytes(columns, rows, sheet=sheet)


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([f"'{value}" if value.startswith(_FORMULA_START) else value for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 (Chinese names)


def xlsx_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]], *, sheet: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(list(columns))
    for row in rows:
        cells = []
        for value in row:
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):  # text, never a formula
                cell = WriteOnlyCell(worksheet, value=value)
                cell.data_type = "s"
                value = cell
            cells.append(value)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
