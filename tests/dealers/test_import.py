"""Bulk import and export of dealers: per-row errors and all or nothing, multi-level files, encodings,
round trips, the bank-account capability, the plan limit, constant query counts."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection

from billing_saas import services as billing
from billing_saas.limits import current_plan
from billing_saas.models import Plan
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import services
from tenant_apps.dealers.models import Dealer, DealerAddress, DealerContact, Node
from tenant_apps.dealers.transfer import (
    COLUMNS,
    ImportResult,
    RowError,
    _Row,
    dealers_export,
    dealers_import,
    dealers_import_rows,
)
from tests.factories import UserFactory
from tests.factories.billing import on_plan


def build_network() -> dict:
    """HQ -> EAST, SOUTH (regions); territories CN > 310000 > 310115, CN > 440000; tiers A, B; a rep, a manager."""
    hq = services.headquarters_ensure(name="总部")
    east = services.region_create(actor=None, parent=hq, name="华东", code="EAST")
    south = services.region_create(actor=None, parent=hq, name="华南", code="SOUTH")
    # China's divisions (CN > 310000 > 310100 > 310115, CN > 440000) come with the workspace
    services.tier_create(actor=None, code="A", name="金牌", rank=1)
    services.tier_create(actor=None, code="B", name="银牌", rank=2)
    rep = UserFactory(email="rep@example.test", role="sales_rep")
    manager = UserFactory(email="rm@example.test", role="regional_manager", scope_node=east)
    return {"hq": hq, "east": east, "south": south, "rep": rep, "manager": manager}


@pytest.fixture
def network(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        yield build_network()


@pytest.fixture
def owner(network):
    from tenant_apps.accounts.models import User

    return User.objects.get(email="owner@acme.test")


@pytest.fixture
def unlimited_plan(tenant_a):
    billing.subscription_plan_set(actor=None, subscription=tenant_a.subscription,
                                  plan=Plan.objects.get(code="enterprise"), reason="a big network")
    tenant_a.refresh_from_db()  # the workspace as routing gives it to the next request


def row(**values) -> dict:
    return {column: values.get(column, "") for column in COLUMNS}


# Child before parent on purpose: SH-101 (row 2) and SH-102 (row 3) come before their agent SH-100 (row 4).
CLEAN = [
    row(code="SH-101", legal_name="上海浦东贸易有限公司", parent_code="SH-100", territories="310115", tier="B",
        supplier_code="HQ"),
    row(code="SH-102", legal_name="浦东三林商行", name="三林", parent_code="SH-101", status="active"),
    row(code="SH-100", legal_name="上海总代理有限公司", name="上海总代", parent_code="EAST", tier="A",
        territories="310000；310115", status="Active", tax_number="91310115MA1H7GXX1Q", bank_name="招商银行",
        bank_account="6222 0212 3456 7890", sales_rep_email="REP@example.test",
        regional_manager_email="rm@example.test", contact_name="王经理", contact_phone="+86 21 5000 0001",
        contact_email="wang@sh100.test", billing_territory="310115", billing_line="世纪大道 100 号",
        billing_recipient="财务部", billing_phone="021-5000 0000"),
    row(code="GD-100", legal_name="广州经销商有限公司", parent_code="SOUTH", territories="440000"),
]


def csv_file(rows: list[dict], *, columns=COLUMNS, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([[values.get(column, "") for column in columns] for values in rows])
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[dict], *, columns=COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for values in rows:
        sheet.append([values.get(column, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(result: ImportResult) -> list[tuple[int, str]]:
    return [(error.row, error.field) for error in result.errors]


def exported_rows(content: bytes, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [[cell or "" for cell in cells] for cells in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_multi_level_file_imports_in_one_go(network, fmt):
    hq, east = network["hq"], network["east"]
    content = csv_file(CLEAN) if fmt == "csv" else xlsx_file(CLEAN)

    result = dealers_import(actor=None, file=io.BytesIO(content), filename=f"经销商.{fmt.upper()}")

    assert result == ImportResult(applied=True, rows=4, created=4, errors=[])
    agent, sub, subsub, canton = (Dealer.objects.select_related("node").get(code=code)
                                  for code in ("SH-100", "SH-101", "SH-102", "GD-100"))
    assert agent.node.path == f"{hq.pk}.{east.pk}.{agent.node.pk}"
    assert sub.node.path == f"{agent.node.path}.{sub.node.pk}"
    assert subsub.node.path == f"{sub.node.path}.{subsub.node.pk}"
    assert canton.node.path == f"{hq.pk}.{network['south'].pk}.{canton.node.pk}"
    assert (subsub.node.parent_id, subsub.node.kind, subsub.node.name) == (sub.node.pk, "dealer", "三林")
    assert (agent.name, agent.status, agent.tier.code, agent.tax_number) == (
        "上海总代", "active", "A", "91310115MA1H7GXX1Q")
    assert (sub.name, sub.status, sub.tier.code) == ("上海浦东贸易有限公司", "prospect", "B")
    assert sorted(agent.territories.values_list("code", flat=True)) == ["310000", "310115"]
    assert list(canton.territories.values_list("code", flat=True)) == ["440000"]
    assert (sub.supplier_id, agent.supplier_id, canton.supplier_id) == (hq.pk, hq.pk, hq.pk)
    assert (agent.sales_rep, agent.regional_manager) == (network["rep"], network["manager"])
    assert (agent.bank_name, agent.bank_account, agent.bank_account_masked) == (
        "招商银行", "6222 0212 3456 7890", "**** 7890")
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM dealers_dealer WHERE code = 'SH-100'")
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "6222" not in stored
    assert list(DealerContact.objects.values_list("dealer__code", "name", "phone", "email", "is_primary")) == [
        ("SH-100", "王经理", "+86 21 5000 0001", "wang@sh100.test", True)]
    assert list(DealerAddress.objects.values_list(
        "dealer__code", "kind", "territory__code", "line", "recipient", "phone", "is_default")) == [
        ("SH-100", "billing", "310115", "世纪大道 100 号", "财务部", "021-5000 0000", False)]
    [entry] = AuditEntry.objects.filter(action__startswith="dealers.dealer.")
    assert (entry.action, entry.target_type, entry.target_id, entry.actor_label) == (
        "dealers.dealer.imported", "dealers.node", str(hq.pk), "system")
    assert entry.after == {"rows": 4, "codes_sample": ["SH-101", "SH-102", "SH-100", "GD-100"],
                           "file": f"经销商.{fmt.upper()}"}


def five_thousand_rows() -> list[dict]:
    """50 provincial agents under the regions, 4,950 city dealers under them."""
    rows = [row(code=f"P{p:03d}", legal_name=f"第{p}省总代理有限公司", parent_code="EAST" if p % 2 else "SOUTH",
                tier="A", territories="310000", status="active", tax_number=f"91310000MA{p:08d}")
            for p in range(50)]
    rows += [row(code=f"C{c:05d}", legal_name=f"城市经销商{c}号商贸有限公司", parent_code=f"P{c % 50:03d}",
                 tier="B", territories="310115", bank_account=f"6222 0000 {c:08d}", contact_name="李四",
                 contact_phone="13800000000")
             for c in range(4950)]
    return rows


def test_a_5000_row_file_with_3_bad_rows_applies_nothing_and_names_them(network, unlimited_plan):
    rows = five_thousand_rows()
    rows[1000]["parent_code"] = "NOWHERE"  # spreadsheet row 1002
    rows[2500]["tax_number"] = "12345"  # row 2502
    rows[4999]["code"] = rows[10]["code"]  # row 5001 repeats row 12
    nodes_before = Node.objects.count()

    result = dealers_import(actor=None, file=csv_file(rows), filename="dealers.csv")

    assert (result.applied, result.rows, result.created) == (False, 5000, 0)
    assert result.errors == [
        RowError(row=1002, field="parent_code",
                 message="No region or dealer has the code “NOWHERE”, neither in the network nor in this file."),
        RowError(row=2502, field="tax_number",
                 message="Use the 18-character unified social credit code (15-20 letters and digits)."),
        RowError(row=5001, field="code", message="This code is also on row 12."),
    ]
    assert (Dealer.objects.count(), Node.objects.count(), AuditEntry.objects.filter(action="dealers.dealer.imported")
            .count()) == (0, nodes_before, 0)


def test_every_row_rule_is_reported(network):
    rows = [
        row(code="bad code", legal_name="A", parent_code="EAST"),  # 2
        row(code="EAST", legal_name="B", parent_code="HQ"),  # 3: taken by the region
        row(code="X1", legal_name=" ", parent_code="", status="closed", tier="Z", territories="310000;999;888"),  # 4
        row(code="X2", legal_name="C", parent_code="X3"),  # 5: X2 -> X3 -> X2
        row(code="X3", legal_name="D", parent_code="X2", supplier_code="NOPE"),  # 6
        row(code="X4", legal_name="E" * 201, parent_code="X4", sales_rep_email="ghost@example.test"),  # 7
        row(code="X5", legal_name="F", parent_code="HQ", contact_phone="1", contact_email="not-an-email",
            billing_line="路 1 号", billing_territory="000"),  # 8
        row(code="X5", legal_name="G", parent_code="HQ", tax_number="91310115ma1h7gxx1q"),  # 9
    ]

    result = dealers_import(actor=None, file=csv_file(rows), filename="d.csv")

    assert not result.applied
    assert errors_of(result) == [
        (2, "code"), (3, "code"),
        (4, "legal_name"), (4, "name"), (4, "parent_code"), (4, "tier"), (4, "territories"), (4, "status"),
        (5, "parent_code"), (6, "parent_code"), (6, "supplier_code"),
        (7, "legal_name"), (7, "name"), (7, "parent_code"), (7, "sales_rep_email"),
        (8, "contact_name"), (8, "contact_email"), (8, "billing_territory"), (8, "billing_recipient"),
        (8, "billing_phone"),
        (9, "code"), (9, "tax_number"),
    ]
    messages = {(error.row, error.field): error.message for error in result.errors}
    assert messages[(3, "code")] == "This code is already used."
    assert messages[(4, "territories")] == "No territory has the code “999”, “888”."
    assert messages[(4, "status")] == "Unknown status “closed”; use one of prospect, active, suspended, terminated."
    assert messages[(5, "parent_code")] == "The parent codes go round in a circle: X2 → X3 → X2."
    assert messages[(7, "parent_code")] == "The parent codes go round in a circle: X4 → X4."
    assert messages[(7, "legal_name")] == "Use at most 200 characters (this has 201)."
    assert messages[(7, "name")] == ("Enter a short name of at most 100 characters (the legal name is too long to "
                                     "stand in for it).")
    assert messages[(4, "name")] == "Enter a short name."
    assert messages[(8, "billing_phone")] == "Fill in all four billing columns, or none of them."
    assert messages[(9, "code")] == "This code is also on row 8."
    assert Dealer.objects.count() == 0


@pytest.mark.parametrize(("filename", "content", "expected"), [
    ("d.txt", b"code\nX", [(0, "file", "“d.txt” is not a CSV or XLSX file. Upload a .csv or .xlsx file.")]),
    ("d.csv", b"", [(0, "file", "The file is empty.")]),
    ("d.xlsx", b"not a zip", [(0, "file", "The XLSX file could not be read. Save it again from Excel as "
                                          "“Excel Workbook (.xlsx)”.")]),
    ("d.csv", csv_file([]), [(0, "file", "The file has a header but no dealer rows.")]),
    ("d.csv", csv_file(CLEAN, columns=["code", "legal_name", "parent_code", "fax", "name", "fax"]), [
        (1, "fax", "Unknown column “fax”. The columns are: " + ", ".join(COLUMNS) + "."),
        (1, "fax", "Unknown column “fax”. The columns are: " + ", ".join(COLUMNS) + "."),
    ]),
    ("d.csv", csv_file(CLEAN, columns=["code", "name", "name"]), [
        (1, "name", "The column “name” appears twice."),
        (1, "legal_name", "The column “legal_name” is missing."),
        (1, "parent_code", "The column “parent_code” is missing."),
    ]),
    ("d.csv", b"code,legal_name,parent_code,,\r\nA1,A,HQ,,\r\nA2,B,HQ,,oops\r\n",
     [(3, "", "Column 5 has a value but no name in the header.")]),
    ("d.csv", b"\xff\xfe\x00\x00\x81\x30", [(0, "file", "The file is neither UTF-8 nor GB18030 text. Save it as "
                                                        "“CSV UTF-8”.")]),
])
def test_unusable_files_give_clear_errors_and_write_nothing(network, filename, content, expected):
    before = (Node.objects.count(), AuditEntry.objects.count())

    result = dealers_import(actor=None, file=content, filename=filename)

    assert not result.applied
    assert [(error.row, error.field, error.message) for error in result.errors] == expected
    assert (Dealer.objects.count(), Node.objects.count(), AuditEntry.objects.count()) == (0, *before)


def test_xlsx_numbers_and_blank_rows_read_as_the_user_sees_them(network):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["territories", "code", "legal_name", "parent_code", "contact_name", "contact_phone", "tier"])
    sheet.append([310000, 10086, "上海经销商", "EAST", "张三", 13800000000, None])  # numbers typed into Excel
    sheet.append([])
    sheet.append([None, "X-2", "浦东经销商", 10086, None, None, "Z"])  # row 4: after a blank row
    sheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = dealers_import(actor=None, file=buffer.getvalue(), filename="d.xlsx")
    assert (result.rows, errors_of(result)) == (2, [(4, "tier")])

    sheet.cell(row=4, column=7).value = "B"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert dealers_import(actor=None, file=buffer.getvalue(), filename="d.xlsx").applied
    dealer = Dealer.objects.get(code="10086")
    assert list(dealer.territories.values_list("code", flat=True)) == ["310000"]
    assert dealer.contacts.get().phone == "13800000000"
    assert Dealer.objects.get(code="X-2").node.parent_id == dealer.node_id


def test_gb18030_csv_from_chinese_excel(network):
    content = csv_file(CLEAN, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    result = dealers_import(actor=None, file=content, filename="经销商.csv")

    assert result.applied, result.errors
    assert Dealer.objects.get(code="SH-100").legal_name == "上海总代理有限公司"
    assert DealerAddress.objects.get().line == "世纪大道 100 号"


def test_the_plan_limit_counts_the_whole_file(network, tenant_a):
    on_plan(tenant_a, "starter")  # 50 dealers
    rows = [row(code=f"D{i}", legal_name=f"经销商{i}", parent_code="EAST") for i in range(51)]

    result = dealers_import(actor=None, file=csv_file(rows), filename="d.csv")

    assert result == ImportResult(applied=False, rows=51, errors=[RowError(
        row=0, field="plan", message="Your plan allows 50 dealers; you have 0 and this would add 51. Upgrade the "
                                     "plan to add more: /console/billing/")])
    assert dealers_import(actor=None, file=csv_file(rows[:50]), filename="d.csv").applied
    assert Dealer.objects.count() == 50


def test_parents_outside_the_actors_scope_are_unknown(network):
    manager = network["manager"]  # sees EAST only
    rows = [row(code="E1", legal_name="E", parent_code="EAST"), row(code="S1", legal_name="S", parent_code="SOUTH")]

    result = dealers_import(actor=manager, file=csv_file(rows), filename="d.csv")

    assert errors_of(result) == [(3, "parent_code")]


def test_an_import_costs_the_same_queries_for_3_or_30_rows(network, count_queries):
    def rows(prefix, count):
        return [row(code=f"{prefix}{i}", legal_name=f"{prefix}{i}", parent_code="EAST" if i == 0 else f"{prefix}0",
                    territories="310000", contact_name="张三", billing_territory="310115", billing_line="路",
                    billing_recipient="张三", billing_phone="1") for i in range(count)]

    current_plan()  # the plan is read once and kept by the process, whatever the file's size
    with count_queries() as small:
        assert dealers_import(actor=None, file=csv_file(rows("S", 3)), filename="d.csv").applied
    with count_queries() as large:
        assert dealers_import(actor=None, file=csv_file(rows("L", 30)), filename="d.csv").applied
    assert len(large.sql) == len(small.sql)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_again_into_an_empty_network(network, owner, tenant_b, in_tenant, fmt):
    tricky = row(code="SH-900", legal_name="=HYPERLINK(\"http://evil.test\")", parent_code="SH-100",
                 contact_name="-赵六", contact_phone="+86 138 0000 0000")
    assert dealers_import(actor=None, file=csv_file([*CLEAN, tricky]), filename="d.csv").applied

    content, content_type, filename = dealers_export(actor=owner, fmt=fmt)

    exported = exported_rows(content, fmt)
    assert exported[0] == COLUMNS
    assert len(exported) == 6
    agent = dict(zip(COLUMNS, next(r for r in exported if r[0] == "SH-100"), strict=True))
    assert (agent["parent_code"], agent["territories"], agent["bank_account"], agent["supplier_code"]) == (
        "EAST", "310000;310115", "6222 0212 3456 7890", "HQ")
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf") and content_type == "text/csv; charset=utf-8"
        assert b"'=HYPERLINK" in content and b"'+86 138" in content  # never run as formulas by Excel
    else:
        assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert b"<f>" not in content
    assert filename.startswith("dealers-") and filename.endswith(f".{fmt}")

    with in_tenant(tenant_b):
        build_network()
        result = dealers_import(actor=None, file=content, filename=filename)
        assert result.applied, result.errors
        from tenant_apps.accounts.models import User

        again, _, _ = dealers_export(actor=User.objects.get(email="owner@globex.test"), fmt=fmt)
        assert Dealer.objects.get(code="SH-900").legal_name == "=HYPERLINK(\"http://evil.test\")"
        assert DealerContact.objects.get(dealer__code="SH-900").phone == "+86 138 0000 0000"
    assert sorted(exported_rows(again, fmt)) == sorted(exported)


def test_export_hides_bank_accounts_without_the_capability_and_keeps_to_the_scope(network, owner, count_queries):
    assert dealers_import(actor=None, file=csv_file(CLEAN), filename="d.csv").applied
    analyst = UserFactory(email="analyst@example.test", role="analyst")  # may export, may not see bank accounts

    with count_queries() as queries:
        content, _, _ = dealers_export(actor=analyst, fmt="csv")
    rows = exported_rows(content, "csv")[1:]
    assert [r[COLUMNS.index("bank_account")] for r in rows] == ["", "", "", ""]
    assert b"6222" not in content
    assert len(queries.sql) == 5  # dealers, territories, primary contacts, billing addresses; the audit entry

    owner_rows = exported_rows(dealers_export(actor=owner, fmt="csv")[0], "csv")[1:]
    assert sorted(r[COLUMNS.index("bank_account")] for r in owner_rows) == ["", "", "", "6222 0212 3456 7890"]

    manager_rows = exported_rows(dealers_export(actor=network["manager"], fmt="xlsx")[0], "xlsx")[1:]
    assert sorted(r[0] for r in manager_rows) == ["SH-100", "SH-101", "SH-102"]  # EAST only

    services.dealer_create(actor=None, parent=network["south"], code="GD-200", legal_name="佛山经销商")
    with count_queries() as more:
        dealers_export(actor=analyst, fmt="csv")
    assert len(more.sql) == len(queries.sql)


def test_a_supplier_code_must_name_an_active_supplier_above_the_dealer(network, unlimited_plan):
    """The import applies dealer_create's and dealer_update's rule: a hostile sheet naming a sibling agent, a plain
    dealer, a stopped supplier, a dealer new in the file, or a supplier beside the dealer gets a row error each,
    and nothing is written."""
    east, south = network["east"], network["south"]
    agent = services.dealer_create(actor=None, parent=east, code="AG", legal_name="华东代理", status="active")
    sibling = services.dealer_create(actor=None, parent=south, code="AG2", legal_name="华南代理", status="active")
    services.dealer_create(actor=None, parent=east, code="PL", legal_name="普通经销商", status="active")
    old = services.dealer_create(actor=None, parent=east, code="OLD", legal_name="停用代理", status="active")
    for dealer in (agent, sibling, old):
        services.supplier_designate(actor=None, dealer=dealer)
    services.supplier_undesignate(actor=None, supplier=old.node.as_supplier, open_orders=0)
    dealers_before = Dealer.objects.count()
    hostile = [
        row(code="N1", legal_name="A", parent_code="AG", supplier_code="AG"),  # 2: its parent, a supplier
        row(code="N2", legal_name="B", parent_code="N1", supplier_code="AG"),  # 3: above through the file
        row(code="N3", legal_name="C", parent_code="EAST", supplier_code="AG"),  # 4: beside it, not above
        row(code="N4", legal_name="D", parent_code="AG", supplier_code="AG2"),  # 5: the sibling agent
        row(code="N5", legal_name="E", parent_code="AG", supplier_code="PL"),  # 6: not a supplier
        row(code="N6", legal_name="F", parent_code="OLD", supplier_code="OLD"),  # 7: stopped
        row(code="N7", legal_name="G", parent_code="N1", supplier_code="N1"),  # 8: new in the file
        row(code="N8", legal_name="H", parent_code="AG", supplier_code="HQ"),  # 9: headquarters
    ]
    result = dealers_import(actor=None, file=csv_file(hostile), filename="d.csv")
    assert not result.applied
    assert errors_of(result) == [(4, "supplier_code"), (5, "supplier_code"), (6, "supplier_code"),
                                 (7, "supplier_code"), (8, "supplier_code")]
    messages = {error.row: error.message for error in result.errors}
    assert messages[5] == ("“AG2” is not above this dealer in the network; a dealer buys from headquarters or from "
                           "a supplier above it.")
    assert messages[6] == "“PL” is not a supplier: headquarters makes a dealer a supplier first."
    assert Dealer.objects.count() == dealers_before

    clean = [hostile[0], hostile[1], hostile[7]]
    assert dealers_import(actor=None, file=csv_file(clean), filename="d.csv").applied
    suppliers = dict(Dealer.objects.filter(code__in=["N1", "N2", "N8"]).values_list("code", "supplier_id"))
    assert suppliers == {"N1": agent.node_id, "N2": agent.node_id, "N8": network["hq"].pk}


def test_an_update_may_not_point_a_dealer_at_itself_or_below(network, unlimited_plan):
    agent = services.dealer_create(actor=None, parent=network["east"], code="AG", legal_name="华东代理",
                                   status="active")
    services.supplier_designate(actor=None, dealer=agent)
    sub = services.dealer_create(actor=None, parent=agent.node, code="SUB", legal_name="下级", supplier=agent.node)
    rows = [_Row(number=2, values=row(code="AG", legal_name="华东代理", parent_code="EAST", status="active",
                                      supplier_code="AG")),
            _Row(number=3, values=row(code="SUB", legal_name="下级", parent_code="AG", supplier_code="AG"))]
    result = dealers_import_rows(actor=None, rows=rows, source="api", update_existing=True)
    assert errors_of(result) == [(2, "supplier_code")]  # SUB unchanged: never refused
    sub.refresh_from_db()
    assert sub.supplier_id == agent.node_id
