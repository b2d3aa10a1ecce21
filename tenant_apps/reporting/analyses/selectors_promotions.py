"""Promotion analysis: per promotion, the orders that used it, their spend, the discount given, the budget used,
and the uplift of its sales.

Definitions (the page's help says the same):
- the promotions shown are those whose window overlaps the period (and have the status chosen).
- orders, discount: the promotion's usage records made in the period (one per order that took its discount;
  an order cancelled or rejected gives its usage back), of dealers in the reader's scope.
- spend: the net sales (sum of the order lines' net) of those orders.
- budget used / budget: the promotion's whole life, as its budget ledger stands (not only the period).
- uplift: the net sales (rollups) of the promotion's SKUs (its SKUs and categories; none named: every SKU) to
  its dealers (its tiers, regions and named dealers; none named: every dealer), within the reader's scope,
  during the promotion (from its first day to its last, or to today when it ends later or never) against the
  same number of days just before its first day: (during - before) / before. No sales before: no uplift.
  A promotion that has not started has none either.

Three queries whatever the number of promotions: the promotions, the usage figures, the uplift sales."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from tenant_apps.ordering.models import Order
from tenant_apps.promotions.models import Promotion, PromotionUsage
from tenant_apps.reporting.analyses.common import percent, period_bounds
from tenant_apps.reporting.cube import Filters, dealer_ids


@dataclass
class PromotionFigures:
    promotion: Promotion
    orders: int = 0
    spend: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    during_from: date | None = None
    during_to: date | None = None
    before_from: date | None = None
    sales_during: Decimal = Decimal("0.00")
    sales_before: Decimal = Decimal("0.00")

    @property
    def budget_share(self) -> Decimal | None:
        return percent(self.promotion.budget_used, self.promotion.budget)

    @property
    def uplift(self) -> Decimal | None:
        if self.during_from is None:
            return None
        return percent(self.sales_during - self.sales_before, self.sales_before)


def promotions_in(*, date_from: date, date_to: date, status: str = "") -> QuerySet[Promotion]:
    start, end = period_bounds(date_from, date_to)
    promotions = Promotion.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start), starts_at__lt=end)
    if status:
        promotions = promotions.filter(status=status)
    return promotions.order_by("-starts_at", "code")


def usages_in(*, actor, date_from: date, date_to: date, promotion: Promotion | None = None):
    start, end = period_bounds(date_from, date_to)
    usages = PromotionUsage.objects.filter(created_at__gte=start, created_at__lt=end)
    if promotion is not None:
        usages = usages.filter(promotion=promotion)
    dealers = dealer_ids(actor, Filters())
    if dealers is not None:
        usages = usages.filter(dealer_id__in=dealers)
    return usages


def promotion_orders(*, actor, promotion: Promotion, date_from: date, date_to: date) -> QuerySet[Order]:
    """The orders that used `promotion` in the period (in the reader's scope): the drill-down of its figures."""
    usages = usages_in(actor=actor, date_from=date_from, date_to=date_to, promotion=promotion)
    return Order.objects.filter(number__in=usages.values("order_ref")).select_related("dealer")


_USAGE = """
WITH u AS (SELECT promotion_id, order_ref, discount FROM promotions_promotionusage
           WHERE promotion_id = ANY(%(promotions)s) AND created_at >= %(start)s AND created_at < %(end)s {dealers}),
o AS (SELECT o.number, sum(l.net) AS net FROM ordering_order o JOIN ordering_orderline l ON l.order_id = o.id
      WHERE o.number IN (SELECT order_ref FROM u) GROUP BY o.number)
SELECT u.promotion_id, count(*), sum(u.discount), coalesce(sum(o.net), 0)
FROM u LEFT JOIN o ON o.number = u.order_ref GROUP BY 1
"""

_UPLIFT = """
WITH p AS (SELECT * FROM unnest(%(ids)s::int[], %(d_from)s::date[], %(d_to)s::date[], %(b_from)s::date[])
           AS p(id, d_from, d_to, b_from))
SELECT p.id, coalesce(sum(f.net) FILTER (WHERE f.day >= p.d_from), 0),
       coalesce(sum(f.net) FILTER (WHERE f.day < p.d_from), 0)
FROM p JOIN promotions_promotion pr ON pr.id = p.id
JOIN reporting_salesday f ON f.currency = pr.currency AND f.day >= p.b_from AND f.day <= p.d_to
JOIN dealers_dealer d ON d.id = f.dealer_id
JOIN catalog_sku s ON s.id = f.sku_id
JOIN catalog_product pp ON pp.id = s.product_id
JOIN catalog_category c ON c.id = pp.category_id
WHERE (cardinality(pr.scope_tier_ids) = 0 OR d.tier_id = ANY(pr.scope_tier_ids))
  AND (cardinality(pr.scope_dealer_ids) = 0 OR d.id = ANY(pr.scope_dealer_ids))
  AND (cardinality(pr.scope_territory_ids) = 0 OR EXISTS (
       SELECT 1 FROM dealers_dealer_territories dt JOIN dealers_territory t ON t.id = dt.territory_id
       JOIN dealers_territory above ON t.path <@ above.path
       WHERE dt.dealer_id = d.id AND above.id = ANY(pr.scope_territory_ids)))
  AND ((cardinality(pr.scope_sku_ids) = 0 AND cardinality(pr.scope_category_ids) = 0)
       OR f.sku_id = ANY(pr.scope_sku_ids)
       OR pr.scope_category_ids && string_to_array(c.path::text, '.')::int[])
  {dealers}
GROUP BY p.id
"""


def uplift_window(promotion: Promotion, today: date) -> tuple[date, date, date] | None:
    """(during from, during to, before from) of a promotion that has started, else None."""
    first = timezone.localdate(promotion.starts_at)
    if first > today:
        return None
    last = today
    if promotion.ends_at is not None:
        last = min(today, timezone.localdate(promotion.ends_at - timedelta(microseconds=1)))
    length = (last - first).days + 1
    return first, last, first - timedelta(days=length)


def promotion_analysis(*, actor, date_from: date, date_to: date, status: str = "") -> list[PromotionFigures]:
    promotions = list(promotions_in(date_from=date_from, date_to=date_to, status=status))
    if not promotions:
        return []
    figures = {p.pk: PromotionFigures(promotion=p) for p in promotions}
    start, end = period_bounds(date_from, date_to)
    dealers = dealer_ids(actor, Filters())
    params = {"promotions": list(figures), "start": start, "end": end, "dealers": dealers}
    today = timezone.localdate()
    windows = {pk: uplift_window(f.promotion, today) for pk, f in figures.items()}
    started = [pk for pk, window in windows.items() if window]
    with connection.cursor() as cursor:
        cursor.execute(_USAGE.format(dealers="AND dealer_id = ANY(%(dealers)s)" if dealers is not None else ""),
                       params)
        for pk, orders, discount, spend in cursor.fetchall():
            figures[pk].orders, figures[pk].discount, figures[pk].spend = orders, discount, spend
        if started:
            cursor.execute(_UPLIFT.format(dealers="AND f.dealer_id = ANY(%(dealers)s)" if dealers is not None else ""),
                           {"ids": started, "d_from": [windows[pk][0] for pk in started],
                            "d_to": [windows[pk][1] for pk in started],
                            "b_from": [windows[pk][2] for pk in started], "dealers": dealers})
            for pk, during, before in cursor.fetchall():
                figures[pk].sales_during, figures[pk].sales_before = Decimal(during) / 100, Decimal(before) / 100
    for pk in started:
        figures[pk].during_from, figures[pk].during_to, figures[pk].before_from = windows[pk]
    return list(figures.values())
