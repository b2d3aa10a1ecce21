"""Pricing analysis: price-protection exposure and the compensation owed, per dealer and per protection window.

Definitions (the page's help says the same):
- the windows shown overlap the period; a window of one dealer only when that dealer is in the reader's scope.
  Figures count only dealers in the reader's scope.
- bought in the window: the purchases (what dealers ordered, at the price they paid) of the SKUs a window
  covers, by the dealers it covers, on its days; a purchase that several windows cover counts for one, the one
  price protection compensates it under (the dealer's own window first, then the earliest). Units are base units.
- value bought = quantity x price paid; exposure = value bought x the assumed price cut (a percentage): what
  protection would owe the dealers if the brand cut those prices by that much now.
- compensation owed / booked: the compensation rows recorded for the window and dealer, by status.

Four queries whatever the number of windows and dealers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from tenant_apps.core.money import quantize, tenant_currency
from tenant_apps.dealers.models import Dealer
from tenant_apps.pricing.models import CompensationStatus, ProtectionCompensation, ProtectionWindow
from tenant_apps.reporting.cube import Filters, dealer_ids


@dataclass
class Exposure:
    units: int = 0
    value: Decimal = Decimal("0.00")
    exposure: Decimal = Decimal("0.00")
    owed: Decimal = Decimal("0.00")
    booked: Decimal = Decimal("0.00")
    compensations: int = 0

    def add(self, other: Exposure) -> None:
        self.units += other.units
        self.value += other.value
        self.exposure += other.exposure
        self.owed += other.owed
        self.booked += other.booked
        self.compensations += other.compensations


@dataclass
class ExposureRow:
    key: int
    label: str
    figures: Exposure = field(default_factory=Exposure)
    window: ProtectionWindow | None = None


@dataclass
class PricingAnalysis:
    date_from: date
    date_to: date
    cut: Decimal
    currency: str
    windows: list[ExposureRow]
    dealers: list[ExposureRow]
    cells: list[tuple[ExposureRow, ExposureRow, Exposure]]  # (window, dealer, figures)
    totals: Exposure


def windows_in(*, actor, date_from: date, date_to: date, currency: str) -> QuerySet[ProtectionWindow]:
    windows = ProtectionWindow.objects.filter(starts_on__lte=date_to, ends_on__gte=date_from, currency=currency)
    dealers = dealer_ids(actor, Filters())
    if dealers is not None:
        windows = windows.filter(Q(dealer__isnull=True) | Q(dealer_id__in=dealers))
    return windows.select_related("dealer").order_by("-starts_on", "pk")


def compensations_for(*, actor, dealer: Dealer, currency: str | None = None) -> QuerySet[ProtectionCompensation]:
    """A dealer's compensation rows (the drill-down; the caller found `dealer` with dealer_get_for)."""
    rows = ProtectionCompensation.objects.filter(dealer=dealer).select_related("window", "sku", "unit", "purchase")
    if currency:
        rows = rows.filter(currency=currency)
    return rows.order_by("-created_at", "-pk")


# Each purchase under the window that compensates it (pricing.services.protection_compensate's order), then
# summed per window and dealer for the windows asked about.
_BOUGHT = """
WITH assigned AS (
    SELECT DISTINCT ON (p.id) p.id, w.id AS window_id, p.dealer_id,
           p.quantity::bigint * coalesce(su.factor, 1) AS units, p.quantity * p.unit_price AS value
    FROM pricing_purchaserecord p
    JOIN pricing_protectionwindow w
      ON w.currency = p.currency AND (w.dealer_id IS NULL OR w.dealer_id = p.dealer_id)
     AND (p.bought_at AT TIME ZONE %(tz)s)::date BETWEEN w.starts_on AND w.ends_on
     AND (NOT EXISTS (SELECT 1 FROM pricing_protectionwindow_skus ws WHERE ws.protectionwindow_id = w.id)
          OR EXISTS (SELECT 1 FROM pricing_protectionwindow_skus ws
                     WHERE ws.protectionwindow_id = w.id AND ws.sku_id = p.sku_id))
    LEFT JOIN catalog_skuunit su ON su.sku_id = p.sku_id AND su.unit_id = p.unit_id
    WHERE p.currency = %(currency)s {dealers}
    ORDER BY p.id, w.dealer_id IS NULL, w.starts_on, w.id
)
SELECT window_id, dealer_id, sum(units), sum(value) FROM assigned
WHERE window_id = ANY(%(windows)s) GROUP BY 1, 2
"""


def pricing_analysis(*, actor, date_from: date, date_to: date, cut: Decimal = Decimal(10),
                     currency: str | None = None) -> PricingAnalysis:
    currency = currency or tenant_currency()
    windows = list(windows_in(actor=actor, date_from=date_from, date_to=date_to, currency=currency))
    ids = [w.pk for w in windows]
    dealers = dealer_ids(actor, Filters())
    cells: dict[tuple[int, int], Exposure] = {}
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(_BOUGHT.format(dealers="AND p.dealer_id = ANY(%(dealers)s)" if dealers is not None else ""),
                           {"tz": timezone.get_current_timezone_name(), "currency": currency, "windows": ids,
                            "dealers": dealers})
            for window_id, dealer_id, units, value in cursor.fetchall():
                cell = cells.setdefault((window_id, dealer_id), Exposure())
                cell.units, cell.value = int(units), quantize(value, currency)
                cell.exposure = quantize(value * cut / 100, currency)
        compensations = ProtectionCompensation.objects.filter(window_id__in=ids, currency=currency)
        if dealers is not None:
            compensations = compensations.filter(dealer_id__in=dealers)
        for row in compensations.values("window_id", "dealer_id").annotate(
                owed=Sum("amount", filter=Q(status=CompensationStatus.OWED)),
                booked=Sum("amount", filter=Q(status=CompensationStatus.BOOKED)), count=Count("id")):
            cell = cells.setdefault((row["window_id"], row["dealer_id"]), Exposure())
            cell.owed, cell.booked = row["owed"] or Decimal("0.00"), row["booked"] or Decimal("0.00")
            cell.compensations = row["count"]
    names = {pk: short or legal for pk, short, legal in
             Dealer.objects.filter(pk__in={d for _w, d in cells}).values_list("pk", "name", "legal_name")}
    by_window = {w.pk: ExposureRow(w.pk, w.name, window=w) for w in windows}
    by_dealer = {pk: ExposureRow(pk, name) for pk, name in names.items()}
    totals = Exposure()
    out_cells = []
    for (window_id, dealer_id), cell in sorted(cells.items()):
        by_window[window_id].figures.add(cell)
        by_dealer[dealer_id].figures.add(cell)
        totals.add(cell)
        out_cells.append((by_window[window_id], by_dealer[dealer_id], cell))
    out_cells.sort(key=lambda c: (c[0].window.starts_on, c[0].key, c[1].label), reverse=False)
    return PricingAnalysis(
        date_from=date_from, date_to=date_to, cut=cut, currency=currency, windows=list(by_window.values()),
        dealers=sorted(by_dealer.values(), key=lambda r: (-r.figures.owed, -r.figures.exposure, r.label)),
        cells=out_cells, totals=totals)
