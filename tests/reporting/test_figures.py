"""Every report's figures equal a direct computation from the order rows, whatever happened: random orders on
random days across months, cancels, revisions and returns, in two regions, read through the rollups (brought up to
date incrementally along the way) by any two dimensions and periods that do not start or end on a month, in both
languages; the check finds the rollups equal to the orders."""

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tenant_apps.core.errors import DomainError
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.fulfillment.models import ReturnLine
from tenant_apps.ordering.lifecycle import order_cancel
from tenant_apps.ordering.models import Order, OrderLine, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_revise, order_submit
from tenant_apps.reporting.cube import Filters, ReportSpec
from tenant_apps.reporting.selectors import report_run, rollup_mismatches
from tenant_apps.reporting.services import rollups_refresh
from tests.factories import UserFactory
from tests.factories.dealers import RegionFactory, headquarters
from tests.factories.fulfillment import ship_everything
from tests.ordering.conftest import make_store

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2027, 1, 1)
STEP = st.tuples(st.sampled_from(["order", "order", "order", "cancel", "return", "revise", "refresh"]),
                 st.integers(min_value=0, max_value=70), st.integers(min_value=1, max_value=9))
DIMENSION_SETS = [(), ("dealer",), ("month", "sku"), ("region", "category"), ("day", "dealer"), ("week",),
                  ("quarter", "tier"), ("product", "series"), ("province", "month"), ("year", "rep")]
MEASURES = ("net", "gross", "discount", "quantity", "lines", "returned_net", "returned_quantity",
            "net_after_returns")


def _world(tag: str) -> SimpleNamespace:
    """Two dealers, each with its own SKUs, in two regions; people to approve, ship and receive returns."""
    east_store, south_store = make_store(tag=f"e{tag}"), make_store(tag=f"s{tag}")
    from tenant_apps.dealers.services import node_move

    hq = headquarters()
    east, south = RegionFactory(parent=hq, code=f"RE{tag}", name="华东"), RegionFactory(parent=hq, code=f"RS{tag}",
                                                                                        name="华南")
    node_move(actor=None, node=east_store.dealer.node, new_parent=east)
    node_move(actor=None, node=south_store.dealer.node, new_parent=south)
    people = SimpleNamespace(warehouse=UserFactory(email=f"w{tag}@brand.test", role="warehouse"),
                             boss=UserFactory(email=f"b{tag}@brand.test", role="owner"),
                             manager=UserFactory(email=f"m{tag}@brand.test", role="regional_manager",
                                                 scope_node=east))
    return SimpleNamespace(stores=[east_store, south_store], people=people, orders=[], east=east, south=south)


def _apply(world, name: str, offset: int, n: int) -> None:
    store = world.stores[n % 2]
    try:
        if name == "order":
            sku = store.sku if n % 3 else store.water
            world.orders.append(order_submit(actor=store.buyer, dealer=store.dealer,
                                             lines=[SubmitLine(sku.pk, None, n), SubmitLine(store.water.pk, None, 1)]
                                             ).order)
        elif name == "cancel" and world.orders:
            order = Order.objects.get(pk=world.orders[n % len(world.orders)].pk)
            order_cancel(actor=world.people.boss, order=order, reason="hypothesis")
        elif name == "revise" and world.orders:
            order = Order.objects.get(pk=world.orders[n % len(world.orders)].pk)
            buyer = next(s.buyer for s in world.stores if s.dealer.pk == order.dealer_id)
            sku = next(s.sku for s in world.stores if s.dealer.pk == order.dealer_id)
            order_revise(actor=buyer, order=order, lines=[SubmitLine(sku.pk, None, n + 1)])
        elif name == "return" and world.orders:
            order = Order.objects.get(pk=world.orders[n % len(world.orders)].pk)
            if order.status == OrderStatus.APPROVED:
                order = fulfillment.order_allocate(actor=world.people.warehouse, order=order)
                ship_everything(order, world.people)
            line = order.lines.order_by("line_no").first()
            if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and line.shipped_base > line.returned_base:
                buyer = next(s.buyer for s in world.stores if s.dealer.pk == order.dealer_id)
                rma = fulfillment.return_request_create(actor=buyer, order=order, reason_code="damaged",
                                                        reason_text="x", lines={line.pk: 1})
                fulfillment.return_decide(actor=world.people.boss, rma=rma, approve=True)
                fulfillment.return_receive(actor=world.people.warehouse, rma=rma)
        elif name == "refresh":
            rollups_refresh()
    except DomainError:
        pass  # refused whole: nothing written


def _local(moment) -> date:
    return moment.astimezone(SHANGHAI).date()


def _key(name: str, line: OrderLine, day: date, root_depth: int = 0):
    dealer = line.order.dealer
    if name == "day":
        return day
    if name == "week":
        return day - timedelta(days=day.weekday())
    if name == "month":
        return day.replace(day=1)
    if name == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if name == "year":
        return date(day.year, 1, 1)
    if name == "dealer":
        return dealer.pk
    if name == "region":
        # the child of the reader's root (HQ, or a regional manager's region) on the way down to the dealer
        parts = str(dealer.node.path).split(".")
        return int(parts[root_depth + 1]) if len(parts) > root_depth + 1 else int(parts[root_depth])
    if name == "tier":
        return dealer.tier_id
    if name == "rep":
        return dealer.sales_rep_id
    if name == "province":
        return _province(dealer.pk)
    if name == "sku":
        return line.sku_id
    if name == "product":
        return line.sku.product_id
    if name == "series":
        return line.sku.product.series_id
    if name == "category":
        return int(str(line.sku.product.category.path).split(".")[0])
    raise AssertionError(name)


_PROVINCES: dict[int, int | None] = {}


def _province(dealer_id: int) -> int | None:
    """The territory on the second level above the dealer's territories (its province), the lowest id."""
    if dealer_id not in _PROVINCES:
        from tenant_apps.dealers.models import Dealer, Territory

        paths = [str(t.path) for t in Dealer.objects.get(pk=dealer_id).territories.all() if "." in str(t.path)]
        _PROVINCES[dealer_id] = min((Territory.objects.get(path=".".join(p.split(".")[:2])).pk for p in paths),
                                    default=None)
    return _PROVINCES[dealer_id]


def _direct(dealers: set[int] | None, dims: tuple, date_from: date, date_to: date, root_depth: int) -> dict:
    """{keys: {measure: value}} straight from the order rows (of `dealers`, or all)."""
    out: dict = defaultdict(lambda: defaultdict(D))
    lines = OrderLine.objects.select_related("order__dealer__node", "sku__product__category").exclude(
        order__status__in=("draft", "rejected", "cancelled"))
    if dealers is not None:
        lines = lines.filter(order__dealer_id__in=dealers)
    for line in lines:
        day = _local(line.order.created_at)
        if date_from <= day <= date_to:
            figures = out[tuple(_key(name, line, day, root_depth) for name in dims)]
            figures["net"] += line.net
            figures["gross"] += line.gross
            figures["discount"] += line.discount
            figures["quantity"] += line.quantity * line.factor
            figures["lines"] += 1
    returned = ReturnLine.objects.select_related("return_request", "order_line__order__dealer__node",
                                                 "order_line__sku__product__category").filter(
        return_request__status="received")
    if dealers is not None:
        returned = returned.filter(order_line__order__dealer_id__in=dealers)
    for item in returned:
        day = _local(item.return_request.received_at)
        if date_from <= day <= date_to:
            line = item.order_line
            figures = out[tuple(_key(name, line, day, root_depth) for name in dims)]
            value = line.net * item.quantity / (line.quantity * line.factor)
            figures["returned_net"] += value.quantize(D("0.01"), rounding=ROUND_HALF_UP)
            figures["returned_quantity"] += item.quantity
    for figures in out.values():
        figures["net_after_returns"] = figures["net"] - figures["returned_net"]
    return {keys: figures for keys, figures in out.items()
            if any(figures[m] for m in ("lines", "returned_quantity"))}


def _check(world, reader, dealers: set[int] | None, date_from: date, date_to: date, root_depth: int = 0) -> None:
    for dims in DIMENSION_SETS:
        expected = _direct(dealers, dims, date_from, date_to, root_depth)
        spec = ReportSpec(date_from=date_from, date_to=date_to, dimensions=dims, measures=MEASURES, limit=5000)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                report = report_run(actor=reader, spec=spec)
            got = {row.keys: dict(zip(MEASURES, row.values, strict=True)) for row in report.rows} if dims else (
                {(): dict(zip(MEASURES, report.totals, strict=True))} if expected else {})
            got = {keys: figures for keys, figures in got.items() if figures["lines"] or figures["returned_quantity"]}
            assert got == {keys: {m: figures[m] for m in MEASURES} for keys, figures in expected.items()}, (
                dims, language)
            total = {m: sum((f[m] for f in expected.values()), D(0) if m != "lines" else 0) for m in MEASURES}
            assert dict(zip(MEASURES, report.totals, strict=True)) == total, (dims, language)


# No shrinking: an example costs seconds (a failure still prints the steps that made it).
@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_reports_equal_the_order_rows_after_any_mix(tenant_a, in_tenant, steps):
    with in_tenant(tenant_a):
        world = _world(uuid.uuid4().hex[:6])
        for name, offset, n in sorted(steps, key=lambda step: (step[1], step[2])):  # time goes forward
            moment = datetime.combine(START + timedelta(days=offset), datetime.min.time(), tzinfo=SHANGHAI)
            with time_machine.travel(moment + timedelta(hours=10 + n), tick=True):
                _apply(world, name, offset, n)
        rollups_refresh()
        assert rollup_mismatches() == []
        # HQ sees every dealer (earlier examples' too: they share the test's transaction).
        _check(world, world.people.boss, None, date(2027, 1, 9), date(2027, 3, 20))  # months and edge days
        _check(world, world.people.boss, None, date(2026, 12, 1), date(2027, 3, 31))  # whole months
        east = {world.stores[0].dealer.pk}
        _check(world, world.people.manager, east, date(2027, 1, 1), date(2027, 3, 31), root_depth=1)  # the region's


def test_orders_are_counted_only_where_no_product_is_asked(store, tenant_a, in_tenant):
    from tests.factories.ordering import OrderFactory

    with in_tenant(tenant_a):
        owner = UserFactory(email="own@brand.test", role="owner")
        first = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2), (store.water, 1)])
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 1)])
        cancelled = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.water, 5)])
        order_cancel(actor=owner, order=cancelled, reason="no")
        rollups_refresh()
        today = _local(first.created_at)
        report = report_run(actor=owner, spec=ReportSpec(date_from=today, date_to=today, dimensions=("dealer",),
                                                          measures=("orders", "net", "lines")))
        assert [(row.labels, row.values) for row in report.rows] == [
            ((store.dealer.display_name,), (2, D("21.00"), 3))]
        from tenant_apps.reporting.cube import ReportError

        try:
            report_run(actor=owner, spec=ReportSpec(date_from=today, date_to=today, dimensions=("sku",),
                                                    measures=("orders",)))
            raise AssertionError("orders by SKU must be refused")
        except ReportError as error:
            assert set(error.errors) == {"measures"}


def test_a_dealer_filter_outside_the_readers_scope_counts_nothing(store, tenant_a, in_tenant):
    from tests.factories.ordering import OrderFactory

    with in_tenant(tenant_a):
        region = RegionFactory(parent=headquarters(), code="NORTH", name="华北")
        manager = UserFactory(email="north@brand.test", role="regional_manager", scope_node=region)
        order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])
        rollups_refresh()
        today = _local(order.created_at)
        spec = ReportSpec(date_from=today, date_to=today, dimensions=("dealer",),
                          filters=Filters(dealers=(store.dealer.pk,)))
        report = report_run(actor=manager, spec=spec)
        assert report.rows == [] and report.totals == (D(0),)
