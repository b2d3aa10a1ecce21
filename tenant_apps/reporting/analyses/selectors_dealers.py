"""Dealer analysis: order frequency and size, active and dormant dealers, drop alerts, new dealers' ramp-up.

Definitions (the page's help says the same); sales are the rollups' (reporting.cube), within the reader's scope
and the dealer filters, in the brand's currency:
- per dealer in the period: orders, net sales, average order value = net / orders, average days between orders
  = days from the first to the last order day of the period / (orders - 1) (one order: none).
- activity on the period's last day: active = an order in the last ACTIVE_DAYS days; dormant = the last order
  ACTIVE_DAYS to DORMANT_DAYS - 1 days before; long dormant = DORMANT_DAYS days or more before, or never.
  Terminated dealers are left out.
- drop alert: the months M0..M3 are the four calendar months ending with the last whole month of the period
  (the period's own month when it ends on its last day); a dealer is alerted when M1, M2 and M3 each have net
  sales of at most 80 % of the month before (DROP) and the month before had sales: three months running.
  Two such months are no alert.
- ramp-up: dealers created in the 365 days up to the period's last day; month 1 is the calendar month of the
  dealer's first order (ever), months 2..RAMP_MONTHS the ones after; net sales of each month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from tenant_apps.core.money import quantize, tenant_currency
from tenant_apps.dealers.models import Dealer, DealerStatus
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.reporting.analyses.common import month_add, month_start, months_between, percent
from tenant_apps.reporting.cube import MAX_ROWS, Filters, Report, ReportSpec, dealer_ids
from tenant_apps.reporting.selectors import report_run

ACTIVE_DAYS = 60
DORMANT_DAYS = 90
DROP = Decimal("0.80")  # a month at most this share of the month before: a fall of 20 % or more
DROP_MONTHS = 3
RAMP_MONTHS = 6
NEW_DEALER_DAYS = 365

ACTIVE, DORMANT, LONG_DORMANT = "active", "dormant", "long_dormant"


@dataclass
class DealerFigures:
    dealer_id: int
    code: str
    name: str
    orders: int = 0
    net: Decimal = Decimal("0.00")
    average_order: Decimal | None = None
    days_between: Decimal | None = None
    last_order: date | None = None
    days_since: int | None = None
    activity: str = LONG_DORMANT


@dataclass
class DropAlert:
    dealer_id: int
    code: str
    name: str
    months: list[date]
    nets: list[Decimal]  # M0..M3
    changes: list[Decimal | None]  # percent change of M1..M3 against the month before


@dataclass
class RampUp:
    dealer_id: int
    code: str
    name: str
    created: date
    first_order: date | None
    nets: list[Decimal]  # months 1..RAMP_MONTHS (a month not yet come: 0)


@dataclass
class DealerAnalysis:
    date_from: date
    date_to: date
    currency: str
    report: Report
    dealers: list[DealerFigures]  # every dealer in scope and filters (not terminated), most net first
    drop_months: list[date]
    drops: list[DropAlert]
    ramp: list[RampUp]
    activity_counts: dict[str, int] = field(default_factory=dict)


def dealers_in(actor, filters: Filters) -> QuerySet[Dealer]:
    """The dealers the analysis covers: the reader's scope and the dealer filters, terminated ones left out."""
    ids = dealer_ids(actor, filters)
    dealers = dealers_visible_to(actor) if ids is None else Dealer.objects.filter(pk__in=ids)
    return dealers.exclude(status=DealerStatus.TERMINATED)


def activity_of(days_since: int | None) -> str:
    if days_since is None or days_since >= DORMANT_DAYS:
        return LONG_DORMANT
    return ACTIVE if days_since < ACTIVE_DAYS else DORMANT


def drop_months(date_to: date) -> list[date]:
    """M0..M3: the four months ending with the last whole month on or before date_to."""
    last = month_start(date_to) if (date_to + timedelta(days=1)).day == 1 else month_add(date_to, -1)
    return [month_add(last, k) for k in range(-DROP_MONTHS, 1)]


def is_drop(nets: list[Decimal]) -> bool:
    """Each month after the first at most DROP of the month before, which had sales."""
    return all(nets[k - 1] > 0 and nets[k] <= nets[k - 1] * DROP for k in range(1, len(nets)))


_ORDER_DAYS = """
SELECT dealer_id, min(day) FILTER (WHERE day >= %(date_from)s), max(day) FILTER (WHERE day >= %(date_from)s),
       max(day), min(day)
FROM reporting_dealerday
WHERE orders > 0 AND currency = %(currency)s AND day <= %(date_to)s AND dealer_id = ANY(%(dealers)s)
GROUP BY dealer_id
"""

_MONTHLY = """
SELECT dealer_id, date_trunc('month', day)::date, sum(net)
FROM reporting_dealerday
WHERE currency = %(currency)s AND dealer_id = ANY(%(dealers)s) AND day >= %(since)s AND day <= %(date_to)s
GROUP BY 1, 2
"""


def dealer_analysis(*, actor, date_from: date, date_to: date, filters: Filters | None = None,
                    currency: str | None = None) -> DealerAnalysis:
    filters = filters or Filters()
    currency = currency or tenant_currency()
    spec = ReportSpec(date_from=date_from, date_to=date_to, dimensions=("dealer",), measures=("orders", "net"),
                      currency=currency, filters=filters, limit=MAX_ROWS)
    report = report_run(actor=actor, spec=spec)
    dealers = list(dealers_in(actor, filters).order_by("code").values_list("pk", "code", "name", "legal_name",
                                                                           "created_at"))
    ids = [row[0] for row in dealers]
    with connection.cursor() as cursor:
        cursor.execute(_ORDER_DAYS, {"date_from": date_from, "date_to": date_to, "currency": currency,
                                     "dealers": ids})
        days = {row[0]: row[1:] for row in cursor.fetchall()}
    figures = {row.keys[0]: row.values for row in report.rows}
    out: list[DealerFigures] = []
    for pk, code, short, legal, _created in dealers:
        orders, net = figures.get(pk, (0, Decimal("0.00")))
        first, last, last_ever, _first_ever = days.get(pk, (None, None, None, None))
        since = None if last_ever is None else (date_to - last_ever).days
        out.append(DealerFigures(
            dealer_id=pk, code=code, name=short or legal, orders=orders, net=net,
            average_order=quantize(net / orders, currency) if orders else None,
            days_between=(Decimal((last - first).days) / (orders - 1)).quantize(Decimal("0.1"))
            if orders > 1 and first and last else None,
            last_order=last_ever, days_since=since, activity=activity_of(since)))
    out.sort(key=lambda d: (-d.net, -d.orders, d.code))
    counts = {ACTIVE: 0, DORMANT: 0, LONG_DORMANT: 0}
    for dealer in out:
        counts[dealer.activity] += 1
    months = drop_months(date_to)
    drops = _drops(actor, filters, currency, months, {d.dealer_id: d for d in out})
    ramp = _ramp(dealers, days, currency, date_to)
    return DealerAnalysis(date_from=date_from, date_to=date_to, currency=currency, report=report, dealers=out,
                          drop_months=months, drops=drops, ramp=ramp, activity_counts=counts)


def _drops(actor, filters: Filters, currency: str, months: list[date],
           known: dict[int, DealerFigures]) -> list[DropAlert]:
    spec = ReportSpec(date_from=months[0], date_to=month_add(months[-1], 1) - timedelta(days=1),
                      dimensions=("month", "dealer"), measures=("net",), currency=currency, filters=filters,
                      limit=MAX_ROWS)
    nets: dict[int, dict[date, Decimal]] = {}
    for row in report_run(actor=actor, spec=spec).rows:
        nets.setdefault(row.keys[1], {})[row.keys[0]] = row.values[0]
    alerts = []
    for dealer_id, by_month in nets.items():
        series = [by_month.get(month, Decimal("0.00")) for month in months]
        if dealer_id in known and is_drop(series):
            dealer = known[dealer_id]
            alerts.append(DropAlert(
                dealer_id=dealer_id, code=dealer.code, name=dealer.name, months=months, nets=series,
                changes=[None if not series[k - 1] else percent(series[k] - series[k - 1], series[k - 1])
                         for k in range(1, len(series))]))
    return sorted(alerts, key=lambda a: a.code)


def _ramp(dealers: list[tuple], days: dict, currency: str, date_to: date) -> list[RampUp]:
    new = [row for row in dealers
           if 0 <= (date_to - timezone.localdate(row[4])).days < NEW_DEALER_DAYS]
    if not new:
        return []
    firsts = {pk: days[pk][3] for pk, *_rest in new if pk in days}
    monthly: dict[int, dict[date, Decimal]] = {}
    if firsts:
        with connection.cursor() as cursor:
            cursor.execute(_MONTHLY, {"currency": currency, "dealers": list(firsts),
                                      "since": month_start(min(firsts.values())), "date_to": date_to})
            for dealer_id, month, net in cursor.fetchall():
                monthly.setdefault(dealer_id, {})[month] = Decimal(net or 0) / 100
    out = []
    for pk, code, short, legal, created in new:
        first = firsts.get(pk)
        nets = [Decimal("0.00")] * RAMP_MONTHS
        if first is not None:
            for month, net in monthly.get(pk, {}).items():
                index = months_between(first, month)
                if 0 <= index < RAMP_MONTHS:
                    nets[index] = net
        out.append(RampUp(dealer_id=pk, code=code, name=short or legal, created=timezone.localdate(created),
                          first_order=first, nets=nets))
    return sorted(out, key=lambda r: (r.first_order is None, r.first_order or r.created, r.code))
