"""The replenishment engine: pure functions over figures already loaded (no queries), so that the page, the API,
the supplier's side and the hold-out evaluation compute the same thing.

Per dealer x SKU:

- **rhythm** (`rhythm`): from the dealer's own orders of the SKU (at least two days with an order): the median
  interval in days between them, the typical quantity (median of its orders without a promotion, all of them when
  every one had one), the days since the last one; the quantity under a promotion vs without (`promo_lift`, when
  both exist).
- **seasonality** (`season_factor`): the SKU's demand in the dealer's region in the same weeks last year vs that
  year's weekly average, when a year of history exists; clipped to [0.5, 2].
- **lead time**: median days from submission to delivery of the dealer's shipments, else DEFAULT_LEAD_DAYS.
- **lapsed**: no order for three intervals (and six weeks): no rhythm suggestion.
- **due**: the next order is due `interval` days after the last, placed `lead` days earlier so it arrives in time:
  due in max(0, interval - days since - lead) days.
- **quantity** (order-up-to at the reorder point): the typical quantity x season x promotion lift (when a promotion
  the dealer reacts to runs now), plus the safety stock; raised to the SKU's minimum and rounded up to its step.
  Derivation: at rate r = typical / interval, the dealer's stock when an order is due is about r x lead; covering
  until the next delivery (interval + lead) plus the safety stock needs r x (interval + lead) + safety - r x lead
  = typical + safety.
- **sell-out** (`sell_out_plan`), when the dealer sends it: the daily rate over the last SELL_OUT_DAYS days of
  records replaces the rhythm's; with a reported stock on hand (the latest, less what was sold since), the stock
  runs down to the safety stock in (on hand - safety) / rate days: due lead days before; the quantity covers
  (review interval + lead) days of sales plus the safety stock, less the stock on hand.

Every suggestion carries a `Reason`: a code and its figures, rendered as one sentence (reasons.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

DEFAULT_LEAD_DAYS = 3  # no delivered shipment yet
DEFAULT_REVIEW_DAYS = 14  # sell-out without an order rhythm: cover two weeks
SELL_OUT_DAYS = 28  # the window of sell-out records the rate is taken over
MIN_SELL_OUT_DAYS = 7  # a rate over fewer days than this is taken over this many
DUE_SOON_DAYS = 7  # lines due within this many days are "to order"; the rest are shown as later
PROMOTION_ENDS_SOON_DAYS = 14
SEASON_MIN, SEASON_MAX = 0.5, 2.0
LIFT_MAX = 3.0
LAPSED_INTERVALS, LAPSED_MIN_DAYS = 3, 42  # no order for 3 intervals (and 6 weeks): the dealer stopped ordering it


@dataclass(frozen=True)
class Rhythm:
    orders: int  # days with an order of the SKU
    interval_days: int  # median days between them
    typical_quantity: int  # median quantity (base units) of its orders without a promotion
    last: date
    days_since: int
    promo_lift: float | None  # median quantity under a promotion / without, when both exist


@dataclass
class Reason:
    """Why a line is suggested: `code` ("rhythm", "sell_out", "supplier") and the figures behind it (plain
    numbers, strings and ISO dates: the API returns them as they are; reasons.render makes the sentence)."""

    code: str
    figures: dict = field(default_factory=dict)


@dataclass
class Plan:
    due_in_days: int  # 0: now
    needed: int  # base units before rounding
    reason: Reason


def rhythm(orders: list[tuple[date, int, bool]], *, today: date) -> Rhythm | None:
    """`orders`: (day, base units, under a promotion) of the dealer's orders of one SKU. None below two days."""
    by_day: dict[date, list[int | bool]] = {}
    for day, quantity, promoted in orders:
        row = by_day.setdefault(day, [0, False])
        row[0] += quantity
        row[1] = row[1] or promoted
    days = sorted(by_day)
    if len(days) < 2:
        return None
    interval = max(round(median((b - a).days for a, b in zip(days, days[1:], strict=False))), 1)
    plain = [by_day[day][0] for day in days if not by_day[day][1]]
    promoted = [by_day[day][0] for day in days if by_day[day][1]]
    typical = max(round(median(plain or promoted)), 1)
    lift = None
    if plain and promoted:
        lift = round(median(promoted) / max(median(plain), 1), 2)
    return Rhythm(orders=len(days), interval_days=interval, typical_quantity=typical, last=days[-1],
                  days_since=(today - days[-1]).days, promo_lift=lift)


def lapsed(r: Rhythm) -> bool:
    """The dealer stopped ordering the SKU: no order for LAPSED_INTERVALS intervals and at least LAPSED_MIN_DAYS.
    No rhythm suggestion then (an old habit is not a reason to order now), and nothing expected."""
    return r.days_since > max(LAPSED_INTERVALS * r.interval_days, LAPSED_MIN_DAYS)


def season_factor(*, same_weeks: int, year_total: int, weeks: int) -> float | None:
    """Demand in the same `weeks` weeks last year vs the year's average over `weeks` weeks; None without demand."""
    if year_total <= 0 or weeks <= 0:
        return None
    average = year_total / 52 * weeks
    return round(min(max(same_weeks / average, SEASON_MIN), SEASON_MAX), 2)


def rhythm_plan(r: Rhythm, *, lead_days: int, season: float | None, promotion: dict | None, safety: int,
                unit: str) -> Plan:
    """The rhythm's suggestion. `promotion`: {"name", "ends", "days_left"} of a running promotion on the SKU the
    dealer can get that ends soon, or None; its lift applies when the dealer orders more under promotions."""
    due = max(r.interval_days - r.days_since - lead_days, 0)
    figures = {"interval_days": r.interval_days, "typical_quantity": r.typical_quantity, "unit": unit,
               "days_since": r.days_since, "last": r.last.isoformat(), "orders": r.orders, "lead_days": lead_days}
    quantity = float(r.typical_quantity)
    if season is not None and season != 1.0:
        figures["season"] = season
        quantity *= season
    if promotion is not None:
        figures["promotion"] = promotion["name"]
        figures["promotion_ends"] = promotion["ends"].isoformat()
        if r.promo_lift and r.promo_lift > 1:
            lift = min(r.promo_lift, LIFT_MAX)
            figures["promo_lift"] = lift
            quantity *= lift
            # order while it runs, when the next order would fall after its end
            due = min(due, max(promotion["days_left"] - lead_days, 0))
    if safety:
        figures["safety"] = safety
    needed = math.ceil(round(quantity, 6)) + safety
    return Plan(due_in_days=due, needed=needed, reason=Reason("rhythm", figures))


def sell_out_plan(*, sold: int, days: int, on_hand: int | None, r: Rhythm | None, lead_days: int,
                  season: float | None, safety: int, unit: str) -> Plan:
    """The sell-out's suggestion: `sold` base units over the last `days` days of records; `on_hand` the stock now
    (the latest reported less what was sold since), or None."""
    days = max(days, MIN_SELL_OUT_DAYS)
    rate = sold / days
    review = r.interval_days if r else DEFAULT_REVIEW_DAYS
    cover = review + lead_days
    figures = {"sold": sold, "days": days, "daily_rate": round(rate, 2), "unit": unit, "cover_days": cover,
               "lead_days": lead_days}
    demand = rate * cover
    if season is not None and season != 1.0:
        figures["season"] = season
        demand *= season
    if safety:
        figures["safety"] = safety
    if on_hand is None:
        due = max(r.interval_days - r.days_since - lead_days, 0) if r else 0
        needed = math.ceil(round(demand, 6)) + safety
    else:
        figures["on_hand"] = on_hand
        runs_out = math.floor((on_hand - safety) / rate) if rate > 0 else 10_000
        due = max(runs_out - lead_days, 0)
        needed = max(math.ceil(round(demand, 6)) + safety - on_hand, 0)
    return Plan(due_in_days=due, needed=needed, reason=Reason("sell_out", figures))


def suggested_quantity(needed: int, *, min_order_qty: int, order_step: int) -> int:
    """At least the minimum, a whole number of steps; 0 stays 0 (the same rule as the supplier's roll-up)."""
    if needed <= 0:
        return 0
    step = max(order_step, 1)
    return -(-max(needed, min_order_qty) // step) * step


def expected_in_window(r: Rhythm, *, start: date, end: date, season: float | None = None) -> float:
    """Base units the rhythm expects the dealer to order in [start, end): one typical order every interval after
    the last; an order already overdue at `start` is expected at `start`; none when the rhythm lapsed."""
    if lapsed(r):
        return 0.0
    nxt = r.last + timedelta(days=r.interval_days)
    if nxt < start:
        nxt = start
    count = 0
    while nxt < end:
        count += 1
        nxt += timedelta(days=r.interval_days)
    return count * r.typical_quantity * (season if season is not None else 1.0)


def median_days(pairs) -> int | None:
    """Median whole days between (start, end) datetimes; None without any."""
    days = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end and end >= start]
    return max(round(median(days)), 0) if days else None
