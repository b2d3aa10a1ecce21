"""Bank statement imports: each built-in mapping reads its bank's export, only incoming lines are kept, nothing is
imported twice, and hostile or broken files are refused whole with a row-level report (never a 500)."""

import io
import zipfile
from decimal import Decimal

import pytest

from tenant_apps.core.table_limits import TableTooLarge
from tenant_apps.finance.bank import selectors, services
from tenant_apps.finance.bank.mappings import DEFAULT_MAPPINGS
from tenant_apps.finance.errors import StatementDuplicate, StatementUnreadable
from tenant_apps.finance.models import BankStatementLine, StatementImport
from tests.finance.bank_samples import GENERIC_CSV, SAMPLES, sample


def _import(books, filename, data, code="generic"):
    services.bank_mappings_ensure()
    return services.statement_import(actor=books.finance, file=data, filename=filename,
                                     mapping=selectors.mapping_get(code=code))


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_default_mapping_reads_its_banks_export(books, in_tenant, code):
    filename, data, expected = sample(code)
    with in_tenant(books.tenant):
        statement, _run = _import(books, filename, data, code)
        lines = list(statement.lines.order_by("row"))
        assert [(line.amount, line.payer_name, line.serial, line.currency) for line in lines] == [
            (amount, payer, serial, "CNY") for amount, payer, serial in expected]
        assert statement.debits >= 1 and statement.lines_created == len(expected)
        assert all(line.booked_on.year == 2026 and line.booked_on.month == 12 for line in lines)


def test_every_bank_of_the_brief_has_a_default_mapping():
    assert {m["code"] for m in DEFAULT_MAPPINGS} >= {"icbc", "ccb", "abc", "boc", "cmb", "bocom", "generic"}


def test_the_same_file_twice_is_refused_and_a_line_already_imported_is_skipped(books, in_tenant):
    with in_tenant(books.tenant):
        _import(books, "a.csv", GENERIC_CSV.encode())
        with pytest.raises(StatementDuplicate):
            _import(books, "a-again.csv", GENERIC_CSV.encode())
        overlapping = GENERIC_CSV + '2026/12/06,"88.00",,fin 一号经销商,6222,货款,GEN0009\n'
        statement, _run = _import(books, "b.csv", overlapping.encode())
        assert (statement.lines_created, statement.duplicates) == (1, 1)
        assert BankStatementLine.objects.filter(serial="GEN0001").count() == 1
        assert BankStatementLine.objects.count() == 2


def test_lines_without_a_serial_are_recognised_by_their_values(books, in_tenant):
    csv = "记账日期,收入金额,付款人名称,附言\n2026-12-01,10.00,甲,货款\n2026-12-01,10.00,甲,货款\n"
    with in_tenant(books.tenant):
        first, _run = _import(books, "a.csv", csv.encode())
        again, _run = _import(books, "b.csv", (csv + "2026-12-02,20.00,乙,货款\n").encode())
        assert (first.lines_created, again.lines_created, again.duplicates) == (2, 1, 2)


@pytest.mark.parametrize("amount, expected", [
    ('"1,234.50"', "1234.50"), ('"￥1,234.50"', "1234.50"), ("１２３４．５０", "1234.50"), ("1234.5元", "1234.50"),
    ('"¥ 88"', "88.00"),
])
def test_amounts_are_read_the_ways_banks_write_them(books, in_tenant, amount, expected):
    csv = f"交易日期,贷方发生额,对方户名\n2026-12-01,{amount},甲\n"
    with in_tenant(books.tenant):
        statement, _run = _import(books, "a.csv", csv.encode())
        assert statement.lines.get().amount == Decimal(expected)


def test_a_negative_credit_in_parentheses_is_not_money_in(books, in_tenant):
    csv = '交易日期,贷方发生额,对方户名\n2026-12-01,"(1,234.50)",甲\n2026-12-01,5.00,乙\n'
    with in_tenant(books.tenant):
        statement, _run = _import(books, "a.csv", csv.encode())
        assert (statement.lines_created, statement.debits) == (1, 1)


@pytest.mark.parametrize("content, filename, row, field", [
    ("交易日期,贷方发生额,对方户名\n2026-12-01,=1+1,甲\n", "f.csv", 2, "credit"),  # a formula is no number
    ("交易日期,贷方发生额,对方户名\n2026-12-01,abc,甲\n2026-12-01,5.00,乙\n", "w.csv", 2, "credit"),
    ("交易日期,贷方发生额,对方户名\n32/13/2026,5.00,甲\n", "d.csv", 2, "date"),
    ("交易日期,贷方发生额,对方户名\n2026-12-01,5.001,甲\n", "p.csv", 2, "amount"),
    ("交易日期,贷方发生额,对方户名,币种\n2026-12-01,5.00,甲,QQQ\n", "c.csv", 2, "currency"),
    ("名称,金额\n甲,5\n", "h.csv", 0, "file"),  # no header this mapping knows
    ("交易日期,贷方发生额\n", "e.csv", 1, ""),  # a header alone
])
def test_a_bad_row_refuses_the_whole_file_with_a_row_report(books, in_tenant, content, filename, row, field):
    with in_tenant(books.tenant):
        services.bank_mappings_ensure()
        with pytest.raises(StatementUnreadable) as refused:
            _import(books, filename, content.encode())
        assert (refused.value.errors[0].row, refused.value.errors[0].field) == (row, field), refused.value.errors
        assert refused.value.status == 400
        assert not StatementImport.objects.exists() and not BankStatementLine.objects.exists()


def test_a_formula_in_a_text_cell_is_kept_as_text(books, in_tenant):
    csv = "交易日期,贷方发生额,对方户名,附言\n2026-12-01,5.00,\"=cmd|' /C calc'!A0\",=HYPERLINK(\"x\")\n"
    with in_tenant(books.tenant):
        statement, _run = _import(books, "a.csv", csv.encode())
        line = statement.lines.get()
        assert (line.payer_name, line.remark) == ("=cmd|' /C calc'!A0", '=HYPERLINK("x")')


def test_wrong_encodings_and_binary_files_are_refused_clearly(books, in_tenant):
    with in_tenant(books.tenant):
        services.bank_mappings_ensure()
        utf16 = "交易日期,贷方发生额,对方户名\n2026-12-01,5.00,甲\n".encode("utf-16")
        with pytest.raises(StatementUnreadable) as refused:
            _import(books, "u.csv", utf16)
        assert refused.value.errors[0].row == 0
        with pytest.raises(StatementUnreadable):
            _import(books, "x.xlsx", b"PK\x03\x04 not really a zip")
        with pytest.raises(StatementUnreadable):
            _import(books, "x.pdf", b"%PDF-1.4")
        mapping = selectors.mapping_get(code="generic")
        mapping.encoding = "utf-8"
        mapping.save()
        with pytest.raises(StatementUnreadable) as refused:
            _import(books, "g.csv", "交易日期,贷方发生额,对方户名\n2026-12-01,5.00,甲\n".encode("gbk"))
        assert "UTF-8" in refused.value.errors[0].message
        assert not StatementImport.objects.exists()


def test_huge_files_and_xlsx_bombs_are_refused_with_a_413(books, in_tenant, settings):
    settings.SPREADSHEET_LIMITS = {"max_bytes": 2000}
    with in_tenant(books.tenant):
        services.bank_mappings_ensure()
        with pytest.raises(TableTooLarge):
            _import(books, "big.csv", b"x" * 3000)
    settings.SPREADSHEET_LIMITS = {}
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * 30_000_000 + "</a>")
    with in_tenant(books.tenant):
        with pytest.raises((TableTooLarge, StatementUnreadable)) as refused:
            _import(books, "bomb.xlsx", bomb.getvalue())
        assert refused.value.status in (400, 413)
        assert not StatementImport.objects.exists()
