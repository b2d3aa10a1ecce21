"""Reading the first sheet of an XLSX upload as a stream of rows, within `TableLimits`.

Why not openpyxl's read-only mode alone: it loads the shared strings table whole, parses every worksheet to
the end once on opening when the sheet has no <dimension> (to size it), builds a whole <row> element before
handing it over (one row of six million cells is gigabytes) and pads gaps and short rows with empty cells (a
cell in column XFD makes every row 16,384 wide). Here openpyxl still reads the small parts (content types,
workbook, relationships) through a zip that refuses any part above `max_part_bytes`, and converts each cell's
value (numbers, dates, booleans, inline text) with its own parser, one <c> element at a time; the rest is
streamed by this module: the shared strings (counted, each cut just past the cell limit), the date styles, and
the sheet's rows, each element dropped once read, so that memory stays at about one row.

Before anything is inflated, the zip's directory is checked: number of parts, total inflated size, and the
compression ratio of each part over 1 MB (zipfile itself never inflates a part past the size the directory
states; it fails on the CRC instead).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import ARC_STYLE, SHARED_STRINGS, SHEET_MAIN_NS

from tenant_apps.core import table_limits as refuse
from tenant_apps.core.table_limits import MB, TableLimits

_ROW, _CELL = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
_SI, _T, _RUN = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("si", "t", "r"))
_NUM_FMT, _CELL_XFS, _XF = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("numFmt", "cellXfs", "xf"))
_V, _INLINE = f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}is"
SHEET_COLUMNS = 16_384  # Excel's last column (XFD): a row with more cells is not a sheet
MAX_PIECES = 1_000  # elements inside one cell or one shared string (rich text runs and their formatting)
MAX_STYLES = 100_000  # cell styles (Excel's own limit is 64,000)


class _GuardedZip(zipfile.ZipFile):
    """A zip that opens a part whole only when it is small; `stream()` opens the parts read as a stream."""

    def __init__(self, data: bytes, limits: TableLimits):
        super().__init__(io.BytesIO(data))
        self.limits = limits

    def open(self, name, mode="r", pwd=None, **kwargs):
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if mode == "r" and info.file_size > self.limits.max_part_bytes:
            raise refuse.part_too_big(self.limits, info.filename)
        return super().open(name, mode, pwd, **kwargs)

    def stream(self, name: str):
        return super().open(name)


def _check_directory(archive: zipfile.ZipFile, limits: TableLimits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_parts:
        raise refuse.too_many_parts(limits)
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_inflated_bytes:
            raise refuse.inflates_too_much(limits)
        if info.file_size > MB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise refuse.packed_too_tightly(limits, info.filename)


class _Workbook(ExcelReader):
    """openpyxl's reader for the small parts only: content types, workbook, its relationships."""

    def __init__(self, data: bytes, limits: TableLimits):
        super().__init__(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        self.archive.close()
        self.archive = _GuardedZip(data, limits)
        _check_directory(self.archive, limits)
        self.read_manifest()
        self.read_workbook()

    def first_sheet(self) -> str | None:
        for _sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and rel.Type.endswith("/worksheet"):
                return rel.target
        return None

    def shared_strings_part(self) -> str | None:
        content_type = self.package.find(SHARED_STRINGS)
        return content_type.PartName[1:] if content_type is not None else None


def _events(source):
    # Untrusted XML: expat >= 2.4 (Python 3.11's) bounds entity expansion ("billion laughs"); every text read
    # here is cut at the cell limit and every element dropped once read.
    return iterparse(source, events=("start", "end"))  # noqa: S314


def _shared_strings(source, limits: TableLimits) -> list[str]:
    """The shared strings table, each text cut just past the cell limit (a cell showing it is refused anyway),
    each <si> dropped once read; at most `max_shared_strings` of them, of at most MAX_PIECES elements each."""
    strings: list[str] = []
    cut = limits.max_cell_chars + 1
    table = None
    pieces = 0
    for event, element in _events(source):
        if event == "start":
            if table is None:
                table = element
            pieces += 1
            if pieces > MAX_PIECES:
                raise refuse.too_complex(limits)
            continue
        if element.tag != _SI:
            continue
        if len(strings) == limits.max_shared_strings:
            raise refuse.too_many_shared_strings(limits)
        if len(element) == 1 and element[0].tag == _T:
            text = element[0].text or ""
        else:  # rich text: the runs' texts (<rPh>, the phonetic guide, is not part of the text)
            text = "".join([element.findtext(_T) or ""] + [run.findtext(_T) or "" for run in element.iterfind(_RUN)])
        strings.append(text.replace("x005F_", "")[:cut])
        table.remove(element)  # the only child left: the ones before went the same way
        pieces = 1
    return strings


def _date_styles(source, limits: TableLimits) -> tuple[set[int], set[int]]:
    """The cell styles (indexes in cellXfs) that show a number as a date, and as a duration."""
    custom: dict[int, str] = {}
    dates: set[int] = set()
    durations: set[int] = set()
    in_cell_xfs = False
    index = 0
    stack = []
    for event, element in _events(source):
        if event == "start":
            stack.append(element)
            in_cell_xfs = in_cell_xfs or element.tag == _CELL_XFS
            continue
        stack.pop()
        if element.tag == _CELL_XFS:
            in_cell_xfs = False
        elif element.tag == _NUM_FMT:
            custom[int(element.get("numFmtId", 0))] = element.get("formatCode", "")[:limits.max_cell_chars]
        elif element.tag == _XF and in_cell_xfs:
            index += 1
            if index > MAX_STYLES:
                raise refuse.too_complex(limits)
            number = int(element.get("numFmtId", 0))
            fmt = custom.get(number) or BUILTIN_FORMATS.get(number)
            if fmt and is_date_format(fmt):
                dates.add(index - 1)
            if fmt and is_timedelta_format(fmt):
                durations.add(index - 1)
        if stack:
            stack[-1].remove(element)  # the only child left: its elder siblings went the same way
    return dates, durations


def xlsx_rows(data: bytes, limits: TableLimits) -> Iterator[tuple[int, list]]:
    """(row number, values) for each row of the first sheet that has cells; values as openpyxl gives them
    (str, int, float, datetime, bool), None for an empty cell, no wider than the last cell with a value."""
    book = _Workbook(data, limits)
    archive: _GuardedZip = book.archive
    try:
        sheet = book.first_sheet()
        if sheet is None:
            return
        shared: list[str] = []
        if (part := book.shared_strings_part()) is not None and part in book.valid_files:
            with archive.stream(part) as source:
                shared = _shared_strings(source, limits)
        dates, durations = set(), set()
        if ARC_STYLE in book.valid_files:
            with archive.stream(ARC_STYLE) as source:
                dates, durations = _date_styles(source, limits)
        cells = WorkSheetParser(None, shared, data_only=True, epoch=book.wb.epoch, date_formats=dates,
                                timedelta_formats=durations)
        with archive.stream(sheet) as source:
            yield from _sheet_rows(source, cells, limits)
    finally:
        archive.close()


def _sheet_rows(source, cells: WorkSheetParser, limits: TableLimits) -> Iterator[tuple[int, list]]:
    """Each <row> with a value, as soon as it ends; each <c> parsed by openpyxl and dropped once read (with
    at most MAX_PIECES elements in it), anything else dropped as it ends."""
    shared = cells.shared_strings
    number = width = seen = pieces = 0
    values: dict[int, object] = {}
    stack = []
    cell = None  # the <c> being read
    for event, element in _events(source):
        if event == "start":
            stack.append(element)
            if cell is not None:
                pieces += 1
                if pieces > MAX_PIECES:
                    raise refuse.too_complex(limits)
                continue
            tag = element.tag
            if tag == _CELL:
                cell, pieces = element, 0
                width += 1
                seen += 1
                if width > SHEET_COLUMNS:
                    raise refuse.too_many_columns(limits, number)
                if seen > limits.max_cells:
                    raise refuse.too_many_cells(limits)
            elif tag == _ROW:
                given = element.get("r")
                number = int(given) if given and given.isdigit() else number + 1
                cells.row_counter, cells.col_counter = number, 0
                width, values = 0, {}
            continue
        stack.pop()
        if element is cell:
            cell = None
            kind = element.get("t")
            if kind == "s" and element.get("r") is not None:  # the usual text cell: the short way
                column = cells.col_counter = _column(element.get("r"))
                value = shared[int(element.findtext(_V))]
            elif kind == "inlineStr" and element.get("r") is not None:
                column = cells.col_counter = _column(element.get("r"))
                inline = element.find(_INLINE)
                value = None if inline is None else "".join(
                    [inline.findtext(_T) or ""] + [run.findtext(_T) or "" for run in inline.iterfind(_RUN)])
            elif len(element) == 0:  # <c r="B2" s="1"/>: formatted, empty
                cells.col_counter += 1
                value = None
            else:
                parsed = cells.parse_cell(element)
                column, value = parsed["column"], parsed["value"]
            if value is not None and value != "":
                if column > limits.max_columns:
                    raise refuse.too_many_columns(limits, number)
                values[column] = value
        elif element.tag == _ROW and values:
            row = [None] * max(values)
            for column, value in values.items():
                row[column - 1] = value
            yield number, row
        if cell is None and stack:
            stack[-1].remove(element)  # the only child left: its elder siblings went the same way


def _column(reference: str) -> int:
    """"AB12" -> 28 (letters only; the row comes from the <row>)."""
    column = 0
    for char in reference:
        if "A" <= char <= "Z":
            column = column * 26 + ord(char) - 64
        else:
            break
    if not 1 <= column <= SHEET_COLUMNS:
        raise ValueError(reference)
    return column
