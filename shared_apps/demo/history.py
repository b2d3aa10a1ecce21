"""A year of past orders for the demo brands (ending yesterday), so that every report and chart has something to say.

What it looks like: every active dealer orders every 1-3 weeks from its own assortment (together the dealers order
every SKU on sale); quantities follow the trade's seasons (Acme's drinks peak in summer, with a stock-up before the
Chinese New Year and a quiet holiday week; Globex's tiles in the spring and autumn building seasons); a few SKUs
trend up over the year; the North region declines, two of its dealers falling sharply in the last two months (the
dealer drop alerts); two dealers have been dormant for three months; two new dealers started four months ago and
are ramping up; two city dealers order like clockwork (the same SKUs in the same quantities every 14 days, the last
11 days ago: their replenishment suggestions read naturally), and a few pairs of SKUs are bought together (PAIRS: a
cola and its zero-sugar cola, a floor tile and its matching wall tile). Most orders were shipped, delivered and
confirmed (completed); some were cancelled; a few completed ones had a return received. Two past promotions (a
season's 满减 and a New Year percentage), made and published through the promotions services and unpublished when
they ended, discounted the orders of their windows.

Why in bulk, not through order_submit and the fulfilment services: the seed's own orders take ~0.2 s each through
submit, approve, allocate, ship, deliver and confirm (measured on the orders shared_apps.demo.orders makes), so a
year of ~1,250 orders per brand would add ~8 minutes to `make run` (in bulk: ~2 s a brand); and no service takes a
date, while every row of a history must be dated in the past. So the rows are written here in a few INSERTs per table
(one transaction), as the services would have written them, dated on the order's own timeline:

    orders         numbers in the submission's format (SO<yymmdd><id>), lines with gross, discount and net, the
                   frozen breakdown (the promotions applied with their allocations), submitted/approved/closed and
                   created/updated in the past, status completed or cancelled; reservations (used up, 0 left)
    timeline       OrderEvent rows: submitted, approved, allocated, shipment picked and left, shipped, delivered,
                   completed (or cancelled with a reason); returns requested and received
    audit          an entry per transition, as order_transition writes them (ordering.order.*)
    fulfilment     a shipment per warehouse (delivered, with a carrier, a tracking number and tracking events),
                   its lines; returns received, with their lines, the order lines' returned quantity up
    stock          the ledger as the inventory services write it: a reservation at submission, a shipment (on hand
                   and reserved down) or a release at cancellation, a return back on hand; and receipts: an opening
                   stock a year ago and each month's replenishment, so that each stock row's on hand is still the
                   sum of its ledger (the rows are raised by what the history's ledger adds) and never went below
                   zero in the past
    promotions     PromotionUsage rows of the discounts given

Not written: the dealers' finance for these orders (charges, receivables, payments). The history was settled before
the demo's finance ledger starts (as the rebate's last quarter, shared_apps.demo.finance): statements chain the
ledger by id, so past entries cannot be added after this month's.

Buyers: an order is placed by one of the dealer's people; a dealer without one gets a buyer (dealer_buyer) through
the accounts services, without a usable password.

Idempotent: written once, with the past promotions (their code HISTORY_MARK marks a written history); the
rollups are brought up to date after it (tenant_apps.reporting.services.rollups_refresh).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from math import exp

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.demo.finance import demo_dealers
from shared_apps.demo.fulfillment import say, seed_carriers
from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.audit.services import actor_label, person_label
from tenant_apps.catalog.models import Sku
from tenant_apps.core.bulk import ids_take
from tenant_apps.core.money import format_money, tenant_currency
from tenant_apps.core.prepared import pg_array
from tenant_apps.dealers.models import Dealer, DealerAddress, Node
from tenant_apps.fulfillment.models import (
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from tenant_apps.inventory.models import Stock, StockMovement, Warehouse
from tenant_apps.ordering.models import Order, OrderEvent, OrderLine, OrderReservation
from tenant_apps.ordering.submission import warehouse_ranks
from tenant_apps.pricing.selectors import dealer_prices
from tenant_apps.promotions import services as promotion_services
from tenant_apps.promotions.models import Promotion, PromotionUsage

HISTORY_MARK = "HIST-NEWYEAR"  # the past New Year promotion: its existence says the history is written
DAYS = 365
CENT = Decimal("0.01")
# The Chinese New Year (the Spring Festival's first day).
NEW_YEAR = {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
            2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
            2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19),
            2035: date(2035, 2, 8)}
# Each month's demand against the year's average: drinks in summer, tiles in the building seasons.
SEASON = {"acme": (0.95, 0.8, 0.9, 1.0, 1.2, 1.5, 1.75, 1.65, 1.2, 1.0, 0.85, 0.9),
          "globex": (0.8, 0.55, 1.2, 1.4, 1.3, 1.0, 0.9, 0.9, 1.3, 1.4, 1.3, 1.0)}
# An order's worth for a city dealer (tier C) in an average month; agents and better tiers order more.
ORDER_VALUE = {"acme": Decimal("3000"), "globex": Decimal("30000")}
TIER_SIZE = {"A": 4.0, "B": 1.6, "C": 1.0}
DECLINING_REGION = "NORTH"
# Co-purchased pairs (SKU codes): bought together on most orders that hold either (the recommendations' "often
# bought together"): Acme's cola with its zero-sugar cola, the energy drink with its sugar-free one, jasmine tea with
# unsweetened green tea; Globex's floor tile with the wall tile of the same bathroom (Carrara White and Metro Gloss
# White, Terra Cotto and Glaze Terracotta, Lumen Graphite and Metro Gloss Black).
PAIRS = {"acme": (("POP-01-3", "POP-02-3"), ("POWER-01-1", "POWER-02-1"), ("LEAF-01-3", "LEAF-03-3")),
         "globex": (("CARRARA-01-3", "METRO-01-3"), ("TERRA-01-3", "GLAZE-03-3"), ("LUMEN-05-2", "METRO-05-3"))}
PAIRED = 0.85  # an order holding one of a pair holds the other this often (where the dealer can order both)
REGULAR_EVERY, REGULAR_LAST = 14, 11  # the two regular dealers: an order every 14 days, the last 11 days ago
CANCEL_REASONS = [("下错单", "Ordered by mistake"), ("数量有误，重新下单", "Wrong quantities, ordering again"),
                  ("客户取消了订单", "Our customer cancelled")]
RETURN_REASONS = [(ReturnReason.DAMAGED, "运输途中破损", "Damaged in transit"),
                  (ReturnReason.WRONG_ITEM, "发错规格", "Wrong size delivered"),
                  (ReturnReason.DEFECTIVE, "质量问题", "Quality problem")]
WORDS = {
    "acme": {"season": ("夏日畅饮季 满3000减150", "Summer drinks season"), "season_months": (6, 8),
             "season_rule": (Decimal("3000"), Decimal("150")),
             "new_year": ("春节备货 98 折", "Chinese New Year stock-up: 2% off")},
    "globex": {"season": ("春季装修季 满30000减1500", "Spring building season: CN¥1,500 off CN¥30,000"),
               "season_months": (3, 5), "season_rule": (Decimal("30000"), Decimal("1500")),
               "new_year": ("春节备货 98 折", "Lunar New Year stock-up: 2% off")},
}


@dataclass
class _Line:
    sku: Sku
    quantity: int
    priced: object  # pricing's PricedLine of one base unit
    warehouse_id: int
    stock_id: int
    gross: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    id: int | None = None
    row: dict | None = None  # the order line as written


@dataclass
class _Order:
    dealer: Dealer
    buyer: User
    at: datetime
    lines: list[_Line]
    cancelled: str = ""  # the reason
    promotions: list[tuple[Promotion, Decimal, str]] = field(default_factory=list)  # (promotion, off, explanation)
    returned: bool = False


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def rows_insert(model, rows: list[dict]) -> None:
    """Rows of one model (dicts of column attribute names; a missing one takes the field's default) in one INSERT,
    every column as one array parameter, as tenant_apps.core.bulk does, but with the rows' own timestamps (bulk_create
    and core.bulk stamp auto_now(_add) fields with now) and without a model instance per row (most of the time)."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if "id" in rows[0] or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    params = []
    for f in fields:  # pg_array writes ints, decimals, strings, datetimes, None, and dicts and lists as JSON
        default = None if f.primary_key else f.get_default()
        params.append(pg_array([row.get(f.attname, default) for row in rows]))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) SELECT * FROM unnest({casts})",  # noqa: S608 - names from the model
                       params)


def _window(start: date, end: date, first: date, last: date) -> tuple[date, date] | None:
    first, last = max(first, start), min(last, end)
    return (first, last) if first < last else None


def _moment(day: date, hour: float) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min)) + timedelta(hours=hour)


def _past_promotions(brand_slug: str, admin: User, start: date, end: date) -> list[tuple[Promotion, date, date]]:
    """The season's 满减 and the New Year's percentage of the past year, through the promotions services: made,
    published, then unpublished when they ended (a promotion that has ended cannot be published, so each is
    published with its end ahead and given its past window once unpublished). The New Year's is the mark."""
    w = WORDS.get(brand_slug, WORDS["acme"])
    made = []
    months = w["season_months"]
    season = None
    for year in (end.year, end.year - 1):
        season = _window(start, end, date(year, months[0], 1),
                         (date(year, months[1] + 1, 1) - timedelta(days=1)))
        if season and season[1] - season[0] > timedelta(days=30):
            break
    new_year = next((day for day in sorted(NEW_YEAR.values(), reverse=True)
                     if start + timedelta(days=7) < day <= end), None)  # (a year can lack one: 354-384 days apart)
    threshold, off = w["season_rule"]
    plans = []
    if season:
        plans.append(("HIST-SEASON", say(*w["season"]), "threshold",
                      {"steps": [{"threshold": str(threshold), "off": str(off)}]}, season))
    if new_year:
        plans.append((HISTORY_MARK, say(*w["new_year"]), "percent", {"percent": "2"},
                      (max(start, new_year - timedelta(days=28)), new_year - timedelta(days=1))))
    for code, name, kind, rule, (first, last) in plans:
        promotion = promotion_services.promotion_create(
            actor=admin, code=code, name=name, kind=kind, rule=rule, starts_at=_moment(first, 0),
            ends_at=timezone.now() + timedelta(days=1), priority=3)
        promotion_services.promotion_publish(actor=admin, promotion=promotion, reason="demo")
        promotion_services.promotion_unpublish(actor=admin, promotion=promotion, reason=say("活动结束", "Ended"))
        promotion = promotion_services.promotion_update(actor=admin, promotion=promotion,
                                                        ends_at=_moment(last + timedelta(days=1), 0))
        made.append((promotion, first, last))
    if not any(promotion.code == HISTORY_MARK for promotion, _f, _l in made):  # no New Year in the year: mark it
        promotion = promotion_services.promotion_create(
            actor=admin, code=HISTORY_MARK, name=say(*w["new_year"]), kind="percent", rule={"percent": "2"},
            starts_at=_moment(start, 0), ends_at=_moment(start + timedelta(days=1), 0))
    return made


def _buyers(dealers: list[Dealer], brand_slug: str) -> dict[int, User]:
    """Who places each dealer's orders: its owner or a buyer, one made (no usable password) where it has none."""
    people = {}
    for user in User.objects.filter(dealer__in=dealers, role__in=("dealer_owner", "dealer_buyer"),
                                    is_active=True).order_by("pk"):
        people.setdefault(user.dealer_id, user)
    unusable = make_password(None)
    for dealer in dealers:
        if dealer.pk not in people:
            people[dealer.pk] = account_services.user_create(
                actor=None, email=f"buyer.{dealer.code.lower()}@{brand_slug}.test", password="",
                password_hash=unusable, full_name=say(f"{dealer.name} 采购", f"{dealer.name} purchasing"),
                role="dealer_buyer", dealer=dealer)
    return people


def _region_of(dealers: list[Dealer]) -> dict[int, str]:
    regions = list(Node.objects.filter(kind=Node.Kind.REGION).values_list("path", "code"))
    found = {}
    for dealer in dealers:
        path = str(dealer.node.path)
        found[dealer.pk] = next((code for region, code in regions
                                 if path == str(region) or path.startswith(f"{region}.")), "")
    return found


@transaction.atomic
def seed_history(*, brand_slug: str) -> int:
    """A year of past orders (see the module); the number of orders written (0 when the history is there)."""
    if Promotion.objects.filter(code=HISTORY_MARK).exists():
        return 0
    admin = User.objects.filter(email=f"admin@{brand_slug}.test").first()
    dealers = list(Dealer.objects.filter(status="active").select_related("node", "tier").order_by("code"))
    skus = list(Sku.objects.filter(status="on_sale").order_by("code"))
    if admin is None or not dealers or not skus or not DealerAddress.objects.filter(dealer__in=dealers).exists():
        return 0
    rng = random.Random(f"demo-history-{brand_slug}")
    today = timezone.localdate()
    start, end = today - timedelta(days=DAYS), today - timedelta(days=1)
    now = timezone.now()
    promotions = _past_promotions(brand_slug, admin, start, end)
    region = _region_of(dealers)
    carriers = seed_carriers(actor=admin)
    warehouses = {w.pk: w for w in Warehouse.objects.all()}
    stocks = {(sku, wh): pk for pk, sku, wh in Stock.objects.values_list("pk", "sku_id", "warehouse_id")}
    addresses = {}
    for a in DealerAddress.objects.filter(dealer__in=dealers, kind="shipping").select_related("territory").order_by(
            "-is_default", "id"):
        addresses.setdefault(a.dealer_id, {
            "id": a.pk, "label": a.label, "recipient": a.recipient, "phone": a.phone, "area": a.territory.name,
            "line": a.line, "postal_code": a.postal_code, "outside_territory": a.outside_territory})

    buyers = _buyers([d for d in dealers if d.pk in addresses], brand_slug)

    # Who does what: the declining region, its two falling dealers, two dormant dealers and two new ones (city
    # dealers, not the dealers the finance demo shows).
    shown = {dealer.pk for dealer in demo_dealers(brand_slug).values()}
    city = [d for d in dealers if d.tier.code != "A" and d.pk in addresses and d.pk not in shown]
    falling = [d.pk for d in city if region[d.pk] == DECLINING_REGION][:2]
    others = [d.pk for d in city if region[d.pk] != DECLINING_REGION]
    picked = rng.sample(others, 4) if len(others) >= 4 else []
    dormant, new = set(picked[:2]), set(picked[2:])
    calm = [pk for pk in others if pk not in picked]
    regular = set(random.Random(f"demo-regular-{brand_slug}").sample(calm, 2)) if len(calm) >= 2 else set()
    trending = {sku.pk for sku in rng.sample(skus, min(6, len(skus)))}
    code_of = {sku.code: sku.pk for sku in skus}
    pairs = [(code_of[a], code_of[b]) for a, b in PAIRS.get(brand_slug, ()) if a in code_of and b in code_of]
    paired = {sku_id for pair in pairs for sku_id in pair}

    # Assortments: every SKU on sale is some dealer's own (dealt round the dealers; a SKU a dealer has no price for
    # goes to the next that has one), and each dealer also orders its favourites and the trending SKUs.
    ordering = [d for d in dealers if d.pk in addresses]
    by_pk = {sku.pk: sku for sku in skus}
    homes_of = defaultdict(list)
    for sku_id, warehouse_id in stocks:
        homes_of[sku_id].append(warehouse_id)
    ranks = {dealer.pk: warehouse_ranks(dealer) for dealer in ordering}
    mine: dict[int, dict[int, tuple]] = defaultdict(dict)  # dealer -> sku -> (sku, price, warehouse)

    def offer(dealer, sku_ids) -> set[int]:
        """Price these SKUs for the dealer and add those it can order to its range; the ones added."""
        added = set()
        for sku_id, priced in dealer_prices(dealer, sorted(sku_ids)).items():
            homes = sorted((ranks[dealer.pk][wh], wh) for wh in homes_of[sku_id] if wh in ranks[dealer.pk])
            if homes:
                mine[dealer.pk][sku_id] = (by_pk[sku_id], priced, homes[0][1])
                added.add(sku_id)
        return added

    dealt = list(by_pk)
    rng.shuffle(dealt)
    own = {dealer.pk: dealt[index::len(ordering)] for index, dealer in enumerate(ordering)}
    for dealer in ordering:
        favourites = {sku.pk for sku in rng.sample(skus[:120], min(12, len(skus)))} | trending | paired
        own[dealer.pk] = sorted(offer(dealer, set(own[dealer.pk]) | favourites) & set(own[dealer.pk]))
    missing = set(by_pk) - {sku_id for dealer in ordering for sku_id in own[dealer.pk]}
    for dealer in ordering:
        if not missing:
            break
        taken = offer(dealer, missing)
        own[dealer.pk] += sorted(taken)
        missing -= taken

    orders: list[_Order] = []
    season = SEASON.get(brand_slug, SEASON["acme"])
    value = ORDER_VALUE.get(brand_slug, ORDER_VALUE["acme"])
    for dealer in ordering:
        if not mine[dealer.pk]:
            continue
        mine_list = [mine[dealer.pk][sku_id] for sku_id in sorted(mine[dealer.pk])]
        own_list = [mine[dealer.pk][sku_id] for sku_id in own[dealer.pk]]
        if dealer.pk in regular:
            orders += _regular_orders(dealer, buyers[dealer.pk], own_list or mine_list[:6], stocks, start=start,
                                      today=today, size=TIER_SIZE.get(dealer.tier.code, 1.0), value=value)
            continue
        turn = 0
        low, high = rng.choice([(7, 10), (10, 16), (14, 21)]) if dealer.tier.code != "A" else (6, 9)
        first = today - timedelta(days=rng.randint(105, 125)) if dealer.pk in new else start
        stop = today - timedelta(days=rng.randint(92, 110)) if dealer.pk in dormant else end
        day = first + timedelta(days=rng.randint(0, low))
        size = TIER_SIZE.get(dealer.tier.code, 1.0)
        while day <= stop:
            progress = (day - start).days / DAYS
            factor = season[day.month - 1] * size * exp(rng.gauss(0, 0.2))
            new_year = NEW_YEAR.get(day.year if day.month < 7 else day.year + 1)
            if new_year and timedelta(days=3) <= new_year - day <= timedelta(days=25):
                factor *= 1.6 if brand_slug == "acme" else 1.3  # the stock-up before the holiday
            elif new_year and timedelta(0) <= day - new_year <= timedelta(days=7):
                factor *= 0.4  # the holiday week
            if region[dealer.pk] == DECLINING_REGION:
                factor *= 1.2 - 0.8 * progress  # down to a third of its start by now
                if dealer.pk in falling and (today - day).days <= 60:
                    factor *= 0.3
            if dealer.pk in new:
                factor *= 0.3 + 0.9 * min(1.0, (day - first).days / 100)
            count = min(len(mine_list), rng.randint(3, 7))
            # two of its own SKUs in turn (so every SKU is ordered in the year), the rest from its range
            first_two = [own_list[(turn + n) % len(own_list)] for n in range(min(2, len(own_list)))]
            turn += len(first_two)
            taken = {entry[0].pk for entry in first_two}
            rest = [entry for entry in mine_list if entry[0].pk not in taken]
            lines = []
            for sku, priced, warehouse_id in first_two + rng.sample(rest, max(0, min(len(rest),
                                                                                    count - len(first_two)))):
                step = max(sku.min_order_qty, sku.order_step)
                worth = value * Decimal(factor * rng.uniform(0.6, 1.4) / count)
                if sku.pk in trending:
                    worth *= Decimal(0.5 + 1.8 * progress)
                quantity = step * max(1, int(worth / max(priced.unit_price * step, CENT)))
                lines.append(_Line(sku=sku, quantity=quantity, priced=priced, warehouse_id=warehouse_id,
                                   stock_id=stocks[sku.pk, warehouse_id]))
            at = _moment(day, rng.uniform(8.5, 17.5))
            if at < now - timedelta(hours=2):
                cancelled = say(*rng.choice(CANCEL_REASONS)) if rng.random() < 0.045 else ""
                orders.append(_Order(dealer=dealer, buyer=buyers[dealer.pk], at=at, lines=lines, cancelled=cancelled))
            day += timedelta(days=rng.randint(low, high))
    if not orders:
        return 0
    _pair_up(orders, pairs, mine, stocks, regular=regular, rng=random.Random(f"demo-pairs-{brand_slug}"))
    orders.sort(key=lambda o: o.at)
    # A SKU of a dealer whose few orders missed it (or were cancelled): on that dealer's latest order that went out.
    sold = {line.sku.pk for o in orders if not o.cancelled for line in o.lines}
    for sku_id in sorted(set(by_pk) - sold):
        for o in reversed(orders):
            entry = mine[o.dealer.pk].get(sku_id)
            if entry is not None and not o.cancelled and o.dealer.pk not in regular:  # (the regular keep theirs)
                sku, priced, warehouse_id = entry
                step = max(sku.min_order_qty, sku.order_step)
                o.lines.append(_Line(sku=sku, quantity=step * max(1, int(value / 5 / max(priced.unit_price * step,
                                                                                             CENT))),
                                     priced=priced, warehouse_id=warehouse_id, stock_id=stocks[sku_id, warehouse_id]))
                break
    _price(orders, promotions)
    for o in orders:
        o.returned = not o.cancelled and (now - o.at).days > 20 and rng.random() < 0.02
    _write(orders, rng=rng, now=now, addresses=addresses, carriers=carriers, warehouses=warehouses, admin=admin,
           start=start)
    return len(orders)


def _quantity(sku: Sku, priced, worth: Decimal) -> int:
    step = max(sku.min_order_qty, sku.order_step)
    return step * max(1, int(worth / max(priced.unit_price * step, CENT)))


def _regular_orders(dealer: Dealer, buyer: User, basket: list[tuple], stocks, *, start: date, today: date,
                    size: float, value: Decimal) -> list[_Order]:
    """A dealer ordering like clockwork: its basket (its own SKUs) in the same quantities every REGULAR_EVERY days,
    at ten in the morning, the last REGULAR_LAST days ago, back to the history's start."""
    worth = value * Decimal(size) / max(len(basket), 1)
    lines = [(sku, _quantity(sku, priced, worth), priced, warehouse_id) for sku, priced, warehouse_id in basket]
    made = []
    day = today - timedelta(days=REGULAR_LAST)
    while day >= start:
        made.append(_Order(dealer=dealer, buyer=buyer, at=_moment(day, 10), lines=[
            _Line(sku=sku, quantity=quantity, priced=priced, warehouse_id=warehouse_id,
                  stock_id=stocks[sku.pk, warehouse_id]) for sku, quantity, priced, warehouse_id in lines]))
        day -= timedelta(days=REGULAR_EVERY)
    return made


def _pair_up(orders: list[_Order], pairs: list[tuple[int, int]], mine, stocks, *, regular: set[int], rng) -> None:
    """Bring each pair together: an order (not a regular dealer's) holding one SKU of a pair gets the other, at the
    same quantity in its own steps, PAIRED of the time, where the dealer can order it."""
    partner = {a: b for a, b in pairs} | {b: a for a, b in pairs}
    for o in orders:
        if o.dealer.pk in regular:
            continue
        held = {line.sku.pk: line for line in o.lines}
        for sku_id, line in list(held.items()):
            other = partner.get(sku_id)
            entry = mine[o.dealer.pk].get(other)
            if other is None or other in held or entry is None or rng.random() >= PAIRED:
                continue
            sku, priced, warehouse_id = entry
            step = max(sku.min_order_qty, sku.order_step)
            held[other] = _Line(sku=sku, quantity=step * max(1, -(-line.quantity // step)), priced=priced,
                                warehouse_id=warehouse_id, stock_id=stocks[sku.pk, warehouse_id])
            o.lines.append(held[other])


def _price(orders: list[_Order], promotions) -> None:
    """Gross per line at the dealer's price; the promotions of the order's day, their discount shared over the
    lines by worth (the last line takes the rounding), as the quote allocates it."""
    currency = tenant_currency()
    for o in orders:
        for line in o.lines:
            line.gross = _money(line.priced.unit_price * line.quantity)
        subtotal = sum(line.gross for line in o.lines)
        for promotion, first, last in promotions:
            if not first <= timezone.localdate(o.at) <= last:
                continue
            if promotion.kind == "threshold":
                step = promotion.rule["steps"][0]
                threshold, off = Decimal(step["threshold"]), Decimal(step["off"])
                if subtotal < threshold:
                    continue
                money = lambda amount: format_money(amount, currency)  # noqa: E731
                explanation = f"Spend {money(subtotal)}: {money(off)} off from {money(threshold)}"
            else:
                percent = Decimal(promotion.rule["percent"])
                off = _money(subtotal * percent / 100)
                explanation = f"{percent.normalize()}% off"
            if off <= 0:
                continue
            o.promotions.append((promotion, off, explanation))


def _allocations(o: _Order) -> list[dict[str, str]]:
    """Each promotion's discount per line number, summing to it; the lines' discounts set."""
    subtotal = sum(line.gross for line in o.lines) or Decimal(1)
    shares = []
    for _promotion, off, _explanation in o.promotions:
        left, share = off, {}
        for number, line in enumerate(o.lines, start=1):
            part = left if number == len(o.lines) else min(left, _money(off * line.gross / subtotal))
            left -= part
            line.discount += part
            share[str(number)] = str(part)
        shares.append(share)
    return shares


def _write(orders: list[_Order], *, rng, now, addresses, carriers, warehouses, admin, start) -> None:
    currency = tenant_currency()
    shipments_needed = sum(len({line.warehouse_id for line in o.lines}) for o in orders if not o.cancelled)
    ids = ids_take(orders=(Order, len(orders)), lines=(OrderLine, sum(len(o.lines) for o in orders)),
                   shipments=(Shipment, shipments_needed), returns=(ReturnRequest, sum(o.returned for o in orders)))
    order_ids, line_ids, shipment_ids, return_ids = (iter(ids[k]) for k in ("orders", "lines", "shipments", "returns"))
    rows = defaultdict(list)
    on_hand = defaultdict(int)  # stock id -> what the history's ledger adds
    shipped_by_month = defaultdict(int)  # (stock id, first of month) -> units shipped
    people = {}

    def who(actor) -> tuple:
        """(id, timeline label, audit label) of a person (None: the system)."""
        key = getattr(actor, "pk", None)
        if key not in people:
            people[key] = (key, person_label(actor), actor_label(actor))
        return people[key]

    def event(order, actor, at, kind, message="", before="", after="", data=None):
        actor_id, label, _audit_label = who(actor)
        rows[OrderEvent].append({"order_id": order["id"], "actor_id": actor_id, "actor_label": label, "kind": kind,
                                 "from_status": before, "to_status": after, "message": message, "data": data or {},
                                 "at": at})

    def audit(order, actor, at, action, before, after, reason=""):
        actor_id, _label, audit_label = who(actor)
        rows[AuditEntry].append({"action": f"ordering.order.{action}", "actor_id": actor_id,
                                 "actor_label": audit_label, "target_type": "ordering.order",
                                 "target_id": str(order["id"]), "dealer_id": order["dealer_id"], "before": before,
                                 "after": after, "reason": reason, "created_at": at})

    def movement(stock_id, kind, at, reference, actor=None, on_hand_delta=0, reserved_delta=0, reason=""):
        on_hand[stock_id] += on_hand_delta
        actor_id, _label, audit_label = who(actor)
        rows[StockMovement].append({"stock_id": stock_id, "kind": kind, "on_hand_delta": on_hand_delta,
                                    "reserved_delta": reserved_delta, "reference": reference, "reason": reason,
                                    "actor_id": actor_id, "actor_label": audit_label, "created_at": at})

    for o in orders:
        order_id = next(order_ids)
        shares = _allocations(o)
        subtotal = sum(line.gross for line in o.lines)
        discount = sum(line.discount for line in o.lines)
        order = {"id": order_id, "number": f"SO{timezone.localtime(o.at):%y%m%d}{order_id:07d}",
                 "dealer_id": o.dealer.pk, "placed_by_id": o.buyer.pk, "currency": currency, "subtotal": subtotal,
                 "discount_total": discount, "total": subtotal - discount, "shipping_address": addresses[o.dealer.pk],
                 "revision": 1, "submitted_at": o.at, "created_at": o.at, "coupon_codes": [], "note": "",
                 "breakdown": {
                     "at": o.at.isoformat(), "notes": [],
                     "promotions": [{"id": p.pk, "name": p.name, "kind": p.kind, "discount": str(off),
                                     "coupon_code": "", "explanation": explanation, "allocations": share}
                                    for (p, off, explanation), share in zip(o.promotions, shares, strict=True)]}}
        number = order["number"]
        rows[Order].append(order)
        for promotion, off, _explanation in o.promotions:
            rows[PromotionUsage].append({"promotion_id": promotion.pk, "dealer_id": o.dealer.pk, "order_ref": number,
                                         "discount": off, "created_at": o.at})
        for line_no, line in enumerate(o.lines, start=1):
            line.id = next(line_ids)
            p = line.priced
            line.row = {"id": line.id, "order_id": order_id, "line_no": line_no, "sku_id": line.sku.pk,
                        "unit_id": line.sku.base_unit_id, "quantity": line.quantity, "factor": 1,
                        "unit_price": p.unit_price, "gross": line.gross, "discount": line.discount,
                        "net": line.gross - line.discount, "price_source": p.price_source,
                        "price_rule": p.price_rule[:200], "price_list_id": p.price_list_id, "reserved_base": 0,
                        "shipped_base": 0 if o.cancelled else line.quantity, "returned_base": 0}
            rows[OrderLine].append(line.row)
            rows[OrderReservation].append({"order_id": order_id, "line_id": line.id, "sku_id": line.sku.pk,
                                           "warehouse_id": line.warehouse_id, "quantity": 0})
            movement(line.stock_id, "reservation", o.at, number, actor=o.buyer, reserved_delta=line.quantity)
        buyer = o.buyer
        event(order, buyer, o.at, "transition", _("Submitted"), "draft", "submitted",
              {"lines": len(o.lines), "total": str(order["total"]), "revision": 1})
        audit(order, buyer, o.at, "submitted", {"status": "draft"},
              {"lines": len(o.lines), "total": str(order["total"]), "status": "submitted", "revision": 1})
        if o.cancelled:
            at = min(o.at + timedelta(hours=rng.uniform(0.5, 20)), now - timedelta(minutes=30))
            order.update(status="cancelled", closed_at=at, updated_at=at)
            event(order, buyer, at, "transition", o.cancelled, "submitted", "cancelled")
            audit(order, buyer, at, "cancel", {"status": "submitted"}, {"status": "cancelled"}, o.cancelled)
            for line in o.lines:
                movement(line.stock_id, "release", at, number, actor=buyer, reserved_delta=-line.quantity,
                         reason=f"{_('cancelled')}: {o.cancelled}"[:255])
            continue
        # The order's timeline in hours after submission (shortened for the last days' orders, done by now).
        hours = [rng.uniform(1, 4)]  # approved by HQ
        hours.append(hours[-1] + rng.uniform(0.5, 2))  # allocated, picking starts
        hours.append(hours[-1] + rng.uniform(14, 24))  # left the warehouse
        hours.append(hours[-1] + rng.uniform(30, 70))  # delivered
        hours.append(hours[-1] + rng.uniform(2, 40))  # receipt confirmed
        room = (now - timedelta(minutes=30) - o.at).total_seconds() / 3600
        if hours[-1] > room:
            hours = [h * room / hours[-1] for h in hours]
        approved, allocated, left, delivered, completed = (o.at + timedelta(hours=h) for h in hours)
        order.update(status="completed", approved_at=approved, closed_at=completed, updated_at=completed)
        event(order, admin, approved, "transition", _("Every approval step is done."), "submitted", "approved")
        audit(order, admin, approved, "approve", {"status": "submitted"}, {"status": "approved"},
              _("Every approval step is done."))
        event(order, None, allocated, "transition", "", "approved", "allocated")
        audit(order, None, allocated, "allocate", {"status": "approved"}, {"status": "allocated"})
        by_warehouse = defaultdict(list)
        for line in o.lines:
            by_warehouse[line.warehouse_id].append(line)
        for count, (warehouse_id, lines) in enumerate(sorted(by_warehouse.items()), start=1):
            warehouse, carrier = warehouses[warehouse_id], carriers[(order_id + count) % len(carriers)]
            shipment = {"id": next(shipment_ids), "order_id": order_id, "warehouse_id": warehouse_id,
                        "number": f"{number}-S{count}", "carrier_id": carrier.pk, "status": "delivered",
                        "tracking_number": f"{carrier.code.upper()}{order_id:06d}{count:02d}",
                        "created_at": allocated, "shipped_at": left, "delivered_at": delivered}
            rows[Shipment].append(shipment)
            event(order, None, allocated, "shipment",
                  _("Shipment %(number)s is being picked at %(warehouse)s.")
                  % {"number": shipment["number"], "warehouse": warehouse.name},
                  data={"shipment": shipment["number"], "status": "picking",
                        "units": sum(line.quantity for line in lines)})
            event(order, None, left, "shipment", _("Shipment %(number)s left %(warehouse)s%(with)s.") % {
                "number": shipment["number"], "warehouse": warehouse.name,
                "with": _(" with %(carrier)s, tracking number %(tracking)s")
                % {"carrier": carrier.name, "tracking": shipment["tracking_number"]}},
                data={"shipment": shipment["number"], "status": "shipped", "carrier": carrier.code,
                      "tracking_number": shipment["tracking_number"]})
            for line in lines:
                rows[ShipmentLine].append({"shipment_id": shipment["id"], "order_line_id": line.id,
                                           "quantity": line.quantity})
                movement(line.stock_id, "shipment", left, shipment["number"], on_hand_delta=-line.quantity,
                         reserved_delta=-line.quantity)
                shipped_by_month[line.stock_id, timezone.localdate(left).replace(day=1)] += line.quantity
            rows[TrackingEvent].append({
                "shipment_id": shipment["id"], "status": "in_transit", "location": warehouse.name,
                "description": say("已揽收", "Picked up"), "occurred_at": left + timedelta(hours=2),
                "source": "manual", "created_at": left + timedelta(hours=2)})
            rows[TrackingEvent].append({
                "shipment_id": shipment["id"], "status": "delivered", "description": say("已签收", "Delivered"),
                "occurred_at": delivered, "source": "manual", "recorded_by_id": buyer.pk, "created_at": delivered})
        event(order, None, left, "transition", "", "allocated", "shipped", data={"shipment": f"{number}-S1"})
        audit(order, None, left, "ship_all", {"status": "allocated"}, {"status": "shipped"})
        event(order, buyer, delivered, "transition", _("Every shipment delivered"), "shipped", "delivered")
        audit(order, buyer, delivered, "deliver", {"status": "shipped"}, {"status": "delivered"},
              _("Every shipment delivered"))
        event(order, buyer, completed, "transition", _("Receipt confirmed by the dealer"), "delivered", "completed")
        audit(order, buyer, completed, "complete", {"status": "delivered"}, {"status": "completed"},
              _("Receipt confirmed by the dealer"))
        if o.returned:
            _return(o, order, next(return_ids), rng, completed, rows, event, movement, warehouses, admin)

    # Receipts: each month's shipments received as the month starts (the history's first month as it starts), and
    # an opening stock the day before the history: about six weeks of what the row shipped in the year, and never
    # less than keeps what is reserved within what is on hand at every moment of the history.
    shipped = defaultdict(int)
    for (stock_id, month), units in sorted(shipped_by_month.items()):
        shipped[stock_id] += units
        movement(stock_id, "receipt", _moment(max(month, start), 0), f"PO-{month:%Y%m}", actor=admin,
                 on_hand_delta=units, reason=say("月度补货", "Monthly replenishment"))
    changes = defaultdict(list)
    for row in rows[StockMovement]:
        changes[row["stock_id"]].append((row["created_at"], -row["on_hand_delta"], row["reserved_delta"]))
    opening_at = _moment(start - timedelta(days=1), 9)
    for stock_id, moves in sorted(changes.items()):
        have = held = short = 0
        for _at, taken, reserved in sorted(moves):  # at the same moment, what arrives first
            have, held = have - taken, held + reserved
            short = max(short, held - have)
        movement(stock_id, "receipt", opening_at, "PO-OPENING", actor=admin,
                 on_hand_delta=max(shipped[stock_id] * 6 // 52, short, 1), reason=say("期初库存", "Opening stock"))

    for model in (Order, OrderLine, OrderReservation, OrderEvent, Shipment, ShipmentLine, TrackingEvent,
                  ReturnRequest, ReturnLine, StockMovement, PromotionUsage, AuditEntry):
        rows_insert(model, rows.pop(model, []))
    with connection.cursor() as cursor:  # each stock row raised by what its new ledger rows add
        stock_ids = sorted(on_hand)
        cursor.execute("UPDATE inventory_stock s SET on_hand = s.on_hand + u.delta "
                       "FROM unnest(%s::bigint[], %s::int[]) AS u(id, delta) WHERE s.id = u.id",
                       [pg_array(stock_ids), pg_array([on_hand[pk] for pk in stock_ids])])


def _return(o: _Order, order: dict, return_id: int, rng, completed, rows, event, movement, warehouses, admin):
    """A return of part of one line, requested two days after the receipt, approved, and received back in the
    warehouse it left (stock back on hand, the line's returned quantity up)."""
    line = rng.choice(o.lines)
    units = max(1, line.quantity // rng.choice((5, 10, 20)))
    code, chinese, english = rng.choice(RETURN_REASONS)
    requested = completed + timedelta(days=2, hours=rng.uniform(0, 6))
    approved, received = requested + timedelta(hours=rng.uniform(4, 30)), requested + timedelta(days=rng.uniform(4, 8))
    warehouse = warehouses[line.warehouse_id]
    number = f"{order['number']}-R1"
    rows[ReturnRequest].append({
        "id": return_id, "order_id": order["id"], "number": number, "reason_code": code,
        "reason_text": say(chinese, english), "status": "received", "requested_by_id": o.buyer.pk,
        "decided_by_id": admin.pk, "decided_at": approved, "decision_note": "", "warehouse_id": warehouse.pk,
        "received_by_id": admin.pk, "received_at": received, "created_at": requested})
    rows[ReturnLine].append({"return_request_id": return_id, "order_line_id": line.id, "quantity": units})
    line.row["returned_base"] = units
    event(order, o.buyer, requested, "return", _("Return %(number)s requested: %(reason)s")
          % {"number": number, "reason": ReturnReason(code).label},
          data={"return": number, "status": "requested", "units": units})
    event(order, admin, approved, "return", _("Return %(number)s approved") % {"number": number},
          data={"return": number, "status": "approved"})
    event(order, admin, received, "return", _("Return %(number)s received at %(warehouse)s")
          % {"number": number, "warehouse": warehouse.name}, data={"return": number, "status": "received"})
    movement(line.stock_id, "return", received, number, actor=admin, on_hand_delta=units, reason=f"RMA {code}")
