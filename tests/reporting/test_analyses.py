"""The analysis pages (inventory, dealers, promotions, pricing): every figure against a direct computation from
the rows made through the services, in both languages; the data scope; the drop alert's exact rule; constant
query counts."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from tenant_apps.catalog.models import SkuUnit
from tenant_apps.core.money import format_money
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.inventory.models import Stock, StockMovement
from tenant_apps.ordering.models import Order, OrderLine
from tenant_apps.ordering.submission import SubmitLine
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import PriceEntry, ProtectionCompensation, ProtectionWindow, PurchaseRecord
from tenant_apps.promotions.models import PromotionUsage
from tenant_apps.reporting.analyses import selectors_inventory as inventory_analysis
from tenant_apps.reporting.analyses.common import month_add, month_start
from tenant_apps.reporting.analyses.selectors_dealers import is_drop
from tenant_apps.reporting.services import rollups_refresh
from tests.factories.accounts import UserFactory
from tests.factories.catalog import CategoryFactory, SkuFactory
from tests.factories.dealers import DealerFactory, RegionFactory, TierFactory, address
from tests.factories.fulfillment import ship_everything
from tests.factories.inventory import WarehouseFactory, stock_receive
from tests.factories.ordering import OrderFactory
from tests.factories.pricing import PriceEntryFactory, ProtectionWindowFactory
from tests.factories.promotions import PromotionFactory

HOST = "acme.localhost"


class Browser(Client):
    """Tenant A's host as a signed-in user; puts the test's connection back on its schema after each request."""

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


def browser(user, language: str = "en") -> Browser:
    client = Browser(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def at(day, hour: int = 12):
    """A travel to noon of `day` in the brand's time zone (orders and movements are dated by the clock)."""
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(hour))), tick=False)


@pytest.fixture
def people(store):
    made = type("People", (), {})()
    made.owner = UserFactory(email="boss@brand.test", full_name="", role="owner")
    made.warehouse = UserFactory(email="wh@brand.test", full_name="", role="warehouse")
    # the base list has priced orders for years (the tests date orders back by the clock)
    pricing.price_list_update(actor=None, price_list=store.base, valid_from=date(2024, 1, 1))
    return made

# --- direct computations from the source rows ------------------------------------------------------------------

def _local(moment) -> date:
    return timezone.localdate(moment)


def expected_stock(date_from: date, date_to: date, days: int) -> dict[int, tuple]:
    """Per stock row: (on hand, reserved, available, value, shipped, turnover, days of supply, age, slow), read
    from the stock rows, their ledger and the base list, one row at a time."""
    today = timezone.localdate()
    out = {}
    for stock in Stock.objects.select_related("sku"):
        moves = list(StockMovement.objects.filter(stock=stock))
        shipped = sum(-m.on_hand_delta for m in moves
                      if m.kind == "shipment" and date_from <= _local(m.created_at) <= date_to)
        recent = sum(-m.on_hand_delta for m in moves
                     if m.kind == "shipment" and _local(m.created_at) > today - timedelta(days=days))
        at_start = stock.on_hand - sum(m.on_hand_delta for m in moves if _local(m.created_at) >= date_from)
        at_end = stock.on_hand - sum(m.on_hand_delta for m in moves if _local(m.created_at) > date_to)
        average = Decimal(at_start + at_end) / 2
        receipts = [m.created_at for m in moves if m.kind == "receipt"]
        entry = PriceEntry.objects.filter(price_list__kind="base", price_list__status="active", sku=stock.sku,
                                          unit=stock.sku.base_unit, min_quantity=1).first()
        available = stock.on_hand - stock.reserved
        out[stock.pk] = (
            stock.on_hand, stock.reserved, available,
            None if entry is None else (entry.price * stock.on_hand).quantize(Decimal("0.01")), shipped,
            None if not average else (shipped / average).quantize(Decimal("0.01"), ROUND_HALF_UP),
            None if not recent else (available / (Decimal(recent) / days)).quantize(Decimal("0.1"), ROUND_HALF_UP),
            None if not receipts else (today - _local(max(receipts))).days, recent == 0)
    return out


def _order_nets(date_from: date, date_to: date) -> dict[int, list[tuple[date, Decimal]]]:
    """Per dealer: (day, net) of each order of the period that counts as a sale."""
    out: dict[int, list] = {}
    for order in Order.objects.exclude(status__in=("draft", "rejected", "cancelled")).prefetch_related("lines"):
        day = _local(order.created_at)
        if date_from <= day <= date_to:
            out.setdefault(order.dealer_id, []).append((day, sum(line.net for line in order.lines.all())))
    return out


def expected_dealers(actor, date_from: date, date_to: date) -> dict[str, tuple]:
    """Per dealer code in the actor's scope: (orders, net, average order, days between, last order, activity)."""
    period = _order_nets(date_from, date_to)
    ever = _order_nets(date(2000, 1, 1), date_to)
    out = {}
    for dealer in dealers_visible_to(actor).exclude(status="terminated"):
        orders = period.get(dealer.pk, [])
        net = sum((n for _d, n in orders), Decimal(0))
        days = sorted(d for d, _n in orders)
        last = max((d for d, _n in ever.get(dealer.pk, [])), default=None)
        since = None if last is None else (date_to - last).days
        activity = ("long_dormant" if since is None or since >= 90 else "active" if since < 60 else "dormant")
        out[dealer.code] = (len(orders), net, (net / len(orders)).quantize(Decimal("0.01")) if orders else None,
                            Decimal((days[-1] - days[0]).days) / (len(days) - 1) if len(days) > 1 else None,
                            last, activity)
    return out


def expected_drops(actor, months: list[date]) -> list[str]:
    end = month_add(months[-1], 1) - timedelta(days=1)
    nets = _order_nets(months[0], end)
    alerted = []
    for dealer in dealers_visible_to(actor):
        by_month = [sum((n for d, n in nets.get(dealer.pk, []) if month_start(d) == m), Decimal(0)) for m in months]
        if all(by_month[k - 1] > 0 and by_month[k] <= by_month[k - 1] * Decimal("0.8") for k in (1, 2, 3)):
            alerted.append(dealer.code)
    return sorted(alerted)


def _shown(response, attribute: str) -> list[str]:
    return re.findall(rf'data-{attribute}="([^"]+)"', response.content.decode())


def _row(response, attribute: str, key) -> str:
    match = re.search(rf'<tr data-{attribute}="{re.escape(str(key))}">(.*?)</tr>', response.content.decode(), re.S)
    assert match, f"no row {attribute}={key}"
    return match.group(1)


def _money(amount, language: str) -> str:
    with translation.override(language):
        return format_money(amount, "CNY")


# --- the worlds ------------------------------------------------------------------------------------------------

def _dealer(store, code: str, parent, *, created: date | None = None):
    def make():
        dealer = DealerFactory(code=code, legal_name=f"经销商{code}", parent=parent, tier=store.tier,
                               territories=[store.shanghai], status="active")
        address(dealer=dealer, territory=store.shanghai)
        buyer = UserFactory(email=f"{code.lower()}@dealer.test", role="dealer_buyer", dealer=dealer, full_name="")
        return dealer, buyer

    if created is None:
        return make()
    with at(created):
        return make()


def _order(dealer, buyer, day: date, lines):
    with at(day):
        return OrderFactory(actor=buyer, dealer=dealer, lines=lines)


# --- inventory ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_inventory_figures_equal_the_ledger(store, people, language):
    today = timezone.localdate()
    with at(today - timedelta(days=40)):
        north = WarehouseFactory(code="N", name="北京仓", stock={store.sku: 20})
    order = _order(store.dealer, store.buyer, today - timedelta(days=3), [(store.sku, 10)])
    with at(today - timedelta(days=3)):
        fulfillment.order_allocate(actor=people.warehouse, order=order)
        ship_everything(order, people)
    _order(store.dealer, store.buyer, today, [(store.water, 4)])  # reserved, not shipped
    page = browser(people.owner, language)
    response = page.get("/console/reports/inventory/", {"date_from": (today - timedelta(days=29)).isoformat(),
                                                        "date_to": today.isoformat(), "days": 7})
    assert response.status_code == 200
    analysis = response.context["analysis"]
    expected = expected_stock(today - timedelta(days=29), today, 7)
    assert {r.stock_id: (r.on_hand, r.reserved, r.available, r.value, r.shipped, r.turnover, r.days_of_supply,
                         r.age_days, r.slow) for r in analysis.rows} == expected
    east_sku = Stock.objects.get(sku=store.sku, warehouse=store.east)
    # by hand: 10 shipped 3 days ago, 100 received today: 0 on the period's first day, 90 at its end, 45 on average
    assert expected[east_sku.pk] == (90, 0, 90, Decimal("450.00"), 10, Decimal("0.22"), Decimal("63.0"), 0, False)
    assert expected[Stock.objects.get(warehouse=north).pk][7] == 40
    east_water = Stock.objects.get(sku=store.water, warehouse=store.east)
    assert expected[east_water.pk][:3] == (100, 4, 96)
    # warehouses and totals are the sums of their rows
    for row in analysis.warehouses:
        mine = [v for k, v in expected.items() if Stock.objects.get(pk=k).warehouse_id == row.warehouse_id]
        assert (row.on_hand, row.reserved, row.available, row.value, row.shipped) == (
            sum(v[0] for v in mine), sum(v[1] for v in mine), sum(v[2] for v in mine),
            sum(v[3] for v in mine), sum(v[4] for v in mine))
    assert analysis.totals.on_hand == sum(v[0] for v in expected.values()) == 90 + 100 + 50 + 50 + 20
    assert [(m.code, m.shipped, m.slow) for m in analysis.movers] == [
        (store.sku.code, 10, False), (store.water.code, 0, True)]
    assert [m.code for m in analysis.fast] == [store.sku.code]
    # the page shows them, in the reader's language, and each SKU row leads to its movements
    html = response.content.decode()
    row = _row(response, "stock", east_sku.pk)
    assert _money(Decimal("450.00"), language) in row and ">63.0<" in row and ">0.22<" in row
    assert ("库存分析" if language == "zh-hans" else "Inventory analysis") in html
    assert ("慢动销" if language == "zh-hans" else "Slow mover") in _row(response, "sku", store.water.code)
    movements = page.get(f"/console/reports/inventory/stock/{east_sku.pk}/")
    assert movements.status_code == 200
    assert len(_shown(movements, "movement")) == StockMovement.objects.filter(stock=east_sku).count() == 3
    # filters: a warehouse, a category (the SKUs' own)
    only_north = page.get("/console/reports/inventory/", {"warehouse": north.pk}).context["analysis"]
    assert [r.warehouse_id for r in only_north.rows] == [north.pk]
    other = CategoryFactory(code="OTHER", name="其他")
    assert page.get("/console/reports/inventory/", {"category": other.pk}).context["analysis"].rows == []
    assert len(page.get("/console/reports/inventory/", {"category": store.sku.product.category_id}
                        ).context["analysis"].rows) == 5


def test_inventory_bad_filters_are_a_400_and_capabilities_hold(store, people):
    page = browser(people.owner)
    bad = page.get("/console/reports/inventory/", {"date_from": "2026-05-01", "date_to": "2026-04-01", "days": "x"})
    assert bad.status_code == 400
    assert "Enter a whole number." in bad.content.decode()
    reversed_period = page.get("/console/reports/inventory/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert reversed_period.status_code == 400 and "The end comes before the start." in reversed_period.content.decode()
    assert page.get("/console/reports/inventory/stock/999999/").status_code == 404
    buyer = browser(store.buyer)
    for url in ("/console/reports/inventory/", "/console/reports/dealers/", "/console/reports/promotions/",
                "/console/reports/pricing/"):
        assert buyer.get(url).status_code == 403


# --- dealers -----------------------------------------------------------------------------------------------------

@pytest.fixture
def network(store, people):
    """Regions East and West; A (East) falls 20 % or more three months running, B (East) two months, C (West)
    three falls but the last one 16.7 %, D (East) never orders, E (West) last ordered 75 days before the end of
    the period. All of them created before the first month; the period is the four whole months before this one."""
    today = timezone.localdate()
    last = month_add(today, -1)
    months = [month_add(last, k) for k in range(-3, 1)]
    date_to = month_add(today, 0) - timedelta(days=1)
    created = months[0] - timedelta(days=10)
    stock_receive(sku=store.sku, warehouse=store.east, quantity=2000)
    east = RegionFactory(code="EASTR", name="华东大区")
    west = RegionFactory(code="WESTR", name="西部大区")
    made = {}
    for code, parent, quantities in (("A", east, (20, 16, 12, 9)), ("B", east, (20, 20, 16, 12)),
                                     ("C", west, (20, 16, 12, 10)), ("D", east, ())):
        dealer, buyer = _dealer(store, code, parent, created=created)
        made[code] = dealer
        for month, quantity in zip(months, quantities, strict=False):
            _order(dealer, buyer, month.replace(day=10), [(store.sku, quantity)])
    dealer, buyer = _dealer(store, "E", west, created=created)
    made["E"] = dealer
    _order(dealer, buyer, date_to - timedelta(days=75), [(store.sku, 2)])
    rollups_refresh(full=True)
    manager = UserFactory(email="east@brand.test", full_name="", role="regional_manager", scope_node=east)
    return type("Network", (), {"months": months, "date_from": months[0], "date_to": date_to, "east": east,
                                "west": west, "dealers": made, "manager": manager})()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dealer_figures_equal_the_orders(store, people, network, language):
    period = {"date_from": network.date_from.isoformat(), "date_to": network.date_to.isoformat()}
    for user, codes in ((people.owner, ["A", "B", "C", "D", "E", store.dealer.code]),
                        (network.manager, ["A", "B", "D"])):
        response = browser(user, language).get("/console/reports/dealers/", period)
        assert response.status_code == 200
        analysis = response.context["analysis"]
        expected = expected_dealers(user, network.date_from, network.date_to)
        assert sorted(expected) == sorted(codes)
        assert {d.code: (d.orders, d.net, d.average_order, d.days_between, d.last_order, d.activity)
                for d in analysis.dealers} == {
            code: (*values[:3], None if values[3] is None else values[3].quantize(Decimal("0.1")), *values[4:])
            for code, values in expected.items()}
        assert analysis.report.totals == (sum(v[0] for v in expected.values()),
                                          sum(v[1] for v in expected.values()))
        assert [a.code for a in analysis.drops] == expected_drops(user, network.months) == ["A"]
        assert sorted(_shown(response, "dealer")) == sorted(codes)
        counts = {key: sum(1 for v in expected.values() if v[5] == key) for key in ("active", "dormant",
                                                                                   "long_dormant")}
        assert analysis.activity_counts == counts
    # by hand, for the owner: A's four orders, 285.00 in all, 71.25 each; E dormant; D never ordered
    owner = browser(people.owner, language).get("/console/reports/dealers/", period)
    a = network.dealers["A"]
    assert expected_dealers(people.owner, network.date_from, network.date_to)["A"][:3] == (
        4, Decimal("285.00"), Decimal("71.25"))
    assert owner.context["analysis"].activity_counts == {"active": 3, "dormant": 1, "long_dormant": 2}
    drop = owner.context["analysis"].drops[0]
    assert drop.nets == [Decimal("100.00"), Decimal("80.00"), Decimal("60.00"), Decimal("45.00")]
    assert drop.changes == [Decimal("-20.0"), Decimal("-25.0"), Decimal("-25.0")]
    row = _row(owner, "dealer", "A")
    assert _money(Decimal("285.00"), language) in row and _money(Decimal("71.25"), language) in row
    assert f"/console/reports/sales/?dims=month&amp;dealer={a.pk}" in row
    assert f"/console/orders/?dealer={a.pk}" in row
    assert ("活跃" if language == "zh-hans" else "Active") in row
    assert _shown(owner, "drop") == ["A"]
    # ramp-up: every dealer created in the last 12 months, from the month of its first order
    ramp = {r.code: r.nets for r in owner.context["analysis"].ramp}
    assert ramp["A"] == [Decimal("100.00"), Decimal("80.00"), Decimal("60.00"), Decimal("45.00"), 0, 0]
    assert ramp["E"][0] == Decimal("10.00") and ramp["D"] == [0] * 6
    assert store.dealer.code not in ramp  # created today, after the period
    html = owner.content.decode()
    assert ("经销商分析" if language == "zh-hans" else "Dealer analysis") in html


def test_drop_alert_fires_on_three_months_not_two(store, people, network):
    months = network.months
    assert is_drop([Decimal(100), Decimal(80), Decimal(64), Decimal("51.20")])
    assert not is_drop([Decimal(100), Decimal(100), Decimal(80), Decimal(64)])  # two months only
    assert not is_drop([Decimal(100), Decimal(80), Decimal(60), Decimal("48.01")])  # the last fall under 20 %
    assert not is_drop([Decimal(0), Decimal(0), Decimal(0), Decimal(0)])  # no sales is no fall
    page = browser(people.owner)
    period = {"date_from": months[0].isoformat(), "date_to": network.date_to.isoformat()}
    assert _shown(page.get("/console/reports/dealers/", period), "drop") == ["A"]
    # a period ending a month earlier sees B's two months and A's two: no alert at all
    earlier = {"date_from": month_add(months[0], -1).isoformat(),
               "date_to": (months[-1] - timedelta(days=1)).isoformat()}
    assert _shown(page.get("/console/reports/dealers/", earlier), "drop") == []


def test_dealer_filters_and_scope(store, people, network):
    period = {"date_from": network.date_from.isoformat(), "date_to": network.date_to.isoformat()}
    owner = browser(people.owner)
    assert sorted(_shown(owner.get("/console/reports/dealers/", {**period, "region": network.west.pk}),
                         "dealer")) == ["C", "E"]
    everyone = sorted(["A", "B", "C", "D", "E", store.dealer.code])
    by_tier = owner.get("/console/reports/dealers/", {**period, "tier": store.tier.pk})
    assert sorted(_shown(by_tier, "dealer")) == everyone
    other_tier = TierFactory(code="B", name="B")
    assert _shown(owner.get("/console/reports/dealers/", {**period, "tier": other_tier.pk}), "dealer") == []
    rep = UserFactory(email="rep@brand.test", full_name="", role="sales_rep")
    dealers.dealer_update(actor=people.owner, dealer=network.dealers["C"], sales_rep=rep)
    by_rep = owner.get("/console/reports/dealers/", {**period, "rep": rep.pk})
    assert _shown(by_rep, "dealer") == ["C"] and _shown(by_rep, "drop") == []
    assert by_rep.context["analysis"].report.totals == (4, Decimal("290.00"))
    manager = browser(network.manager)
    outside = manager.get("/console/reports/dealers/", {**period, "region": network.west.pk})
    assert outside.status_code == 400 and "Select a valid choice" in outside.content.decode()


# --- promotions --------------------------------------------------------------------------------------------------

@pytest.fixture
def promoted(store, people):
    """5 % off RB-250 for every dealer from ten days ago, budget 1,000; a draft one that starts in five days.
    Sales of RB-250 before it: 10 cans 15 days ago; during it: 20 cans 5 days ago, 4 (with 2 of RB-330) 2 days ago;
    X, a dealer of region East, buys 6 cans during it."""
    today = timezone.localdate()
    starts = timezone.make_aware(datetime.combine(today - timedelta(days=10), time.min))
    running = PromotionFactory(code="P1", name="红牛九五折", skus=[store.sku], starts_at=starts,
                               budget=Decimal("1000.00"), published=True, actor=people.owner)
    later = PromotionFactory(code="P2", name="下月新品", starts_at=starts + timedelta(days=15), actor=people.owner)
    east = RegionFactory(code="EASTP", name="华东")
    x, x_buyer = _dealer(store, "X", east)
    _order(store.dealer, store.buyer, today - timedelta(days=15), [(store.sku, 10)])
    _order(store.dealer, store.buyer, today - timedelta(days=12), [(store.water, 5)])
    first = _order(store.dealer, store.buyer, today - timedelta(days=5), [(store.sku, 20)])
    second = _order(store.dealer, store.buyer, today - timedelta(days=2), [(store.sku, 4), (store.water, 2)])
    third = _order(x, x_buyer, today - timedelta(days=1), [(store.sku, 6)])
    rollups_refresh(full=True)
    manager = UserFactory(email="eastp@brand.test", full_name="", role="regional_manager", scope_node=east)
    return type("Promoted", (), {"running": running, "later": later, "orders": [first, second, third], "x": x,
                                 "manager": manager, "today": today})()


def expected_promotion(actor, promotion, date_from: date, date_to: date) -> tuple:
    """(orders, spend, discount) from the usage ledger and the order lines."""
    visible = set(dealers_visible_to(actor).values_list("pk", flat=True))
    usages = [u for u in PromotionUsage.objects.filter(promotion=promotion)
              if date_from <= _local(u.created_at) <= date_to and u.dealer_id in visible]
    orders = Order.objects.filter(number__in=[u.order_ref for u in usages]).prefetch_related("lines")
    return (len(usages), sum((line.net for o in orders for line in o.lines.all()), Decimal(0)),
            sum((u.discount for u in usages), Decimal(0)))


def expected_uplift(actor, promotion, today: date) -> tuple[Decimal, Decimal]:
    first = _local(promotion.starts_at)
    length = (today - first).days + 1
    visible = set(dealers_visible_to(actor).values_list("pk", flat=True))
    during = before = Decimal(0)
    for line in OrderLine.objects.filter(sku__in=promotion.skus.all()).select_related("order"):
        day = _local(line.order.created_at)
        if line.order.dealer_id not in visible:
            continue
        if first <= day <= today:
            during += line.net
        elif first - timedelta(days=length) <= day < first:
            before += line.net
    return during, before


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_promotion_figures_equal_the_usage_ledger(store, people, promoted, language):
    today = promoted.today
    period = {"date_from": (today - timedelta(days=29)).isoformat(), "date_to": today.isoformat()}
    for user in (people.owner, promoted.manager):
        response = browser(user, language).get("/console/reports/promotions/", period)
        assert response.status_code == 200
        rows = {row.promotion.code: row for row in response.context["rows"]}
        assert sorted(rows) == ["P1"]  # P2 starts after the period
        p1 = rows["P1"]
        assert (p1.orders, p1.spend, p1.discount) == expected_promotion(user, promoted.running,
                                                                         today - timedelta(days=29), today)
        assert (p1.sales_during, p1.sales_before) == expected_uplift(user, promoted.running, today)
    owner = browser(people.owner, language).get("/console/reports/promotions/", period)
    p1 = owner.context["rows"][0]
    # by hand: 3 orders took 5 % off RB-250 (20, 4 and 6 cans at 5.00): 5.00 + 1.00 + 1.50 off
    assert (p1.orders, p1.discount) == (3, Decimal("7.50"))
    assert p1.spend == Decimal("95.00") + Decimal("19.00") + Decimal("12.00") + Decimal("28.50")
    assert (p1.sales_before, p1.sales_during) == (Decimal("50.00"), Decimal("142.50"))
    assert p1.uplift == Decimal("185.0") and p1.budget_share == Decimal("0.8")
    row = _row(owner, "promotion", "P1")
    assert _money(Decimal("7.50"), language) in row and _money(Decimal("154.50"), language) in row
    assert ">0.8%<" in row
    assert ">185.0%<" in _row(owner, "uplift", "P1")
    # the regional manager counts only X's order
    manager = browser(promoted.manager, language).get("/console/reports/promotions/", period).context["rows"][0]
    assert (manager.orders, manager.discount, manager.sales_before, manager.sales_during) == (
        1, Decimal("1.50"), Decimal("0.00"), Decimal("28.50"))
    assert manager.uplift is None
    # drill-down: the orders behind the figure
    orders = browser(people.owner, language).get(
        f"/console/reports/promotions/{promoted.running.pk}/orders/", period)
    assert sorted(_shown(orders, "order")) == sorted(o.number for o in promoted.orders)
    assert _shown(browser(promoted.manager).get(
        f"/console/reports/promotions/{promoted.running.pk}/orders/", period), "order") == [promoted.orders[2].number]
    # status and a period that reaches the draft's start
    ahead = {"date_from": period["date_from"], "date_to": (today + timedelta(days=30)).isoformat()}
    drafts = browser(people.owner).get("/console/reports/promotions/", {**ahead, "status": "draft"})
    assert [r.promotion.code for r in drafts.context["rows"]] == ["P2"]
    assert drafts.context["rows"][0].uplift is None and drafts.context["rows"][0].orders == 0
    assert browser(people.owner).get("/console/reports/promotions/", {"status": "nonsense"}).status_code == 400
    assert browser(people.owner).get("/console/reports/promotions/999999/orders/").status_code == 404


# --- pricing -----------------------------------------------------------------------------------------------------

@pytest.fixture
def protected(store, people):
    """W1: RB-250 for every dealer, five days either side of today; W2: every SKU for X (East) only. SH-1 buys
    10 cans of RB-250 three days ago; X 6 cans and a case of 24, and 3 cans of RB-330, two days ago. Then the
    base price of RB-250 goes from 5.00 to 4.00."""
    today = timezone.localdate()
    east = RegionFactory(code="EASTX", name="华东")
    x, x_buyer = _dealer(store, "X", east)
    w1 = ProtectionWindowFactory(name="W1", starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=5),
                                 skus=[store.sku], actor=people.owner)
    w2 = ProtectionWindowFactory(name="W2", starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=5),
                                 dealer=x, actor=people.owner)
    _order(store.dealer, store.buyer, today - timedelta(days=3), [(store.sku, 10)])
    _order(x, x_buyer, today - timedelta(days=2),
           [SubmitLine(store.sku.pk, None, 6), SubmitLine(store.sku.pk, store.case.pk, 1),
            SubmitLine(store.water.pk, None, 3)])
    pricing.price_entry_set(actor=people.owner, price_list=store.base, sku=store.sku, unit=store.can, price="4.00")
    manager = UserFactory(email="eastx@brand.test", full_name="", role="regional_manager", scope_node=east)
    return type("Protected", (), {"w1": w1, "w2": w2, "x": x, "manager": manager, "today": today})()


def expected_protection(actor, windows, cut: Decimal) -> dict[tuple[int, int], tuple]:
    """Per (window, dealer): (units, value, exposure, owed, booked), assigning each purchase as protection does."""
    visible = set(dealers_visible_to(actor).values_list("pk", flat=True))
    every = sorted(ProtectionWindow.objects.prefetch_related("skus"),
                   key=lambda w: (w.dealer_id is None, w.starts_on, w.pk))
    out: dict = {}
    for purchase in PurchaseRecord.objects.all():
        if purchase.dealer_id not in visible:
            continue
        day = _local(purchase.bought_at)
        for window in every:
            skus = {s.pk for s in window.skus.all()}
            if (window.dealer_id in (None, purchase.dealer_id) and (not skus or purchase.sku_id in skus)
                    and window.starts_on <= day <= window.ends_on):
                if window in windows:
                    factor = SkuUnit.objects.filter(sku_id=purchase.sku_id, unit_id=purchase.unit_id).first()
                    units, value, *rest = out.get((window.pk, purchase.dealer_id), (0, Decimal(0), 0, 0, 0))
                    out[(window.pk, purchase.dealer_id)] = (
                        units + purchase.quantity * (factor.factor if factor else 1),
                        value + purchase.quantity * purchase.unit_price, 0, 0, 0)
                break
    for key, (units, value, *_rest) in list(out.items()):
        out[key] = (units, value.quantize(Decimal("0.01")), (value * cut / 100).quantize(Decimal("0.01")),
                    Decimal(0), Decimal(0))
    for c in ProtectionCompensation.objects.filter(dealer_id__in=visible):
        units, value, exposure, owed, booked = out.get((c.window_id, c.dealer_id), (0, 0, 0, 0, 0))
        out[(c.window_id, c.dealer_id)] = (units, value, exposure, owed + (c.amount if c.status == "owed" else 0),
                                           booked + (c.amount if c.status == "booked" else 0))
    return out


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pricing_figures_equal_purchases_and_compensation(store, people, protected, language):
    today = protected.today
    query = {"date_from": (today - timedelta(days=30)).isoformat(), "date_to": today.isoformat(), "cut": "10"}
    for user in (people.owner, protected.manager):
        response = browser(user, language).get("/console/reports/pricing/", query)
        assert response.status_code == 200
        analysis = response.context["analysis"]
        expected = expected_protection(user, [protected.w1, protected.w2], Decimal(10))
        assert {(w.key, d.key): (c.units, c.value, c.exposure, c.owed, c.booked)
                for w, d, c in analysis.cells} == expected
        assert analysis.totals.owed == sum(v[3] for v in expected.values())
        assert analysis.totals.exposure == sum(v[2] for v in expected.values())
    owner = browser(people.owner, language).get("/console/reports/pricing/", query).context["analysis"]
    cells = {(w.label, d.key): c for w, d, c in owner.cells}
    # by hand: SH-1 under W1: 10 cans at 5.00, 1.00 cheaper now; X under its own W2: 6 cans + a case of 24 + 3 cans
    sh1 = cells[("W1", store.dealer.pk)]
    assert (sh1.units, sh1.value, sh1.exposure, sh1.owed) == (10, Decimal("50.00"), Decimal("5.00"),
                                                             Decimal("10.00"))
    x = cells[("W2", protected.x.pk)]
    assert (x.units, x.value, x.exposure) == (33, Decimal("168.00"), Decimal("16.80"))
    assert x.owed == sum(c.amount for c in ProtectionCompensation.objects.filter(dealer=protected.x)) > 0
    manager = browser(protected.manager, language).get("/console/reports/pricing/", query)
    assert {d.key for d in manager.context["analysis"].dealers} == {protected.x.pk}
    assert sorted(_shown(manager, "window")) == sorted([str(protected.w1.pk), str(protected.w2.pk)])
    page = browser(people.owner, language).get("/console/reports/pricing/", query)
    row = _row(page, "dealer", store.dealer.pk)
    assert _money(Decimal("10.00"), language) in row and _money(Decimal("5.00"), language) in row
    assert ("价格保护分析" if language == "zh-hans" else "Price protection analysis") in page.content.decode()
    # drill-down: the dealer's compensation rows; a dealer outside the manager's scope does not exist for them
    drill = browser(people.owner).get(f"/console/reports/pricing/dealers/{store.dealer.pk}/")
    assert len(_shown(drill, "compensation")) == ProtectionCompensation.objects.filter(dealer=store.dealer).count() == 1
    assert browser(protected.manager).get(f"/console/reports/pricing/dealers/{store.dealer.pk}/").status_code == 404
    assert browser(protected.manager).get(f"/console/reports/pricing/dealers/{protected.x.pk}/").status_code == 200
    assert browser(people.owner).get("/console/reports/pricing/", {"cut": "0"}).status_code == 400


# --- query counts ------------------------------------------------------------------------------------------------

def _counts(page, count_queries, urls) -> list[int]:
    counts = []
    for url, params in urls:
        with count_queries() as queries:
            assert page.get(url, params).status_code == 200
        counts.append(len(queries.sql))
    return counts


def test_pages_cost_a_constant_number_of_queries(store, people, count_queries):
    today = timezone.localdate()
    period = {"date_from": (today - timedelta(days=60)).isoformat(), "date_to": today.isoformat()}
    urls = [("/console/reports/inventory/", period), ("/console/reports/dealers/", period),
            ("/console/reports/promotions/", period), ("/console/reports/pricing/", period)]

    def more(tag: str):
        region = RegionFactory(code=f"R{tag}", name=f"区{tag}")
        dealer, buyer = _dealer(store, f"Q{tag}", region)
        sku = SkuFactory(product=store.sku.product, code=f"S{tag}", name=f"新品{tag}", base_unit=store.can)
        PriceEntryFactory(price_list=store.base, sku=sku, unit=store.can, price="3.00")
        warehouse = WarehouseFactory(code=f"WH{tag}", name=f"仓{tag}", territories=[store.shanghai],
                                     stock={sku: 50, store.sku: 50})
        PromotionFactory(code=f"PR{tag}", skus=[sku], starts_at=timezone.now() - timedelta(days=3), published=True,
                         actor=people.owner)
        ProtectionWindowFactory(name=f"W{tag}", starts_on=today - timedelta(days=5), ends_on=today, dealer=dealer,
                                actor=people.owner)
        order = _order(dealer, buyer, today - timedelta(days=1), [(sku, 5), (store.sku, 2)])
        fulfillment.order_allocate(actor=people.warehouse, order=order)
        ship_everything(order, people)
        return warehouse

    more("1")
    rollups_refresh()
    page = browser(people.owner)
    page.get(urls[0][0])
    few = _counts(page, count_queries, urls)
    for tag in ("2", "3", "4", "5"):
        more(tag)
    rollups_refresh()
    many = _counts(page, count_queries, urls)
    assert many == few
    print("queries (inventory, dealers, promotions, pricing):", few)


def test_long_tables_show_their_first_rows_and_say_so(store, people, monkeypatch):
    monkeypatch.setattr(inventory_analysis, "SHOWN", 2)
    response = browser(people.owner).get("/console/reports/inventory/")
    assert len(_shown(response, "stock")) == 2 and len(response.context["analysis"].rows) == 4
    assert "The first 2 of 4 rows" in response.content.decode()
    assert response.context["analysis"].totals.on_hand == 300  # the totals count every row
