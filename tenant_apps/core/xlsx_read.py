"""Reading the first sheet of an XLSX upload as a stream of rows, within `TableLimits`.

Why not openpyxl's read-only mode: it loads the shared strings table whole, parses every worksheet to the end
once on opening when the sheet has no <dimension> (to size it: a million-row file took 6-16 s, 72 s on a busy
machine, before its rows were even counted), builds a whole <row> element before handing it over (one row of
six million cells is gigabytes) and pads short rows to the widest (a cell in column XFD makes every row 16,384
wide). Here openpyxl reads only the small parts (content types, workbook, relationships), through a zip that
refuses any part above `max_part_bytes`; the shared strings, the date styles and the first sheet are parsed
by expat callbacks into plain values, with no element tree, so that memory stays at about one row, and every
count is checked as it goes (cells, columns, rows, pieces of a cell, shared strings, text cut just past the
cell limit). Cell values are converted as openpyxl does with data_only (its number formats and date helpers).

Before anything is inflated, the zip's directory is checked: number of parts, total inflated size, and the
compression ratio of each part over 1 MB (zipfile itself never inflates a part past the size the directory
states; it fails on the CRC instead).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import ARC_STYLE, SHARED_STRINGS, SHEET_MAIN_NS

from tenant_apps.core import table_limits as refuse
from tenant_apps.core.table_limits import MB, TableLimits

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


class _Expat:
    """A streaming parse by expat callbacks, no element tree at all (so no memory per element read): feeds
    `source` in chunks, refuses a DOCTYPE (so no entity of any kind: no "billion laughs"), and after each
    chunk hands over what the callbacks collected in `self.out`."""

    CHUNK = 1 << 16

    def __init__(self):
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.out: list = []

    def _doctype(self, *args):
        raise ValueError("a spreadsheet part has no DOCTYPE")

    def start(self, name, attributes):
        pass

    def end(self, name):
        pass

    def text(self, data):
        pass

    def chunks(self, source) -> Iterator[list]:
        try:
            while data := source.read(self.CHUNK):
                self.parser.Parse(data, False)
                if self.out:
                    yield self.out
                    self.out = []
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise ValueError(str(error)) from None
        if self.out:
            yield self.out


_N = f"{SHEET_MAIN_NS} "
_X_SI, _X_T, _X_R, _X_PHONETIC = _N + "si", _N + "t", _N + "r", _N + "rPh"
_X_ROW, _X_C, _X_V, _X_IS = _N + "row", _N + "c", _N + "v", _N + "is"
_X_NUM_FMT, _X_CELL_XFS, _X_XF = _N + "numFmt", _N + "cellXfs", _N + "xf"


class _SharedStrings(_Expat):
    """Each <si>'s text (its <t>, or its runs' <t>, not the phonetic guide), cut just past the cell limit."""

    def __init__(self, limits: TableLimits):
        super().__init__()
        self.most = min(limits.max_shared_strings, limits.max_cells)  # more texts than cells: no use
        self.cut = limits.max_cell_chars + 1
        self.count = 0
        self.parts: list[str] = []
        self.size = 0
        self.capture = False
        self.phonetic = 0

    def start(self, name, attributes):
        if name == _X_T:
            self.capture = not self.phonetic
        elif name == _X_PHONETIC:
            self.phonetic += 1
        elif name == _X_SI:
            self.parts, self.size, self.phonetic = [], 0, 0

    def end(self, name):
        if name == _X_T:
            self.capture = False
        elif name == _X_PHONETIC:
            self.phonetic -= 1
        elif name == _X_SI:
            self.count += 1
            if self.count > self.most:
                raise refuse.too_many_shared_strings(self.most)
            self.out.append("".join(self.parts).replace("x005F_", "")[:self.cut])

    def text(self, data):
        if self.capture and self.size < self.cut:
            self.parts.append(data[:self.cut])
            self.size += len(data)


def _shared_strings(source, limits: TableLimits) -> list[str]:
    strings: list[str] = []
    for chunk in _SharedStrings(limits).chunks(source):
        strings.extend(chunk)
    return strings


class _Styles(_Expat):
    """The cell styles (indexes in cellXfs) that show a number as a date, and as a duration."""

    def __init__(self, limits: TableLimits):
        super().__init__()
        self.limits = limits
        self.custom: dict[int, str] = {}
        self.dates: set[int] = set()
        self.durations: set[int] = set()
        self.in_cell_xfs = False
        self.index = 0

    def start(self, name, attributes):
        if name == _X_NUM_FMT:
            self.custom[_int(attributes.get("numFmtId"))] = attributes.get("formatCode", "")[:1_000]
        elif name == _X_CELL_XFS:
            self.in_cell_xfs = True
        elif name == _X_XF and self.in_cell_xfs:
            self.index += 1
            if self.index > MAX_STYLES:
                raise refuse.too_complex(self.limits)
            number = _int(attributes.get("numFmtId"))
            fmt = self.custom.get(number) or BUILTIN_FORMATS.get(number)
            if fmt and is_date_format(fmt):
                self.dates.add(self.index - 1)
            if fmt and is_timedelta_format(fmt):
                self.durations.add(self.index - 1)

    def end(self, name):
        if name == _X_CELL_XFS:
            self.in_cell_xfs = False


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _date_styles(source, limits: TableLimits) -> tuple[set[int], set[int]]:
    styles = _Styles(limits)
    for _chunk in styles.chunks(source):
        pass
    return styles.dates, styles.durations


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
        with archive.stream(sheet) as source:
            yield from _sheet_rows(source, limits, shared, book.wb.epoch, dates, durations)
    finally:
        archive.close()


class _Sheet(_Expat):
    """The sheet's rows with a value, as (row number, values), each as soon as it ends. Cell values as openpyxl
    reads them with data_only (numbers, dates by the cell's style, booleans, shared or inline text, the error
    text; the cached value of a formula)."""

    def __init__(self, limits: TableLimits, shared: list[str], epoch, dates: set[int], durations: set[int]):
        super().__init__()
        self.limits, self.shared, self.epoch, self.dates, self.durations = limits, shared, epoch, dates, durations
        self.last_row = limits.max_rows + 1 + limits.max_blank_rows
        self.max_cells = limits.max_cells
        self.cut = limits.max_cell_chars + 1
        self.number = self.column = self.width = self.seen = self.pieces = 0
        self.values: dict[int, object] = {}
        self.cell = None  # (type, style) of the <c> being read
        self.parts: list[str] = []
        self.size = 0
        self.capture = False
        self.inline = self.phonetic = 0

    def start(self, name, attributes):
        if self.cell is not None:
            self.pieces += 1
            if self.pieces > MAX_PIECES:
                raise refuse.too_complex(self.limits)
            if name == _X_V:
                self.capture = True
            elif name == _X_IS:
                self.inline += 1
            elif name == _X_T:
                self.capture = bool(self.inline) and not self.phonetic
            elif name == _X_PHONETIC:
                self.phonetic += 1
        elif name == _X_C:
            self.width += 1
            self.seen += 1
            if self.width > SHEET_COLUMNS:
                raise refuse.too_many_columns(self.limits, self.number)
            if self.seen > self.max_cells:
                raise refuse.too_many_cells(self.limits)
            reference = attributes.get("r")
            self.column = _column(reference) if reference else self.column + 1
            self.cell = (attributes.get("t", "n"), attributes.get("s"))
            self.parts, self.size, self.pieces, self.capture, self.inline, self.phonetic = [], 0, 0, False, 0, 0
        elif name == _X_ROW:
            given = attributes.get("r")
            self.number = int(given) if given and given.isdigit() else self.number + 1
            if self.number > self.last_row:
                raise refuse.too_many_rows(self.limits)
            self.column = self.width = 0
            self.values = {}

    def end(self, name):
        if name == _X_C:
            value = self._value()
            self.cell = None
            if value is not None and value != "":
                if self.column > self.limits.max_columns:
                    raise refuse.too_many_columns(self.limits, self.number)
                self.values[self.column] = value
        elif self.cell is not None:
            if name in (_X_V, _X_T):
                self.capture = False
            elif name == _X_IS:
                self.inline -= 1
            elif name == _X_PHONETIC:
                self.phonetic -= 1
        elif name == _X_ROW and self.values:
            row = [None] * max(self.values)
            for column, value in self.values.items():
                row[column - 1] = value
            self.out.append((self.number, row))

    def text(self, data):
        if self.capture and self.size < self.cut:
            self.parts.append(data[:self.cut])
            self.size += len(data)

    def _value(self):
        kind, style = self.cell
        text = "".join(self.parts)
        if kind == "s":
            return self.shared[int(text)] if text else None
        if kind in ("inlineStr", "str", "e"):
            return text
        if not text:
            return None
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        number = float(text) if "." in text or "E" in text or "e" in text else int(text)
        style_id = int(style) if style and style.isdigit() else 0
        if style_id in self.dates:
            try:
                return from_excel(number, self.epoch, timedelta=style_id in self.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number


def _sheet_rows(source, limits: TableLimits, shared: list[str], epoch, dates: set[int], durations: set[int]):
    for chunk in _Sheet(limits, shared, epoch, dates, durations).chunks(source):
        yield from chunk


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
