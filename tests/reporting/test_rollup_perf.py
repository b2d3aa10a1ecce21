"""The coarser rollups (month x dealer x product, month x SKU) and the two-step report query: every rollup the
engine may choose gives the figures of the order lines themselves (reporting.selectors.sales_lines), for the whole
network and for a regional manager; the check covers the new rollups; an incremental refresh keeps them."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.utils import timezone

from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services as dealers
from tenant_apps.ordering.models import Order
from tenant_apps.reporting.cube import Filters, ReportSpec
from tenant_apps.reporting.models import ProductMonth, SkuMonth
from tenant_apps.reporting.selectors import report_run, rollup_mismatches, sales_lines
from tenant_apps.reporting.services import rollups_refresh
from tests.factories.accounts import UserFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, SkuFactory
from tests.factories.dealers import DealerFactory, RegionFactory, address, headquarters
from tests.factories.inventory import WarehouseFactory
from tests.factories.ordering import OrderFactory
from tests.factories.pricing import PriceEntryFactory

MEASURES = ("net", "lines", "quantity")


def _month_start(day: date, back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def _placed(order, day: date, hour: int = 10):
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.make_aware(datetime.combine(day, time(hour))))


@pytest.fixture
def sales(store, tenant_a, in_tenant):
    """Two regions: 华东 with a dealer of its own (EAST-1) and 华南 holding the store's dealer SH-1; a second
    category and series with a product (tea) besides the store's drinks; orders on an edge day two months back,
    in the whole month before this one and today, from both dealers."""
    with in_tenant(tenant_a):
        hq = headquarters()
        east = RegionFactory(parent=hq, code="EAST", name="华东")
        south = RegionFactory(parent=hq, code="SOUTH", name="华南")
        dealers.node_move(actor=None, node=store.dealer.node, new_parent=south)
        east_dealer = DealerFactory(parent=east, code="EAST-1", legal_name="华东一号", territories=[store.shanghai],
                                    status="active", tier=store.tier)
        address(dealer=east_dealer, territory=store.shanghai)
        east_buyer = UserFactory(email="buyer@east.test", role="dealer_buyer", dealer=east_dealer)
        teas = CategoryFactory(code="TEA", name="茶")
        green = catalog.series_create(actor=None, code="GREEN", name="绿茶")
        tea_product = ProductFactory(category=teas, code="LJ", name="龙井")
        catalog.product_update(actor=None, product=tea_product, series=green)
        tea = SkuFactory(product=tea_product, code="LJ-250", name="龙井 250g", base_unit=store.can)
        PriceEntryFactory(price_list=store.base, sku=tea, unit=store.can, price="12.50")
        WarehouseFactory(code="TEA-E", name="茶仓", territories=[store.shanghai.parent],
                         stock={tea: 100, store.sku: 100, store.water: 100})
        today = timezone.localdate()
        edge, whole = _month_start(today, 2) + timedelta(days=14), _month_start(today, 1) + timedelta(days=3)
        for day, buyer, dealer, lines in [
            (edge, store.buyer, store.dealer, [(store.sku, 3), (tea, 1)]),
            (edge, east_buyer, east_dealer, [(store.water, 2)]),
            (whole, east_buyer, east_dealer, [(tea, 4), (store.sku, 1)]),
            (whole, store.buyer, store.dealer, [(store.water, 5)]),
            (today, east_buyer, east_dealer, [(store.sku, 2), (store.water, 1), (tea, 2)]),
        ]:
            order = OrderFactory(actor=buyer, dealer=dealer, lines=lines)
            if day != today:
                _placed(order, day)
        rollups_refresh(full=True)
        yield SimpleNamespace(store=store, east=east, south=south, east_dealer=east_dealer, east_buyer=east_buyer,
                              tea=tea, tea_product=tea_product, teas=teas, green=green, edge=edge, whole=whole,
                              today=today, owner=UserFactory(email="owner@x.test", role="owner"),
                              manager=UserFactory(email="rm@x.test", role="regional_manager", scope_node=east))


def _key(line, name: str, *, region_depth: int):
    order, sku = line.order, line.sku
    day = timezone.localtime(order.created_at).date()
    return {
        "month": day.replace(day=1), "week": day - timedelta(days=day.weekday()), "day": day,
        "dealer": order.dealer_id, "sku": line.sku_id, "product": sku.product_id,
        "series": sku.product.series_id, "category": int(str(sku.product.category.path).split(".")[0]),
        "region": int(str(order.dealer.node.path).split(".")[region_depth + 1]),
        "tier": order.dealer.tier_id,
    }[name]


def _expected(actor, spec, *, region_depth: int = 0) -> tuple[dict, tuple]:
    """The report computed from the order lines: {keys: (net, lines, quantity)} and the totals."""
    rows = defaultdict(lambda: [Decimal(0), 0, 0])
    for line in sales_lines(actor=actor, date_from=spec.date_from, date_to=spec.date_to, filters=spec.filters):
        row = rows[tuple(_key(line, name, region_depth=region_depth) for name in spec.dimensions)]
        row[0] += line.net
        row[1] += 1
        row[2] += line.quantity * line.factor
    rows = {key: tuple(values) for key, values in rows.items()}
    totals = tuple(sum(values[i] for values in rows.values()) for i in range(3)) if rows else (0, 0, 0)
    return rows, totals


def _report(actor, spec):
    report = report_run(actor=actor, spec=spec)
    return {row.keys: row.values for row in report.rows}, report.totals


def test_every_rollup_the_engine_chooses_gives_the_figures_of_the_order_lines(sales, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        s = sales
        assert rollup_mismatches() == []
        period = {"date_from": s.edge - timedelta(days=4), "date_to": s.today}
        cases = [
            # the whole network, no dealer dimension: month x SKU over every dealer, edge days by SKU
            (s.owner, ReportSpec(dimensions=("month", "category"), measures=MEASURES, **period), 0),
            # a regional manager (dealer ids): month x dealer x product, edge days mapped to products
            (s.manager, ReportSpec(dimensions=("region", "product"), measures=MEASURES, **period), 1),
            (s.owner, ReportSpec(dimensions=("series", "tier"), measures=MEASURES, **period), 0),
            # a SKU dimension with a dealer one: month x dealer x SKU
            (s.owner, ReportSpec(dimensions=("dealer", "sku"), measures=MEASURES, **period), 0),
            # by week: day x dealer x SKU; with a category filter
            (s.owner, ReportSpec(dimensions=("week", "product"), measures=MEASURES,
                                 filters=Filters(category=s.teas.pk), **period), 0),
            # a region filter with a product one: month x dealer x product, both pushed down
            (s.owner, ReportSpec(dimensions=("month", "region"), measures=MEASURES,
                                 filters=Filters(region=s.east.pk, series=(s.green.pk,)), **period), 1),
        ]
        for actor, spec, depth in cases:
            rows, totals = _report(actor, spec)
            assert (rows, totals) == _expected(actor, spec, region_depth=depth), spec.dimensions
        # the figures themselves, once, by hand: the tea (12.50 a can) by dealer over the period
        spec = ReportSpec(dimensions=("dealer",), measures=MEASURES, filters=Filters(products=(s.tea_product.pk,)),
                          **period)
        assert _report(s.owner, spec) == (
            {(s.east_dealer.pk,): (Decimal("75.00"), 2, 6), (s.store.dealer.pk,): (Decimal("12.50"), 1, 1)},
            (Decimal("87.50"), 3, 7))
        # the regional manager sees 华东's dealer only, the totals with it
        assert _report(s.manager, spec) == ({(s.east_dealer.pk,): (Decimal("75.00"), 2, 6)},
                                            (Decimal("75.00"), 2, 6))
        # counts that do not add up: buying dealers by month (the totals count each dealer once), orders by dealer
        spec = ReportSpec(dimensions=("month",), measures=("dealers", "lines"), **period)
        months = [s.edge.replace(day=1), s.whole.replace(day=1), s.today.replace(day=1)]
        assert _report(s.owner, spec) == ({(months[0],): (2, 3), (months[1],): (2, 3), (months[2],): (1, 3)}, (2, 9))
        assert _report(s.manager, spec) == ({(months[0],): (1, 1), (months[1],): (1, 2), (months[2],): (1, 3)},
                                            (1, 6))
        spec = ReportSpec(dimensions=("dealer",), measures=("orders", "net"), **period)
        assert _report(s.owner, spec) == (
            {(s.east_dealer.pk,): (3, Decimal("108.00")), (s.store.dealer.pk,): (2, Decimal("57.50"))},
            (5, Decimal("165.50")))


def test_a_product_moved_to_another_category_reports_there_without_a_refresh(sales, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        s = sales
        spec = ReportSpec(date_from=s.edge, date_to=s.today, dimensions=("category",), measures=("net",))
        drinks = s.store.sku.product.category_id
        assert _report(s.owner, spec)[0] == {(drinks,): (Decimal("78.00"),), (s.teas.pk,): (Decimal("87.50"),)}
        catalog.product_update(actor=None, product=s.tea_product, category=s.store.sku.product.category)
        assert _report(s.owner, spec) == ({(drinks,): (Decimal("165.50"),)}, (Decimal("165.50"),))


def test_the_check_covers_the_coarser_rollups_and_a_refresh_keeps_them(sales, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        s = sales
        month = s.whole.replace(day=1)
        ProductMonth.objects.filter(month=month, dealer_id=s.east_dealer.pk, product_id=s.tea_product.pk).update(
            net=F("net") + 1)
        SkuMonth.objects.filter(month=month, sku_id=s.store.water.pk).delete()
        assert rollup_mismatches() == [("product_month", month, s.east_dealer.pk, s.tea_product.pk, "CNY"),
                                       ("sku_month", month, None, s.store.water.pk, "CNY")]
        rollups_refresh(full=True)
        assert rollup_mismatches() == []
        # a new order today: the incremental refresh brings this month's coarser rows up to date
        OrderFactory(actor=s.east_buyer, dealer=s.east_dealer, lines=[(s.tea, 3)])
        state = rollups_refresh()
        assert state.last_days == 3  # today, and the two back-dated days: their orders changed within the margin
        assert rollup_mismatches() == []
        this_month = s.today.replace(day=1)
        assert SkuMonth.objects.get(month=this_month, sku_id=s.tea.pk).quantity == 5
        assert ProductMonth.objects.get(month=this_month, dealer_id=s.east_dealer.pk,
                                        product_id=s.tea_product.pk).net == 6250
