"""A statement as PDF (Chinese through a CJK font: a system TTF, else the built-in STSong-Light) and as XLSX
(no value from the data becomes a formula)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from tenant_apps.finance import services
from tenant_apps.finance.models import Statement
from tenant_apps.finance.selectors_statements import statement_view
from tenant_apps.finance.services_statements import statements_generate
from tenant_apps.finance.statement_files import FONT_FILES, pdf_font, statement_pdf, statement_xlsx, xlsx_text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _statement(books) -> Statement:
    with time_machine.travel(datetime(2026, 11, 5, 10, tzinfo=SHANGHAI), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="1234.50", reference="=1+2",
                               reason="@SUM(A1:A9) 银行转账")
        services.adjustment_request(actor=books.finance, dealer=books.one, amount="-4.50", reason="-2+3 运费")
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), tick=False):
        statements_generate(actor=None)
    return Statement.objects.get(dealer=books.one)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.skipif(not any(__import__("os").path.isfile(f) for f in FONT_FILES), reason="no CJK TTF installed")
def test_the_pdf_shows_the_chinese_dealer_name_the_title_and_the_closing_balance(books):
    statement = _statement(books)
    with translation.override("zh-hans"):
        pdf = statement_pdf(statement_view(statement))
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "fin 一号经销商" in text
    assert "对账单" in text
    assert "1,230.00" in text and statement.closing == 1230
    assert "ST-202611-fin-1" in text and "银行转账" in text


def test_without_a_font_file_the_pdf_uses_the_built_in_cid_font(books, tmp_path):
    statement = _statement(books)
    assert pdf_font(str(tmp_path / "missing.ttc")) == "STSong-Light"
    pdf = statement_pdf(statement_view(statement), font_path=str(tmp_path / "missing.ttc"))
    assert b"STSong-Light" in pdf
    assert "1,230.00" in _text(pdf)


def test_the_xlsx_never_turns_data_into_a_formula(books):
    statement = _statement(books)
    workbook = load_workbook(io.BytesIO(statement_xlsx(statement_view(statement))))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value is not None]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = [cell.value for cell in cells]
    assert "'=1+2" in values and "'@SUM(A1:A9) 银行转账" in values and "'-2+3 运费" in values
    assert not [v for v in values if isinstance(v, str) and v.startswith(("=", "+", "-", "@"))]
    assert 1230 in values  # the closing balance, a number
    assert xlsx_text("\x01=x") == "'=x" and xlsx_text("text") == "text"
