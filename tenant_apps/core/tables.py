"""Spreadsheet tables for the bulk imports and exports (dealers, catalog, ...): reading a CSV or XLSX
upload into rows of text keyed by column, writing rows back as CSV or XLSX, and the per-row error and
result types the imports report with.

Reading: CSV in UTF-8 (with or without BOM) or GB18030 (Excel on a Chinese Windows); XLSX through
openpyxl's read-only mode (first sheet). Every cell becomes clean text (`cell_text`). The header row
names the columns (English codes, or aliases such as 商品编码 mapped to them); a file that cannot be used
as a whole raises `FileUnreadable` with its errors, reported on row 0 (the file) or row 1 (the header).

Spreadsheet safety: a CSV value starting with = + - @ is exported behind an apostrophe (Excel would
run it as a formula); the import drops that apostrophe again. XLSX cells are always written as text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

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
class ImportResult:
    applied: bool
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class TableRow:
    number: int  # spreadsheet row number
    values: dict[str, str]


class FileUnreadable(Exception):
    """The file as a whole cannot be used (format, encoding, header); carries the row errors."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors[0].message)
        self.errors = errors


def file_error(message: str) -> FileUnreadable:
    return FileUnreadable([RowError(row=0, field="file", message=message)])


# --- reading --------------------------------------------------------------------------------------


def read_table(*, file, filename: str) -> Iterator[list]:
    """The cells of a CSV or XLSX upload, row by row (`file`: anything with `read()`, or bytes)."""
    data = file if isinstance(file, bytes | bytearray) else file.read()
    if isinstance(data, str):  # a file opened in text mode
        data = data.encode("utf-8")
    extension = (filename or "").lower().rsplit(".", 1)[-1] if "." in (filename or "") else ""
    if extension == "csv":
        return csv_table(bytes(data))
    if extension == "xlsx":
        return xlsx_table(bytes(data))
    raise file_error(_("“%(filename)s” is not a CSV or XLSX file. Upload a .csv or .xlsx file.")
                     % {"filename": filename or ""})


def csv_table(data: bytes) -> Iterator[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # CSV saved by Excel on a Chinese Windows
        except UnicodeDecodeError:
            raise file_error(_("The file is neither UTF-8 nor GB18030 text. Save it as “CSV UTF-8”.")) from None
    return _csv_rows(text)


def _csv_rows(text: str) -> Iterator[list]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise file_error(_("The CSV file could not be read: %(error)s.") % {"error": error}) from None


def xlsx_table(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = _("The XLSX file could not be read. Save it again from Excel as “Excel Workbook (.xlsx)”.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError, InvalidFileException):
        raise file_error(unreadable) from None
    return _xlsx_rows(workbook, unreadable)


def _xlsx_rows(workbook, unreadable: str) -> Iterator[list]:
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        sheet.reset_dimensions()  # some writers store wrong dimensions; read every row there is
        yield from sheet.iter_rows(values_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError):
        raise file_error(unreadable) from None
    finally:
        workbook.close()


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
    aliases: Mapping[str, str] | None = None, max_rows: int, row_class: type[TableRow] = TableRow,
    too_many: str | None = None, no_rows: str | None = None,
) -> tuple[list[TableRow], set[str]]:
    """Check the header, then map each non-blank row to {column: text} (every column present, "" when
    the file has no such column). Returns the rows and the set of columns the header names.

    `aliases` maps other header names (e.g. Chinese ones, compared case-insensitively) to columns.
    `too_many` / `no_rows` are the messages for more than `max_rows` rows and for a header alone.
    """
    known = set(columns)
    alias_of = {name.casefold(): column for name, column in (aliases or {}).items()}
    alias_of.update({column.casefold(): column for column in columns})
    iterator = iter(table)
    header_cells = next(iterator, None)
    if header_cells is None:
        raise file_error(_("The file is empty."))
    header = [cell_text(cell) for cell in header_cells]
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
    for number, cells in enumerate(iterator, start=2):
        texts = [cell_text(cell) for cell in cells]
        if not any(texts):
            continue  # blank lines (Excel leaves some at the end)
        if len(rows) == max_rows:
            message = too_many or _("The file has more than %(max)s rows; split it into smaller files.")
            raise file_error(message % {"max": max_rows})
        values = dict.fromkeys(columns, "")
        for index, text in enumerate(texts):
            name = names[index] if index < len(names) else ""
            if name:
                values[name] = text
            elif text:
                stray.append(RowError(row=number, field="", message=_(
                    "Column %(number)s has a value but no name in the header."
                ) % {"number": index + 1}))
        rows.append(row_class(number=number, values=values))
    if stray:
        raise FileUnreadable(stray)
    if not rows:
        raise file_error(no_rows or _("The file has a header but no rows."))
    return rows, seen


def split_codes(value: str) -> list[str]:
    """`A; B；C` -> ["A", "B", "C"] (half- or full-width semicolons, blanks and repeats dropped)."""
    codes = [code.strip() for code in value.replace("；", ";").split(";")]
    return list(dict.fromkeys(code for code in codes if code))


def sorted_errors(errors: list[RowError], columns: Sequence[str]) -> list[RowError]:
    """By row, then in the order of the columns (errors of unnamed fields last)."""
    order = {name: index for index, name in enumerate(columns)}
    return sorted(errors, key=lambda e: (e.row, order.get(e.field, len(order))))


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
