"""The one spreadsheet reader (tenant_apps.core.tables.read_table) under hostile files: zip bombs, shared
strings bombs, a million rows, too many columns, too long cells, too much text. Each is refused with
`TableTooLarge` (413) naming the limit, fast, before the rows are materialised; good files still read as the
user sees them; error reports stay small. The entry points (pages and API) are in
test_spreadsheet_entry_points.py; times and memory in bench/spreadsheets.py."""

from __future__ import annotations

import functools
import io
import re
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from tenant_apps.core.tables import (
    MAX_REPORTED_ERRORS,
    FileUnreadable,
    ImportResult,
    MoreErrors,
    RowError,
    TableTooLarge,
    read_table,
    report_errors,
    rows_from_table,
    xlsx_bytes,
)
from tests import hostile_sheets as hostile

NO_RATIO = {"max_ratio": 10**9}  # to reach the limits behind the compression ratio check
cells_bomb = functools.cache(hostile.cells_bomb)  # built once (compressing 100 MB takes a second)


def refusal(data: bytes, filename: str, *, max_rows: int = 2_000, **limits) -> str:
    """The message of the TableTooLarge raised while reading the whole table."""
    with pytest.raises(TableTooLarge) as refused:
        for _row in read_table(file=data, filename=filename, max_rows=max_rows, **limits):
            pass
    error = refused.value
    assert (error.status, error.code) == (413, "file_too_large")
    assert error.fields == {"file": [str(error.detail)]}
    return str(error.detail).replace("\xa0", " ")  # sizes are "20.0 MB" with a no-break space


def rows(data: bytes, filename: str, *, max_rows: int = 2_000, **limits) -> list[list[str]]:
    return list(read_table(file=data, filename=filename, max_rows=max_rows, **limits))


# --- zip bombs ------------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_inflating():
    bomb = cells_bomb()  # ~180 KB that inflates to ~100 MB
    assert len(bomb) < 250_000
    started = time.perf_counter()
    message = refusal(bomb, "order.xlsx")
    assert time.perf_counter() - started < 1
    assert message == ("The part “xl/worksheets/sheet1.xml” of the workbook is compressed more than 100 times; the "
                       "limit is 100 (a file packed that tightly is refused).")


def test_the_total_inflated_size_is_limited(settings):
    settings.SPREADSHEET_LIMITS = {**NO_RATIO, "max_inflated_bytes": 10 * 1024 * 1024}
    message = refusal(cells_bomb(), "order.xlsx")
    assert message == "The workbook unpacks to more than 10.0 MB; the limit is 10.0 MB."


def test_a_part_read_whole_is_limited(settings):
    settings.SPREADSHEET_LIMITS = {"max_part_bytes": 200}  # the content types part is ~700 bytes
    assert refusal(hostile.far_row_xlsx(), "order.xlsx") == (
        "The part “[Content_Types].xml” of the workbook unpacks to more than 200 bytes; the limit is 200 bytes.")


def test_behind_the_ratio_check_thousands_of_values_in_unnamed_columns_stop_at_the_column_limit(settings):
    """The file that took a worker to 1.8 GB: rows of thousands of values (each an error before)."""
    settings.SPREADSHEET_LIMITS = NO_RATIO
    started = time.perf_counter()
    assert refusal(cells_bomb(), "order.xlsx") == (
        "Row 2 has values in more than 100 columns; the limit is 100.")
    assert time.perf_counter() - started < 2


def test_one_row_of_six_million_cells_stops_at_the_column_limit(settings):
    settings.SPREADSHEET_LIMITS = NO_RATIO
    assert refusal(hostile.row_bomb(), "order.xlsx") == "Row 2 has values in more than 100 columns; the limit is 100."


def test_empty_cells_count_too(settings):
    """Formatted empty cells cost time to read: a sheet of millions of them stops at the cell budget."""
    settings.SPREADSHEET_LIMITS = NO_RATIO
    row = "<row>" + '<c s="1"/>' * 10_000 + "</row>"
    data = hostile.xlsx([hostile.SHEET_START, hostile.header_row(["sku", "quantity"]), row * 100,
                         hostile.SHEET_END])
    assert refusal(data, "order.xlsx", max_rows=100) == "The sheet has more than 110,100 cells; the limit is 110,100."


def test_a_shared_string_of_100_million_characters_is_refused_as_a_long_cell(settings):
    settings.SPREADSHEET_LIMITS = NO_RATIO
    assert refusal(hostile.shared_strings_bomb(length=20_000_000), "order.xlsx") == (
        "A cell in row 2 has more than 1,000 characters; the limit is 1,000.")


def test_the_shared_strings_table_is_counted(settings):
    settings.SPREADSHEET_LIMITS = {**NO_RATIO, "max_shared_strings": 1_000}
    assert refusal(hostile.many_shared_strings(count=5_000), "order.xlsx") == (
        "The workbook has more than 1,000 different texts; the limit is 1,000.")


def test_a_workbook_has_no_more_shared_strings_than_the_cells_an_entry_point_takes(settings):
    settings.SPREADSHEET_LIMITS = NO_RATIO
    assert refusal(hostile.many_shared_strings(count=400_000), "order.xlsx", max_rows=2_000) == (
        "The workbook has more than 300,100 different texts; the limit is 300,100.")


def test_a_shared_string_is_counted_in_the_text_budget_once_per_cell(settings):
    settings.SPREADSHEET_LIMITS = NO_RATIO
    shared = ['<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>', "a" * 900,
              "</t></si></sst>"]
    row = '<row><c t="s"><v>0</v></c><c><v>1</v></c></row>'
    data = hostile.xlsx([hostile.SHEET_START, hostile.header_row(["sku", "quantity"]), row * 2_000,
                         hostile.SHEET_END], shared_strings=shared)
    assert refusal(data, "order.xlsx", max_text_chars=1_000_000) == (
        "The file holds more than 1,000,000 characters of text; the limit is 1,000,000.")


def test_an_element_of_a_million_pieces_in_a_cell_is_refused(settings):
    settings.SPREADSHEET_LIMITS = NO_RATIO
    cell = '<c t="inlineStr"><is>' + "<r><t>a</t></r>" * 100_000 + "</is></c>"
    data = hostile.xlsx([hostile.SHEET_START, hostile.header_row(["sku", "quantity"]), f"<row>{cell}</row>",
                         hostile.SHEET_END])
    assert "made of more parts than a spreadsheet has" in refusal(data, "order.xlsx")


# --- rows -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "filename"), [
    (hostile.million_rows_csv, "order.csv"),
    (hostile.million_rows_xlsx, "order.xlsx"),
])
def test_a_million_rows_are_refused_at_the_first_row_past_the_limit_in_well_under_a_second(settings, make, filename):
    settings.SPREADSHEET_LIMITS = NO_RATIO
    data = make()
    started = time.perf_counter()
    assert refusal(data, filename) == ("The file has more than 2,000 rows; the limit is 2,000. "
                                       "Split it into smaller files.")
    assert time.perf_counter() - started < 1


def test_a_row_numbered_a_million_is_refused_without_reading_the_rows_between():
    assert refusal(hostile.far_row_xlsx(), "order.xlsx") == (
        "The file has more than 2,000 rows; the limit is 2,000. Split it into smaller files.")


def test_the_row_limit_counts_data_rows_and_allows_some_blank_ones():
    data = b"sku,quantity\n" + b"A,1\n" * 10 + b"\n" * 500 + b"B,2\n"
    assert len([row for row in rows(data, "order.csv", max_rows=11) if row]) == 12
    assert "more than 10 rows" in refusal(data, "order.csv", max_rows=10)


# --- columns, cells, text, size -------------------------------------------------------------------------


def test_too_many_columns():
    data = b"sku,quantity\n" + b",".join([b"x"] * 101) + b"\n"
    assert refusal(data, "order.csv") == "Row 2 has values in more than 100 columns; the limit is 100."
    trailing = b"sku,quantity\nA,1" + b"," * 500 + b"\n"  # empty columns (a spreadsheet's trailing commas) are fine
    assert rows(trailing, "order.csv") == [["sku", "quantity"], ["A", "1"]]


def test_a_too_long_cell():
    data = b"sku,quantity\n" + b"a" * 1_001 + b",1\n"
    assert refusal(data, "order.csv") == "A cell in row 2 has more than 1,000 characters; the limit is 1,000."
    assert rows(data, "order.csv", max_cell_chars=2_000)[1] == ["a" * 1_001, "1"]


def test_a_line_longer_than_any_row_can_be_is_refused_before_it_is_split():
    assert refusal(hostile.huge_field_csv(), "order.csv") == (
        "Line 2 of the file has more than 100,300 characters; the limit is 100,300.")


def test_a_quoted_field_over_many_lines_past_the_csv_modules_own_limit():
    data = b'sku,quantity\n"' + b"a" * 99 + (b"\n" + b"a" * 99) * 2_000 + b'",1\n'
    assert refusal(data, "order.csv") == "A cell in row 2 has more than 1,000 characters; the limit is 1,000."


def test_the_upload_size_is_checked_before_reading():
    class Upload:
        size = 21 * 1024 * 1024  # what the request said

        def read(self, *args):
            raise AssertionError("read before its size was checked")

    with pytest.raises(TableTooLarge, match=r"^The file is larger than 20.0\sMB; the limit is 20.0\sMB\.$"):
        read_table(file=Upload(), filename="order.csv", max_rows=10)
    assert refusal(b"sku\n" + b"a\n" * 600, "order.csv", max_bytes=1_000) == (
        "The file is larger than 1000 bytes; the limit is 1000 bytes.")


def test_the_refusal_speaks_the_users_language():
    with translation.override("zh-hans"):
        message = refusal(hostile.million_rows_csv(), "order.csv")
    assert message == "文件超过 2000 行，上限为 2000 行。请拆分成较小的文件。"


# --- good files read as before --------------------------------------------------------------------------


def test_a_workbook_written_by_excel_tools_reads_as_the_user_sees_it():
    book = Workbook()
    sheet = book.active
    sheet.append(["sku", "quantity", "when", "ok", "note"])
    sheet.append(["RB-250", 48, date(2026, 3, 1), True, CellRichText(["红", TextBlock(InlineFont(b=True), "牛")])])
    sheet.append([])
    sheet.append(["RB-330", 2.5, datetime(2026, 3, 1, 8, 30), None, "  x  "])
    sheet["A10"] = "far"
    buffer = io.BytesIO()
    book.save(buffer)
    assert rows(buffer.getvalue(), "order.xlsx") == [
        ["sku", "quantity", "when", "ok", "note"],
        ["RB-250", "48", "2026-03-01", "True", "红牛"],
        [],
        ["RB-330", "2.5", "2026-03-01T08:30:00", "", "x"],
        [], [], [], [], [],
        ["far"],
    ]


def test_our_own_export_reads_back():
    data = xlsx_bytes(["sku", "quantity"], [["=1+1", "2"], ["商品", "3"]], sheet="x")
    assert rows(data, "order.xlsx") == [["sku", "quantity"], ["=1+1", "2"], ["商品", "3"]]


def test_a_file_that_is_not_a_workbook_is_unreadable_not_too_large():
    with pytest.raises(FileUnreadable, match="could not be read"):
        rows(b"PK\x03\x04 not really", "order.xlsx")


# --- error reports --------------------------------------------------------------------------------------


def test_an_error_report_lists_the_first_100_and_counts_the_rest():
    errors = [RowError(row=number, field="sku", message="bad") for number in range(50_001, 1, -1)]
    report = report_errors(errors, ["sku"])
    assert len(report) == MAX_REPORTED_ERRORS + 1
    assert [error.row for error in report[:3]] == [2, 3, 4]
    assert isinstance(report[-1], MoreErrors) and report[-1].count == 49_900
    assert report[-1].message == "… and 49,900 more problems, not listed here."
    assert ImportResult(applied=False, rows=50_000, errors=report).problem_count == 50_000


def test_values_in_unnamed_columns_are_counted_not_all_kept():
    data = b"sku,quantity\n" + b"A,1,x,y\n" * 5_000
    with pytest.raises(FileUnreadable) as unreadable:
        rows_from_table(read_table(file=data, filename="order.csv", max_rows=5_000), columns=["sku", "quantity"])
    errors = unreadable.value.errors
    assert len(errors) == MAX_REPORTED_ERRORS + 1 and errors[-1].count == 9_900


def test_no_other_code_reads_spreadsheets():
    """One reader: outside tenant_apps/core/tables.py and xlsx_read.py nothing parses CSV or opens a workbook
    (writing, csv.writer and openpyxl's Workbook(), is fine)."""
    root = Path(__file__).resolve().parents[2]
    readers = re.compile(r"csv\.(reader|DictReader|Sniffer)|load_workbook|ExcelReader|WorkSheetParser")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("tenant_apps", "shared_apps", "billing_saas", "onboarding", "tenants", "platform")
        for path in (root / folder).rglob("*.py")
        if path.name not in ("tables.py", "xlsx_read.py") and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if readers.search(line)
    ]
    assert offenders == []
