"""Generated order history with a KNOWN structure (issue 26), written into the current tenant's schema in bulk.

bench/recommend.py measures the forecasting, replenishment and recommendation engines on it, and
tests/bench/test_history_gen.py checks on a small size that the structure below is really in the rows.

The structure (all drawn from one seeded RNG, so a seed gives the same history):

    calendar     `weeks` whole ISO weeks ending last Sunday (default 108: two yearly seasons and a bit)
    network      4 regions x 3 tiers; `dealers` dealers with history dealt round the 12 (region, tier) groups, and
                 `new_dealers` more with no order at all
    catalog      `skus` SKUs (one product each) in 4 categories, priced on one active base price list
    seasonality  per category a yearly sinusoid (amplitude 0.4-0.6, peaks in winter / spring / summer / autumn)
                 times a Chinese New Year stock-up bump (3-24 days before it; the holiday week after it is quiet)
    trend        6 SKUs grow or shrink steadily (+50 %, +40 %, -30 % a year)
    rhythm       each dealer orders every 7, 14, 21 or 28 days (40/35/15/10 %; nominal dates with a jitter of at
                 most a day; ~3 % of orders skipped); each SKU of its assortment comes on every order or every
                 second one, at a typical quantity (its weekly rate x the weeks covered x season x trend x noise);
                 a few "steady" dealers order weekly with almost no noise (a sell-out-like rate)
    preferences  each (region, tier) group has 8 favoured SKUs (one of them a pair's lead, the others drawn
                 uniformly); its dealers' assortments are 6-7 of them plus 6-10 others drawn by popularity (a
                 distributor's range: ~10 dealers behind each SKU x region series)
    pairs        `pairs` (lead, companion) SKU pairs: the companion is only ever ordered with its lead, and the
                 lead brings its companion on 90 % of its lines (quantity a fixed ratio of the lead's)
    statuses     ~3 % of orders cancelled (not demand); orders of the last two weeks in every open state, the rest
                 completed

What is written, as the ordering services would have written it (the columns the services fill, dated on the
order's own timeline): ordering_order (numbers in the submission's format), ordering_orderline (base price list
prices, net = gross), ordering_orderreservation (the warehouse of the dealer's region, used up: 0 left) and the
timeline's OrderEvent rows (submitted, then completed or cancelled); the reporting rollups are refreshed after it.
Not written: shipments, stock ledgers, audit entries of the transitions (shared_apps.demo.history writes those for
the demo; the engines read orders and lines only, and a bench tenant is thrown away).
"""

from __future__ import annotations

import math
import random
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

REGIONS = (("GEN-EAST", "华东", "East"), ("GEN-SOUTH", "华南", "South"), ("GEN-NORTH", "华北", "North"),
           ("GEN-WEST", "西南", "West"))
TIERS = (("GEN-A", "A 级", 3.0), ("GEN-B", "B 级", 1.6), ("GEN-C", "C 级", 1.0))  # code, name, order size
# category: code, name, English name, amplitude, peak day of year, Chinese New Year bump
CATEGORIES = (("GEN-DRINK", "饮料", "Drinks", 0.6, 200, 0.5), ("GEN-GIFT", "礼盒", "Gift boxes", 0.5, 20, 0.9),
              ("GEN-SNACK", "零食", "Snacks", 0.4, 290, 0.3), ("GEN-CARE", "日化", "Household", 0.4, 100, 0.0))
INTERVALS = ((7, 0.4), (14, 0.35), (21, 0.15), (28, 0.1))
TRENDS = (0.5, 0.5, 0.4, 0.4, -0.3, -0.3)  # a year's growth of the trending SKUs
NEW_YEAR = {2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
            2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
            2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19),
            2035: date(2035, 2, 8)}
PAIR_WITH = 0.9  # a lead's line brings its companion this often
CANCELLED = 0.03
SKIPPED = 0.03


@dataclass(frozen=True)
class Shape:
    weeks: int = 108
    dealers: int = 120  # with history
    new_dealers: int = 2
    steady_dealers: int = 4
    skus: int = 60
    pairs: int = 10
    seed: int = 26
    end: date | None = None  # the last Sunday of the history (default: last Sunday)


@dataclass
class DealerPlan:
    id: int
    region: int
    tier: int
    interval: int
    steady: bool
    assortment: dict[int, tuple[int, int, float]] = field(default_factory=dict)  # sku -> (every, phase, weekly)


@dataclass
class Generated:
    shape: Shape
    start: date
    end: date
    dealers: list[DealerPlan]
    new_dealer_ids: list[int]
    sku_ids: list[int]
    category_of: dict[int, int]
    pairs: list[tuple[int, int]]
    favoured: dict[tuple[int, int], set[int]]
    trend: dict[int, float]
    orders: int = 0
    lines: int = 0
    cancelled: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        regular = sum(not d.steady for d in self.dealers)
        by_interval = defaultdict(int)
        for d in self.dealers:
            by_interval[d.interval] += 1
        rhythm = ", ".join(f"{n} every {days} d" for days, n in sorted(by_interval.items()))
        return "\n".join([
            f"history      {self.shape.weeks} weeks, {self.start} (Mon) .. {self.end} (Sun), seed {self.shape.seed}",
            f"dealers      {len(self.dealers)} with history ({regular} regular, {len(self.dealers) - regular} "
            f"steady), {len(self.new_dealer_ids)} new with none; 4 regions x 3 tiers; {rhythm}",
            f"catalog      {len(self.sku_ids)} SKUs in 4 categories, {len(self.trend)} trending, "
            f"{len(self.pairs)} co-purchased pairs",
            f"orders       {self.orders} ({self.cancelled} cancelled), {self.lines} lines, "
            f"written in {self.seconds:.1f} s",
        ])


def last_sunday(today: date) -> date:
    return today - timedelta(days=today.weekday() + 1)


def season(category: int, day: date) -> float:
    """The designed demand factor of a category on a day: the yearly sinusoid times the New Year's bump."""
    _code, _name, _en, amplitude, peak, bump = CATEGORIES[category]
    factor = 1 + amplitude * math.cos(2 * math.pi * (day.timetuple().tm_yday - peak) / 365.25)
    new_year = NEW_YEAR.get(day.year if day.month < 7 else day.year + 1)
    if new_year and 3 <= (new_year - day).days <= 24:
        factor *= 1 + bump
    elif new_year and 0 <= (day - new_year).days <= 7:
        factor *= 0.5
    return factor


def _world(shape: Shape, rng: random.Random, start: date):
    """Network, catalog and prices through the services (small); products and SKUs in bulk."""
    from tenant_apps.catalog import services as catalog
    from tenant_apps.catalog.models import Product, Sku
    from tenant_apps.dealers import services as dealers
    from tenant_apps.inventory import services as inventory
    from tenant_apps.pricing import services as pricing

    hq = dealers.headquarters_ensure(name="总部")
    tiers = [dealers.tier_create(actor=None, code=code, name=name, rank=n) for n, (code, name, _s) in
             enumerate(TIERS, 1)]
    regions = [dealers.region_create(actor=None, parent=hq, name=name, code=code) for code, name, _en in REGIONS]
    warehouses = [inventory.warehouse_create(actor=None, code=f"GEN-W{n}", name=f"{name}仓") for n, name in
                  ((1, "华东"), (2, "西南"))]
    made = []  # (dealer id, region, tier)
    for n in range(shape.dealers + shape.new_dealers):
        region, tier = n % len(REGIONS), (n // len(REGIONS)) % len(TIERS)
        dealer = dealers.dealer_create(actor=None, parent=regions[region], code=f"GEN-D{n + 1:03d}",
                                       legal_name=f"{REGIONS[region][1]}经销商{n + 1:03d}有限公司",
                                       name=f"{REGIONS[region][1]}{n + 1:03d}", tier=tiers[tier], status="active")
        made.append((dealer.pk, region, tier))
    unit = catalog.unit_ensure(code="PCE", name="件")
    categories = [catalog.category_create(actor=None, parent=None, code=code, name=name, name_en=en)
                  for code, name, en, *_rest in CATEGORIES]
    per = math.ceil(shape.skus / len(CATEGORIES))
    products = Product.objects.bulk_create([
        Product(code=f"GEN-P{n + 1:03d}", name=f"{CATEGORIES[n // per][1]}{n + 1:03d}",
                name_en=f"{CATEGORIES[n // per][2]} {n + 1:03d}", category=categories[n // per], status="on_sale")
        for n in range(shape.skus)])
    skus = Sku.objects.bulk_create([
        Sku(product=p, code=f"GEN-S{n + 1:03d}", name=p.name, base_unit=unit, search_text=f"gen-s{n + 1:03d}")
        for n, p in enumerate(products)])
    price_list = pricing.price_list_create(actor=None, code="GEN-BASE", name="基础价", kind="base",
                                           valid_from=start - timedelta(days=1), status="active")
    prices = {}
    for sku in skus:
        prices[sku.pk] = Decimal(rng.choice((12, 18, 25, 36, 48, 60, 88, 120, 168)))
        pricing.price_entry_set(actor=None, price_list=price_list, sku=sku, unit=unit, price=prices[sku.pk])
    category_of = {sku.pk: n // per for n, sku in enumerate(skus)}
    return made, skus, unit, prices, price_list, warehouses, category_of


def _plans(shape: Shape, rng: random.Random, made, sku_ids: list[int]):
    """Pairs, favoured sets, trends and each dealer's rhythm and assortment."""
    shuffled = list(sku_ids)
    rng.shuffle(shuffled)
    pairs = [(shuffled[2 * n], shuffled[2 * n + 1]) for n in range(shape.pairs)]
    companions = {b for _a, b in pairs}
    leads = [a for a, _b in pairs]
    singles = [s for s in sku_ids if s not in companions]
    popularity = {s: rng.lognormvariate(0, 0.7) for s in singles}
    for lead in leads:  # leads are popular: their pairs show up often
        popularity[lead] *= 2
    rate = {s: rng.lognormvariate(math.log(12), 0.5) for s in sku_ids}  # units a week, for a tier-C dealer
    trend = dict(zip(rng.sample(singles, min(len(TRENDS), len(singles))), TRENDS, strict=False))

    def draw(pool: list[int], k: int, exclude=(), weighted: bool = True) -> list[int]:
        pool = [s for s in pool if s not in exclude]
        picked = []
        while pool and len(picked) < k:
            s = rng.choices(pool, weights=[popularity[x] if weighted else 1 for x in pool])[0]
            picked.append(s)
            pool.remove(s)
        return picked

    favoured = {}
    for region in range(len(REGIONS)):
        for tier in range(len(TIERS)):
            chosen = draw(leads, 1) if leads else []  # (uniformly: groups favour different SKUs)
            favoured[region, tier] = set(chosen + draw(singles, 8 - len(chosen), exclude=chosen, weighted=False))
    plans, new = [], []
    steady_left = shape.steady_dealers
    for index, (dealer_id, region, tier) in enumerate(made):
        if index >= shape.dealers:
            new.append(dealer_id)
            continue
        steady = steady_left > 0 and index % 11 == 5
        steady_left -= steady
        interval = 7 if steady else rng.choices([i for i, _w in INTERVALS], weights=[w for _i, w in INTERVALS])[0]
        plan = DealerPlan(id=dealer_id, region=region, tier=tier, interval=interval, steady=steady)
        mine = rng.sample(sorted(favoured[region, tier]), rng.randint(6, 7))
        mine += draw(singles, rng.randint(6, 10), exclude=set(mine) | favoured[region, tier])
        size = TIERS[tier][2] * rng.lognormvariate(0, 0.25)
        for sku in mine:
            every = 1 if steady else rng.choice((1, 1, 1, 2))
            plan.assortment[sku] = (every, rng.randrange(every), rate[sku] * size * rng.lognormvariate(0, 0.3))
        plans.append(plan)
    return pairs, favoured, trend, plans, new


def generate(shape: Shape = Shape(), *, refresh_rollups: bool = True) -> Generated:
    """Build the world and write the history into the current tenant's schema (see the module); in one
    transaction."""
    from django.db import transaction

    started = clock.perf_counter()
    with transaction.atomic():
        generated = _generate(shape)
    if refresh_rollups:
        from tenant_apps.reporting.services import rollups_refresh

        rollups_refresh(full=True)
    generated.seconds = clock.perf_counter() - started
    return generated


def _generate(shape: Shape) -> Generated:
    from django.utils import timezone

    from shared_apps.demo.history import rows_insert
    from tenant_apps.core.bulk import ids_take
    from tenant_apps.core.money import tenant_currency
    from tenant_apps.ordering.models import Order, OrderEvent, OrderLine, OrderReservation

    rng = random.Random(f"issue26-{shape.seed}")
    end = shape.end or last_sunday(timezone.localdate())
    start = end - timedelta(days=7 * shape.weeks - 1)
    made, skus, unit, prices, price_list, warehouses, category_of = _world(shape, rng, start)
    sku_ids = [s.pk for s in skus]
    pairs, favoured, trend, plans, new = _plans(shape, rng, made, sku_ids)
    companion_of = dict(pairs)
    ratio = {a: rng.uniform(0.3, 1.0) for a, _b in pairs}
    now = timezone.now()

    drafts = []  # (dealer plan, day, [(sku, quantity)])
    for plan in plans:
        offset = rng.randrange(plan.interval)
        for k in range(shape.weeks * 7 // plan.interval + 1):
            day = start + timedelta(days=offset + k * plan.interval)
            if not plan.steady:
                day += timedelta(days=rng.choice((-1, 0, 0, 0, 1)))
            if not start <= day <= end or (not plan.steady and rng.random() < SKIPPED):
                continue
            years = (day - start).days / 365.25
            noise = 0.05 if plan.steady else 0.2
            lines = []
            for sku, (every, phase, weekly) in plan.assortment.items():
                if (k + phase) % every or (not plan.steady and rng.random() < 0.05):
                    continue
                expected = weekly * plan.interval * every / 7 * season(category_of[sku], day) * (
                    1 + trend.get(sku, 0.0) * years)
                quantity = max(1, round(expected * rng.lognormvariate(0, noise)))
                lines.append((sku, quantity))
                if sku in companion_of and rng.random() < PAIR_WITH:
                    lines.append((companion_of[sku], max(1, round(quantity * ratio[sku]))))
            if not lines:
                sku = rng.choice(sorted(plan.assortment))
                lines.append((sku, max(1, round(plan.assortment[sku][2] * plan.interval / 7))))
            rng.shuffle(lines)
            drafts.append((plan, day, lines))
    drafts.sort(key=lambda d: d[1])

    currency = tenant_currency()
    ids = ids_take(orders=(Order, len(drafts)), lines=(OrderLine, sum(len(d[2]) for d in drafts)))
    order_ids, line_ids = iter(ids["orders"]), iter(ids["lines"])
    rows = defaultdict(list)
    cancelled = 0
    for plan, day, lines in drafts:
        order_id = next(order_ids)
        at = timezone.make_aware(datetime.combine(day, time(9))) + timedelta(minutes=rng.randint(0, 8 * 60))
        age = (end - day).days
        if rng.random() < CANCELLED:
            status = "cancelled"
            cancelled += 1
        elif age > 14:
            status = "completed"
        else:
            status = rng.choice(("submitted", "approved", "allocated", "shipped", "delivered", "completed"))
        closed = at + timedelta(days=3) if status in ("completed", "cancelled") else None
        closed = min(closed, now) if closed else None
        updated = closed or at + timedelta(hours=2)
        shipped = status in ("shipped", "delivered", "completed")
        total = Decimal(0)
        for line_no, (sku, quantity) in enumerate(lines, start=1):
            line_id = next(line_ids)
            gross = prices[sku] * quantity
            total += gross
            rows[OrderLine].append({
                "id": line_id, "order_id": order_id, "line_no": line_no, "sku_id": sku, "unit_id": unit.pk,
                "quantity": quantity, "factor": 1, "unit_price": prices[sku], "gross": gross, "discount": Decimal(0),
                "net": gross, "price_source": "base", "price_rule": price_list.code, "price_list_id": price_list.pk,
                "reserved_base": 0, "shipped_base": quantity if shipped else 0, "returned_base": 0})
            rows[OrderReservation].append({"order_id": order_id, "line_id": line_id, "sku_id": sku,
                                           "warehouse_id": warehouses[plan.region // 2].pk, "quantity": 0})
        rows[Order].append({
            "id": order_id, "number": f"SO{timezone.localtime(at):%y%m%d}{order_id:07d}", "dealer_id": plan.id,
            "status": status, "currency": currency, "subtotal": total, "discount_total": Decimal(0), "total": total,
            "breakdown": {"at": at.isoformat(), "notes": [], "promotions": []}, "coupon_codes": [],
            "shipping_address": {}, "note": "", "revision": 1, "submitted_at": at,
            "approved_at": None if status in ("submitted", "cancelled") else at + timedelta(hours=2),
            "closed_at": closed, "created_at": at, "updated_at": updated})
        rows[OrderEvent].append({"order_id": order_id, "kind": "transition", "from_status": "draft",
                                 "to_status": "submitted", "message": "Submitted", "data": {"lines": len(lines),
                                 "total": str(total), "revision": 1}, "at": at})
        if closed:
            rows[OrderEvent].append({"order_id": order_id, "kind": "transition", "from_status": "submitted"
                                     if status == "cancelled" else "delivered", "to_status": status, "data": {},
                                     "at": closed})
    for model in (Order, OrderLine, OrderReservation, OrderEvent):
        rows_insert(model, rows.pop(model, []))
    return Generated(shape=shape, start=start, end=end, dealers=plans, new_dealer_ids=new, sku_ids=sku_ids,
                     category_of=category_of, pairs=pairs, favoured=favoured, trend=trend, orders=len(drafts),
                     lines=sum(len(d[2]) for d in drafts), cancelled=cancelled)


def structure_check(generated: Generated) -> dict:
    """What the written rows show of the designed structure (read back from the database, demand orders only):
    pairs: the least share, over the pairs, of orders holding either SKU that hold both; rhythm: the share of a
    regular dealer's gaps between orders within 2 days of its interval (or twice it: a skipped order); preference:
    how much more often a group's dealers order its favoured SKUs (other than pair leads) than other dealers
    (lines per dealer, the least over the groups); new: orders of the dealers with no history (0)."""
    from django.utils import timezone

    from tenant_apps.ordering.models import Order, OrderLine

    demand = Order.objects.exclude(status__in=("draft", "cancelled", "rejected")).filter(
        dealer_id__in=[d.id for d in generated.dealers])
    skus_of = defaultdict(set)
    for order_id, sku in OrderLine.objects.filter(order__in=demand).values_list("order_id", "sku_id"):
        skus_of[order_id].add(sku)
    pair_share = []
    for a, b in generated.pairs:
        either = [s for s in skus_of.values() if a in s or b in s]
        pair_share.append(sum(a in s and b in s for s in either) / len(either) if either else 0.0)
    days = defaultdict(list)
    for dealer_id, at in demand.order_by("submitted_at").values_list("dealer_id", "submitted_at"):
        days[dealer_id].append(timezone.localtime(at).date())
    good = total = 0
    for plan in generated.dealers:
        gaps = [(b - a).days for a, b in zip(days[plan.id], days[plan.id][1:], strict=False)]
        total += len(gaps)
        good += sum(min(abs(g - plan.interval), abs(g - 2 * plan.interval)) <= 2 for g in gaps)
    lines_by = defaultdict(lambda: defaultdict(int))
    for dealer_id, sku in OrderLine.objects.filter(order__in=demand).values_list("order__dealer_id", "sku_id"):
        lines_by[dealer_id][sku] += 1
    lifts = []
    leads = {a for a, _b in generated.pairs}
    for group, chosen in generated.favoured.items():
        favoured = chosen - leads  # (a lead is favoured by several groups when pairs are fewer than groups)
        inside = [d for d in generated.dealers if (d.region, d.tier) == group]
        outside = [d for d in generated.dealers if (d.region, d.tier) != group]
        if not inside or not outside:
            continue
        rate_in = sum(lines_by[d.id][s] for d in inside for s in favoured) / len(inside)
        rate_out = sum(lines_by[d.id][s] for d in outside for s in favoured) / len(outside)
        lifts.append(rate_in / rate_out if rate_out else float("inf"))
    new_orders = Order.objects.filter(dealer_id__in=generated.new_dealer_ids).count()
    return {"pair_cooccurrence_min": min(pair_share) if pair_share else 0.0,
            "rhythm_regular_share": good / total if total else 0.0,
            "preference_lift_min": min(lifts) if lifts else 0.0, "new_dealer_orders": new_orders}


def designed_wape(generated: Generated, *, cutoff: date, weeks: int) -> dict:
    """The WAPE, over the SKU x region weekly series with demand before `cutoff`, of the history's own design for
    the `weeks` weeks from it: each dealer's weekly rate of each SKU x season x trend (a companion: its leads' x
    PAIR_WITH x ratio is not kept, so companions take the 4-week moving average). The floor for a forecaster that
    does not know when each dealer's next order falls; beside it the two baselines on the same series, computed
    here the same way."""
    from django.utils import timezone

    from tenant_apps.ordering.models import OrderLine

    region_of = {d.id: d.region for d in generated.dealers}
    first = cutoff - timedelta(weeks=4)
    actual = defaultdict(float)  # (sku, region, week index from cutoff) -> units; weeks -4..-1 before it
    seen = set()
    lines = OrderLine.objects.filter(order__dealer_id__in=list(region_of)).exclude(
        order__status__in=("draft", "cancelled", "rejected")).values_list("sku_id", "order__dealer_id",
                                                                          "order__submitted_at", "quantity")
    for sku, dealer, at, quantity in lines:
        day = timezone.localtime(at).date()
        if day < cutoff:
            seen.add((sku, region_of[dealer]))
        if first <= day < cutoff + timedelta(weeks=weeks):
            actual[sku, region_of[dealer], (day - cutoff).days // 7] += quantity
    designed = defaultdict(float)
    for plan in generated.dealers:
        for sku, (_every, _phase, weekly) in plan.assortment.items():
            for week in range(weeks):
                day = cutoff + timedelta(days=7 * week + 3)
                years = (day - generated.start).days / 365.25
                designed[sku, plan.region, week] += weekly * season(generated.category_of[sku], day) * (
                    1 + generated.trend.get(sku, 0.0) * years)
    errors = {"designed": 0.0, "naive": 0.0, "moving_average": 0.0}
    total = 0.0
    for sku, region in seen:
        last = actual[sku, region, -1]
        average = sum(actual[sku, region, w] for w in range(-4, 0)) / 4
        planned = any((sku, region, w) in designed for w in range(weeks))
        for week in range(weeks):
            value = actual[sku, region, week]
            total += value
            errors["designed"] += abs(value - (designed[sku, region, week] if planned else average))
            errors["naive"] += abs(value - last)
            errors["moving_average"] += abs(value - average)
    return {key: error / total if total else 0.0 for key, error in errors.items()} | {"series": len(seen)}
