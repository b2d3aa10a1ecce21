"""Hostile spreadsheets for the upload limits (tests/platform/test_spreadsheet_limits.py and the entry points'
tests) and for bench/spreadsheets.py: small files that inflate, or hold far more rows, columns or text than any
import takes. Built in memory with zipfile; nothing here reads them."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '{shared}</Types>'
)
_SHARED_TYPE = ('<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '{shared}</Relationships>'
)
_SHARED_REL = ('<Relationship Id="rId2" Target="sharedStrings.xml" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>')
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_END = "</sheetData></worksheet>"


def text_cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(columns) -> str:
    return "<row>" + "".join(text_cell(name) for name in columns) + "</row>"


def xlsx(sheet_parts, *, shared_strings=None) -> bytes:
    """A minimal workbook whose first sheet's XML is the concatenation of `sheet_parts` (strings, or an
    iterable of them, written piece by piece so that a 100 MB sheet never sits in memory whole), with
    an optional shared strings part (also pieces)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        shared = shared_strings is not None
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(shared=_SHARED_TYPE if shared else ""))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(shared=_SHARED_REL if shared else ""))
        _write(archive, "xl/worksheets/sheet1.xml", sheet_parts)
        if shared:
            _write(archive, "xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, parts) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 9
    with archive.open(info, "w", force_zip64=True) as member:
        pending = []
        size = 0
        for part in [parts] if isinstance(parts, str) else parts:
            pending.append(part)
            size += len(part)
            if size > 1 << 20:
                member.write("".join(pending).encode())
                pending, size = [], 0
        member.write("".join(pending).encode())


def _repeat(piece: str, times: int, chunk: int = 10_000):
    for start in range(0, times, chunk):
        yield piece * min(chunk, times - start)


# --- the hostile files -------------------------------------------------------------------------------------


def cells_bomb(columns=("sku", "quantity"), *, rows: int = 2_000, cells: int = 3_000) -> bytes:
    """~100 KB that inflates to ~100 MB: rows of thousands of values in columns without a name (each one an
    error "Column N has a value but no name" before the limits: the 1.8 GB worker and the 100 MB answer)."""
    row = "<row>" + "<c><v>1</v></c>" * cells + "</row>"
    return xlsx([SHEET_START, header_row(columns), *_repeat(row, rows, chunk=20), SHEET_END])


def row_bomb(columns=("sku", "quantity"), *, cells: int = 6_000_000) -> bytes:
    """One row of six million cells (~100 MB of XML in one element)."""
    return xlsx([SHEET_START, header_row(columns), "<row>", *_repeat("<c><v>1</v></c>", cells), "</row>",
                 SHEET_END])


def shared_strings_bomb(columns=("sku", "quantity"), *, length: int = 100_000_000) -> bytes:
    """A tiny sheet whose shared strings part holds one string of 100 million characters."""
    shared = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
              "<si><t>", *_repeat("a", length, chunk=1 << 20), "</t></si></sst>"]
    row = '<row><c t="s"><v>0</v></c><c><v>1</v></c></row>'
    return xlsx([SHEET_START, header_row(columns), row * 10, SHEET_END], shared_strings=shared)


def many_shared_strings(columns=("sku", "quantity"), *, count: int = 3_000_000) -> bytes:
    """Millions of short shared strings (each kept in memory by the workbook reader)."""
    shared = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
              *_repeat("<si><t>ab</t></si>", count), "</sst>"]
    row = '<row><c t="s"><v>0</v></c><c><v>1</v></c></row>'
    return xlsx([SHEET_START, header_row(columns), row, SHEET_END], shared_strings=shared)


def million_rows_xlsx(columns=("sku", "quantity"), *, rows: int = 1_000_000) -> bytes:
    """A million rows "a, 1" (~100 KB compressed)."""
    row = "<row>" + text_cell("a") + "<c><v>1</v></c></row>"
    return xlsx([SHEET_START, header_row(columns), *_repeat(row, rows), SHEET_END])


def far_row_xlsx(columns=("sku", "quantity")) -> bytes:
    """A header, then one row numbered 1,048,576 (the sheet's last): a million blank rows in between."""
    return xlsx([SHEET_START, header_row(columns),
                 '<row r="1048576">' + text_cell("a") + "<c><v>1</v></c></row>", SHEET_END])


def million_rows_csv(columns=("sku", "quantity"), *, rows: int = 1_000_000) -> bytes:
    return (",".join(columns) + "\n" + "a,1\n" * rows).encode()


def wide_csv(columns=("sku", "quantity"), *, width: int = 100_000) -> bytes:
    return (",".join(columns) + "\n" + "x," * width + "x\n").encode()


def long_cell_csv(columns=("sku", "quantity"), *, length: int = 5_000) -> bytes:
    return (",".join(columns) + "\n" + "a" * length + ",1\n").encode()


def huge_field_csv(columns=("sku", "quantity"), *, length: int = 10_000_000) -> bytes:
    """One field of ten million characters (past the csv module's own limit of 131,072)."""
    return (",".join(columns) + '\n"' + "a" * length + '",1\n').encode()
