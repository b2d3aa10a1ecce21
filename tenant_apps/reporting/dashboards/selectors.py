"""The dashboards' reads. Every sales figure comes from the report engine (reporting.selectors.report_run) within
the reader's data scope, so a regional manager's dashboard counts their region and a sales rep's their own dealers
with no filter of ours; the rest comes from the other apps' selectors (orders by state, approvals waiting,
receivables) or, where none exists, a read of their table (stock alerts, promotions used). A dashboard is a
constant number of queries whatever the data: each part is one report or one aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.accounts.permissions import INVENTORY_VIEW, ORDERS_APPROVE, RECEIVABLES_VIEW, has_perm
from tenant_apps.approvals.selectors import approval_inbox
from tenant_apps.core.money import tenant_currency
from tenant_apps.finance.selectors_rebates import rebate_lines_of, rebate_pool
from tenant_apps.finance.selectors_receivables import ageing
from tenant_apps.fulfillment.selectors import shipments_visible_to, work_waiting
from tenant_apps.inventory.models import LowStockAlert
from tenant_apps.ordering.models import OrderStatus
from tenant_apps.ordering.selectors import order_status_counts
from tenant_apps.promotions.models import PromotionUsage
from tenant_apps.reporting.charts import Drill, chart_for
from tenant_apps.reporting.cube import MAX_ROWS, Report, ReportSpec
from tenant_apps.reporting.dashboards.links import page_url, sales_url
from tenant_apps.reporting.selectors import report_run, rollup_state

ZERO = Decimal("0")
TOP = 10
ALERTS_SHOWN = 5
PERIODS = {"month": gettext_lazy("This month"), "year": gettext_lazy("Year to date")}
# States an order board counts (a draft is the dealer's cart, not an order yet).
COUNTED_STATES = [state for state in OrderStatus.values if state != OrderStatus.DRAFT]


# --- building blocks -----------------------------------------------------------------------------------------

def same_day_last_year(day: date) -> date:
    """The same day a year before (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Figure:
    """A figure beside the same period a year before, with the link to its analysis."""

    label: str
    current: Decimal
    previous: Decimal
    url: str

    @property
    def change(self) -> Decimal | None:
        """Percent change on the year before, one decimal; None when the year before sold nothing."""
        if not self.previous:
            return None
        return ((self.current - self.previous) / self.previous * 100).quantize(Decimal("0.1"))

    @property
    def direction(self) -> str:
        change = self.change
        return "" if change is None or change == 0 else ("up" if change > 0 else "down")


@dataclass
class Chart:
    """A report drawn as a chart over its table (reporting/_chart.html)."""

    id: str
    report: Report
    chart: dict
    drill: Drill | None = None


@dataclass
class Count_:
    label: str
    count: int
    url: str = ""


@dataclass
class Freshness:
    """How far the rollups behind the figures are brought up to date."""

    as_of: datetime | None


def freshness() -> Freshness:
    state = rollup_state()
    return Freshness(as_of=state.refreshed_at if state else None)


def period_bounds(period: str, today: date) -> tuple[date, date]:
    return (date(today.year, 1, 1) if period == "year" else today.replace(day=1)), today


def _chart(actor, *, id: str, spec: ReportSpec, kind: str, title: str, drill: Drill | None) -> Chart:
    report = report_run(actor=actor, spec=spec)
    return Chart(id=id, report=report, chart=chart_for(report, kind=kind, title=title, drill=drill), drill=drill)


def sales_figures(*, actor, today: date, currency: str) -> list[Figure]:
    """Sales today, this month and this year to date, each beside the same days a year before: one report by day
    from the first of January of last year (at most 731 rows), summed here per window."""
    last = same_day_last_year(today)
    spec = ReportSpec(date_from=date(today.year - 1, 1, 1), date_to=today, dimensions=("day",), measures=("net",),
                      currency=currency, limit=MAX_ROWS)
    by_day = {row.keys[0]: row.values[0] for row in report_run(actor=actor, spec=spec).rows}

    def total(start: date, end: date) -> Decimal:
        return sum((value for day, value in by_day.items() if start <= day <= end), ZERO)

    windows = [(_("Sales today"), today, last, ("dealer",)),
               (_("Sales this month"), today.replace(day=1), last.replace(day=1), ("day",)),
               (_("Sales this year"), date(today.year, 1, 1), date(last.year, 1, 1), ("month",))]
    return [Figure(label=label, current=total(start, today), previous=total(start_before, last),
                   url=sales_url(date_from=start, date_to=today, dims=dims))
            for label, start, start_before, dims in windows]


def low_stock(actor) -> dict | None:
    """Open low-stock alerts (count and the latest few) for a reader of stock; None for others."""
    if not has_perm(actor, INVENTORY_VIEW):
        return None
    alerts = LowStockAlert.objects.filter(resolved_at__isnull=True)
    return {"count": alerts.count(),
            "latest": list(alerts.select_related("stock__sku", "stock__warehouse")[:ALERTS_SHOWN]),
            "url": page_url("inventory:warehouses")}


# --- brand staff ---------------------------------------------------------------------------------------------

@dataclass
class StaffDashboard:
    period: str
    date_from: date
    date_to: date
    currency: str
    figures: list[Figure]
    charts: list[Chart]
    states: list[Count_]
    approvals: Count_ | None
    stock: dict | None
    receivables: dict | None
    freshness: Freshness
    periods: list[dict] = field(default_factory=list)


def staff_dashboard(*, actor, period: str = "month", today: date | None = None) -> StaffDashboard:
    """Sales (today, this month, this year against last year; by region, by province, top dealers and SKUs of
    `period`), orders by state, approvals waiting, low stock and receivables, all within the reader's scope."""
    period = period if period in PERIODS else "month"
    today = today or timezone.localdate()
    currency = tenant_currency()
    date_from, date_to = period_bounds(period, today)

    def spec(*dims: str, limit: int = 1000) -> ReportSpec:
        return ReportSpec(date_from=date_from, date_to=date_to, dimensions=dims, measures=("net",),
                          currency=currency, limit=limit)

    def drill(dims: tuple[str, ...], name: str) -> Drill:
        return Drill(lambda row: sales_url(date_from=date_from, date_to=date_to, dims=dims,
                                           **{name: row.keys[0]}))

    charts = [
        _chart(actor, id="chart-region", spec=spec("region"), kind="bar", title=_("Sales by region"),
               drill=drill(("dealer",), "region")),
        _chart(actor, id="chart-province", spec=spec("province"), kind="map", title=_("Sales by province"),
               drill=drill(("dealer",), "province")),
        _chart(actor, id="chart-dealers", spec=spec("dealer", limit=TOP), kind="hbar", title=_("Top 10 dealers"),
               drill=drill(("sku",), "dealer")),
        _chart(actor, id="chart-skus", spec=spec("sku", limit=TOP), kind="hbar", title=_("Top 10 SKUs"),
               drill=drill(("dealer",), "sku")),
    ]
    counts = order_status_counts(actor=actor)
    labels = dict(OrderStatus.choices)
    states = [Count_(label=str(labels[state]), count=counts[state],
                     url=page_url("orders_console:board", status=state))
              for state in COUNTED_STATES if counts[state]]
    approvals = None
    if has_perm(actor, ORDERS_APPROVE):
        approvals = Count_(label=_("Approvals waiting for you"), count=approval_inbox(actor=actor).count(),
                           url=page_url("approvals:inbox"))
    receivables = None
    if has_perm(actor, RECEIVABLES_VIEW):
        totals = ageing(actor=actor, today=today).totals
        receivables = {"total": totals.total, "overdue": totals.overdue, "due_soon": totals.due_soon,
                       "url": page_url("finance_console:receivables")}
    return StaffDashboard(
        period=period, date_from=date_from, date_to=date_to, currency=currency,
        figures=sales_figures(actor=actor, today=today, currency=currency), charts=charts, states=states,
        approvals=approvals, stock=low_stock(actor), receivables=receivables, freshness=freshness(),
        periods=[{"key": key, "label": label, "url": page_url("reporting:dashboard", period=key),
                  "current": key == period} for key, label in PERIODS.items()])


# --- warehouse -----------------------------------------------------------------------------------------------

@dataclass
class WarehouseDashboard:
    work: list[Count_]
    shipped: list[Count_]
    stock: dict | None


def warehouse_dashboard(*, actor, today: date | None = None) -> WarehouseDashboard:
    """Orders to allocate and to ship, returns waiting, shipments sent today and this week, stock alerts."""
    today = today or timezone.localdate()
    waiting = work_waiting(actor=actor)
    home = page_url("fulfillment:home")
    work = [Count_(label=_("Approved orders to allocate"), count=waiting["to_allocate"], url=home),
            Count_(label=_("Allocated orders to ship"), count=waiting["to_ship"], url=home),
            Count_(label=_("Returns waiting"), count=waiting["returns"], url=page_url("fulfillment:returns"))]
    day_start = timezone.make_aware(datetime.combine(today, time.min))
    week_start = day_start - timedelta(days=today.weekday())
    sent = shipments_visible_to(actor).aggregate(
        today=Count("pk", filter=Q(shipped_at__gte=day_start)),
        week=Count("pk", filter=Q(shipped_at__gte=week_start)))
    shipments = page_url("fulfillment:shipments")
    shipped = [Count_(label=_("Shipped today"), count=sent["today"], url=shipments),
               Count_(label=_("Shipped this week"), count=sent["week"], url=shipments)]
    return WarehouseDashboard(work=work, shipped=shipped, stock=low_stock(actor))


# --- dealer --------------------------------------------------------------------------------------------------

@dataclass
class DealerDashboard:
    date_from: date
    date_to: date
    currency: str
    total: Decimal
    charts: list[Chart]
    promotions: list[dict]
    rebate_pool: Decimal
    rebates: list
    freshness: Freshness


def months_back(today: date, months: int) -> date:
    """The first day of the month `months` - 1 months before this one (12: the last twelve months with this one)."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def dealer_dashboard(*, actor, today: date | None = None) -> DealerDashboard:
    """A dealer's own purchases over the last twelve months (by month, by category), the promotions its orders
    took, its rebate pool. The engine counts only the reader's own dealer (its scope)."""
    today = today or timezone.localdate()
    currency = tenant_currency()
    date_from = months_back(today, 12)
    orders = Drill(lambda row: page_url("orders:list"))
    charts = []
    for id, dims, kind, title in (("chart-months", ("month",), "bar", _("Purchases by month")),
                                  ("chart-categories", ("category",), "pie", _("Purchases by category"))):
        spec = ReportSpec(date_from=date_from, date_to=today, dimensions=dims, measures=("net",), currency=currency)
        charts.append(_chart(actor, id=id, spec=spec, kind=kind, title=title, drill=orders))
    dealer = actor.dealer
    promotions = list(PromotionUsage.objects.filter(dealer=dealer, created_at__date__gte=date_from)
                      .values("promotion_id", "promotion__name")
                      .annotate(orders=Count("pk"), discount=Sum("discount"))
                      .order_by("-discount", "promotion_id")[:TOP])
    return DealerDashboard(date_from=date_from, date_to=today, currency=currency, total=charts[0].report.totals[0],
                           charts=charts, promotions=promotions, rebate_pool=rebate_pool(dealer=dealer,
                                                                                          currency=currency),
                           rebates=rebate_lines_of(dealer=dealer, limit=5), freshness=freshness())
