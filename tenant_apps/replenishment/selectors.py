"""A dealer's replenishment suggestions, computed on request from its own history (engine.py says how).

Not cached, on purpose: a suggestion depends on the dealer's cart-to-order activity of the last minutes (an order
just placed makes the line not due any more), its sell-out just imported and its safety stock just set; a cache
would need invalidating from ordering, fulfilment and promotions. Computing is cheap instead: a constant number of
queries for all the dealer's SKUs at once (its order lines, the visible SKUs, its region's demand for seasonality,
its delivered shipments, its context and the running promotions, its safety stock, its sell-out; for a supplier the
demand roll-up, its sub-dealers' orders and its stock), whatever the number of SKUs or orders
(tests/replenishment/test_queries.py).

Only SKUs on sale and visible to the dealer (catalog.selectors.sku_search(dealer=)) are ever suggested."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, F, IntegerField, Min, Q, Sum, When
from django.utils import timezone

from tenant_apps.catalog.models import Sku
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.dealers.models import Dealer, Supplier
from tenant_apps.fulfillment.models import Shipment
from tenant_apps.inventory.selectors import owner_stock_totals
from tenant_apps.ordering.demand import demand_rollup
from tenant_apps.ordering.models import OrderLine, OrderStatus
from tenant_apps.pricing.selectors import dealer_context
from tenant_apps.promotions.selectors import promotion_badges
from tenant_apps.replenishment import engine, reasons
from tenant_apps.replenishment.models import DealerSafetyStock, SellOutRecord

NOT_DEMAND = (OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.REJECTED)
SEASON_WEEKS = 4
HISTORY_DAYS = 365  # rhythms are taken over the last year of orders


def demand_lines(**filters):
    """Order lines that count as demand (submitted, not cancelled / rejected / draft; free gifts left out)."""
    return (OrderLine.objects.filter(order__submitted_at__isnull=False, gift_promotion_id__isnull=True, **filters)
            .exclude(order__status__in=NOT_DEMAND))


def order_history(*, dealer_ids, since: datetime, before: datetime) -> dict[tuple[int, int], list]:
    """(dealer, SKU) -> [(day, base units, under a promotion)]: one query. A line is under a promotion when a
    promotion's discount was allocated to it (the order's frozen breakdown, kept on the line as `discount`)."""
    rows = (demand_lines(order__dealer_id__in=dealer_ids, order__submitted_at__gte=since,
                         order__submitted_at__lt=before)
            .values_list("order__dealer_id", "sku_id", "order__submitted_at", F("quantity") * F("factor"),
                         "discount"))
    history: dict[tuple[int, int], list] = {}
    tz = timezone.get_current_timezone()
    for dealer_id, sku_id, at, base, discount in rows:
        history.setdefault((dealer_id, sku_id), []).append((at.astimezone(tz).date(), base, discount > 0))
    return history


def region_path(dealer: Dealer) -> str:
    """The dealer's region: the network node above its own (headquarters for a direct dealer)."""
    path = str(dealer.node.path)
    return path.rsplit(".", 1)[0] if "." in path else path


def season_factors(*, region: str, sku_ids, today: date, weeks: int = SEASON_WEEKS) -> dict[int, float]:
    """SKU -> the region's demand in the same `weeks` weeks last year vs that year's weekly average, for SKUs with
    a year of history in the region: one query."""
    year_ago = today - timedelta(days=364)
    start = _midnight(year_ago)
    window_end = _midnight(year_ago + timedelta(weeks=weeks))
    rows = (demand_lines(sku_id__in=list(sku_ids), order__dealer__node__path__descendant_of=region)
            .values("sku_id").order_by()
            .annotate(first=Min("order__submitted_at"),
                      year=Sum(Case(When(Q(order__submitted_at__gte=start, order__submitted_at__lt=_midnight(today)),
                                         then=F("quantity") * F("factor")), default=0, output_field=IntegerField())),
                      same=Sum(Case(When(Q(order__submitted_at__gte=start, order__submitted_at__lt=window_end),
                                         then=F("quantity") * F("factor")), default=0, output_field=IntegerField()))))
    factors = {}
    for row in rows:
        if row["first"] > start:
            continue  # less than a year of history: no seasonality
        factor = engine.season_factor(same_weeks=row["same"], year_total=row["year"], weeks=weeks)
        if factor is not None:
            factors[row["sku_id"]] = factor
    return factors


def lead_days(*, dealer: Dealer) -> int:
    """Median days from submission to delivery of the dealer's delivered shipments (its last 20): one query."""
    pairs = (Shipment.objects.filter(order__dealer=dealer, delivered_at__isnull=False)
             .order_by("-delivered_at").values_list("order__submitted_at", "delivered_at")[:20])
    found = engine.median_days(pairs)
    return engine.DEFAULT_LEAD_DAYS if found is None else max(found, 1)


def safety_stocks_of(*, dealer: Dealer) -> dict[int, int]:
    return dict(DealerSafetyStock.objects.filter(dealer=dealer).values_list("sku_id", "quantity"))


def safety_stock_list(*, dealer: Dealer):
    """The dealer's safety stocks with their SKU and who set them (pages): one query."""
    return (DealerSafetyStock.objects.filter(dealer=dealer).select_related("sku", "sku__base_unit", "set_by_user")
            .order_by("sku__code"))


def sell_out_recent(*, dealer: Dealer, today: date) -> dict[int, dict]:
    """SKU -> {"sold", "days", "on_hand"} over the last SELL_OUT_DAYS days of the dealer's records: one query.
    `on_hand`: the latest reported stock less what was sold on the days after it (None when never reported)."""
    since = today - timedelta(days=engine.SELL_OUT_DAYS - 1)
    out: dict[int, dict] = {}
    for sku_id, day, quantity, on_hand in (SellOutRecord.objects.filter(dealer=dealer, date__gte=since,
                                                                        date__lte=today)
                                           .order_by("sku_id", "date").values_list("sku_id", "date", "quantity",
                                                                                   "on_hand")):
        row = out.setdefault(sku_id, {"sold": 0, "first": day, "on_hand": None})
        row["sold"] += quantity
        if on_hand is not None:
            row["on_hand"] = on_hand
        elif row["on_hand"] is not None:
            row["on_hand"] = max(row["on_hand"] - quantity, 0)
    for row in out.values():
        row["days"] = (today - row.pop("first")).days + 1
    return out


def sell_out_list(*, dealer: Dealer, limit: int = 50):
    return (SellOutRecord.objects.filter(dealer=dealer).select_related("sku", "sku__base_unit")
            .order_by("-date", "sku__code")[:limit])


@dataclass
class Suggestion:
    sku: Sku
    due_in_days: int
    needed: int
    quantity: int  # base units, rounded to the SKU's minimum and step
    reason: engine.Reason
    sentence: str

    @property
    def due_now(self) -> bool:
        return self.due_in_days == 0


@dataclass
class Suggestions:
    dealer: Dealer
    today: date
    has_history: bool
    lines: list[Suggestion] = field(default_factory=list)
    supplier: bool = False

    @property
    def due(self) -> list[Suggestion]:
        return [line for line in self.lines if line.quantity and line.due_in_days <= engine.DUE_SOON_DAYS]

    @property
    def later(self) -> list[Suggestion]:
        due = {line.sku.pk for line in self.due}
        return [line for line in self.lines if line.sku.pk not in due]


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _promotions(dealer: Dealer, skus: dict[int, Sku], today: date, at: datetime) -> dict[int, dict]:
    """SKU -> the running promotion the dealer can get on it that ends soonest, within PROMOTION_ENDS_SOON_DAYS."""
    if not skus:
        return {}
    badges = promotion_badges(dealer_context(dealer, at), [(pk, str(sku.product.category.path))
                                                           for pk, sku in skus.items()])
    tz = timezone.get_current_timezone()
    found = {}
    for sku_id, specs in badges.items():
        ending = sorted((spec.ends_at.astimezone(tz).date(), spec.name) for spec in specs if spec.ends_at)
        for ends, name in ending:
            days_left = (ends - today).days
            if 0 <= days_left <= engine.PROMOTION_ENDS_SOON_DAYS:
                found[sku_id] = {"name": name, "ends": ends, "days_left": days_left}
                break
    return found


def suggestions_for(*, dealer: Dealer, at: datetime | None = None) -> Suggestions:
    """The dealer's replenishment lines (due first, then by SKU code), each with its reason sentence in the active
    language. A dealer with no orders and no sell-out gets none (`has_history` False: the page's empty state)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    history = order_history(dealer_ids=[dealer.pk], since=_midnight(today - timedelta(days=HISTORY_DAYS)),
                            before=at)
    per_sku = {sku_id: rows for (_dealer, sku_id), rows in history.items()}
    sold = sell_out_recent(dealer=dealer, today=today)
    supplier = Supplier.objects.filter(node_id=dealer.node_id, active=True).exists()
    rollup = demand_rollup(dealer=dealer) if supplier else None
    subs = Dealer.objects.filter(supplier_id=dealer.node_id).values_list("pk", flat=True)
    sub_history = (order_history(dealer_ids=subs, since=_midnight(today - timedelta(days=HISTORY_DAYS)), before=at)
                   if supplier else {})
    candidates = set(per_sku) | set(sold) | {sku_id for _dealer, sku_id in sub_history}
    if rollup is not None:
        candidates |= {row.sku.pk for row in rollup.rows}
    result = Suggestions(dealer=dealer, today=today, has_history=bool(candidates), supplier=supplier)
    if not candidates:
        return result
    skus = {sku.pk: sku for sku in sku_search(dealer=dealer).filter(pk__in=candidates)}
    if not skus:
        return result
    safety = safety_stocks_of(dealer=dealer)
    lead = lead_days(dealer=dealer)
    seasons = season_factors(region=region_path(dealer), sku_ids=list(skus), today=today)
    promotions = _promotions(dealer, skus, today, at)
    supplied = _supplier_plans(rollup, sub_history, skus, node_id=dealer.node_id, today=today, lead=lead,
                               safety=safety) if supplier else {}
    for sku_id, sku in skus.items():
        unit = sku.base_unit.name
        r = engine.rhythm(per_sku.get(sku_id, []), today=today)
        plan = supplied.get(sku_id)
        if plan is None and sku_id in sold:
            s = sold[sku_id]
            plan = engine.sell_out_plan(sold=s["sold"], days=s["days"], on_hand=s["on_hand"], r=r, lead_days=lead,
                                        season=seasons.get(sku_id), safety=safety.get(sku_id, 0), unit=unit)
        elif plan is None and r is not None and not engine.lapsed(r):
            plan = engine.rhythm_plan(r, lead_days=lead, season=seasons.get(sku_id),
                                      promotion=promotions.get(sku_id), safety=safety.get(sku_id, 0), unit=unit)
        if plan is None:
            continue
        quantity = engine.suggested_quantity(plan.needed, min_order_qty=sku.min_order_qty,
                                             order_step=sku.order_step)
        result.lines.append(Suggestion(sku=sku, due_in_days=plan.due_in_days, needed=plan.needed, quantity=quantity,
                                       reason=plan.reason, sentence=reasons.render(plan.reason, today=today)))
    result.lines.sort(key=lambda line: (line.due_in_days > engine.DUE_SOON_DAYS or not line.quantity,
                                        line.due_in_days, line.sku.code))
    return result


def _supplier_plans(rollup, sub_history, skus, *, node_id: int, today: date, lead: int,
                    safety: dict[int, int]) -> dict:
    """A supplier's plan per SKU: what its sub-dealers still wait for and are expected to order (their rhythms) in
    the next lead + review days, plus its safety stock, less what it has available and on order."""
    window = lead + engine.DEFAULT_REVIEW_DAYS
    expected: dict[int, float] = {}
    for (_dealer, sku_id), rows in sub_history.items():
        r = engine.rhythm(rows, today=today)
        if r is not None and sku_id in skus:
            expected[sku_id] = expected.get(sku_id, 0) + engine.expected_in_window(
                r, start=today, end=today + timedelta(days=window))
    rows = {row.sku.pk: row for row in rollup.rows if row.sku.pk in skus}
    missing = set(expected) - set(rows)
    extra = owner_stock_totals(node_id=node_id, sku_ids=missing) if missing else {}
    plans = {}
    for sku_id in set(rows) | set(expected):
        row = rows.get(sku_id)
        if row is not None:
            open_demand, uncovered, available, on_order = row.open_demand, row.uncovered, row.available, row.on_order
            keep = max(row.safety, safety.get(sku_id, 0))
        else:
            on_hand, reserved = extra.get(sku_id, (0, 0))
            open_demand = uncovered = on_order = 0
            available, keep = on_hand - reserved, safety.get(sku_id, 0)
        coming = round(expected.get(sku_id, 0))
        needed = max(uncovered + coming + keep - available - on_order, 0)
        if not needed and not open_demand and not coming:
            continue
        figures = {"open_demand": open_demand, "reserved": open_demand - uncovered, "expected": coming,
                   "window_days": window, "available": available,
                   "on_order": on_order, "unit": skus[sku_id].base_unit.name, "lead_days": lead}
        if keep:
            figures["safety"] = keep
        plans[sku_id] = engine.Plan(due_in_days=0 if needed else engine.DUE_SOON_DAYS + 1, needed=needed,
                                    reason=engine.Reason("supplier", figures))
    return plans
