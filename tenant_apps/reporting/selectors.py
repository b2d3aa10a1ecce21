"""Reporting's reads: reports run within the reader's scope, the rows behind a figure, and the check that the
rollups equal a fresh computation from the order tables."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tenant_apps.ordering.models import Order, OrderLine
from tenant_apps.reporting.cube import (
    Filters,
    Report,
    ReportSpec,
    dealer_ids,
    report_execute,
    sku_ids,
)
from tenant_apps.reporting.models import RollupState
from tenant_apps.reporting.services import NOT_SALES, source_params, source_sql


def report_run(*, actor, spec: ReportSpec) -> Report:
    """The report, as `actor` may see it (ReportError for a spec that cannot run)."""
    return report_execute(actor, spec)


def rollup_state() -> RollupState | None:
    return RollupState.objects.filter(pk=1).first()


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def sales_lines(*, actor, date_from: date, date_to: date, currency: str = "CNY",
                filters: Filters | None = None) -> QuerySet[OrderLine]:
    """The order lines behind a figure (its period, filters and the reader's scope), newest first: what a
    drill-down lists and what the tests compute reports from directly."""
    filters = filters or Filters()
    lines = OrderLine.objects.filter(
        order__created_at__gte=_local_start(date_from), order__created_at__lt=_local_start(date_to + timedelta(1)),
        order__currency=currency).exclude(order__status__in=NOT_SALES)
    dealers = dealer_ids(actor, filters)
    if dealers is not None:
        lines = lines.filter(order__dealer_id__in=dealers)
    skus = sku_ids(filters)
    if skus is not None:
        lines = lines.filter(sku_id__in=skus)
    return lines.select_related("order__dealer", "sku").order_by("-order__created_at", "-order_id", "line_no")


def sales_orders(*, actor, date_from: date, date_to: date, currency: str = "CNY",
                 filters: Filters | None = None) -> QuerySet[Order]:
    """The orders behind a figure: those with a line among `sales_lines`."""
    lines = sales_lines(actor=actor, date_from=date_from, date_to=date_to, currency=currency, filters=filters)
    return (Order.objects.filter(pk__in=lines.values("order_id")).select_related("dealer")
            .order_by("-created_at", "-id"))


_COMPARE = """
, stored_day AS (SELECT day, dealer_id, sku_id, currency, {m} FROM reporting_salesday),
stored_dealer AS (SELECT day, dealer_id, currency, orders, {m} FROM reporting_dealerday),
stored_month AS (SELECT month, dealer_id, sku_id, currency, {m} FROM reporting_salesmonth),
fresh_month AS (SELECT date_trunc('month', day)::date AS month, dealer_id, sku_id, currency, {sums}
                FROM fresh GROUP BY 1, 2, 3, 4),
stored_product AS (SELECT month, dealer_id, product_id, currency, {m} FROM reporting_productmonth),
fresh_product AS (SELECT month, dealer_id, s.product_id, currency, {sums}
                  FROM fresh_month f JOIN catalog_sku s ON s.id = f.sku_id GROUP BY 1, 2, 3, 4),
stored_sku AS (SELECT month, sku_id, currency, {m} FROM reporting_skumonth),
fresh_sku AS (SELECT month, sku_id, currency, {sums} FROM fresh_month GROUP BY 1, 2, 3)
SELECT 'day' AS rollup, * FROM (
    (SELECT day, dealer_id, sku_id, currency FROM (SELECT * FROM fresh EXCEPT SELECT * FROM stored_day) a)
    UNION (SELECT day, dealer_id, sku_id, currency FROM (SELECT * FROM stored_day EXCEPT SELECT * FROM fresh) b)) x
UNION ALL
SELECT 'dealer_day', day, dealer_id, NULL, currency FROM (
    (SELECT day, dealer_id, currency FROM (SELECT day, dealer_id, currency, orders, {m} FROM fresh_dealer
                                          EXCEPT SELECT * FROM stored_dealer) a)
    UNION (SELECT day, dealer_id, currency FROM (SELECT * FROM stored_dealer EXCEPT
                                                 SELECT day, dealer_id, currency, orders, {m}
                                                 FROM fresh_dealer) b)) y
UNION ALL
SELECT 'month', month, dealer_id, sku_id, currency FROM (
    (SELECT month, dealer_id, sku_id, currency FROM (SELECT * FROM fresh_month EXCEPT SELECT * FROM stored_month) a)
    UNION (SELECT month, dealer_id, sku_id, currency FROM (SELECT * FROM stored_month EXCEPT
                                                           SELECT * FROM fresh_month) b)) z
UNION ALL
SELECT 'product_month', month, dealer_id, product_id, currency FROM (
    (SELECT month, dealer_id, product_id, currency FROM (SELECT * FROM fresh_product EXCEPT
                                                          SELECT * FROM stored_product) a)
    UNION (SELECT month, dealer_id, product_id, currency FROM (SELECT * FROM stored_product EXCEPT
                                                                SELECT * FROM fresh_product) b)) p
UNION ALL
SELECT 'sku_month', month, NULL, sku_id, currency FROM (
    (SELECT month, sku_id, currency FROM (SELECT * FROM fresh_sku EXCEPT SELECT * FROM stored_sku) a)
    UNION (SELECT month, sku_id, currency FROM (SELECT * FROM stored_sku EXCEPT SELECT * FROM fresh_sku) b)) k
ORDER BY 1, 2, 3, 4
LIMIT %(limit)s
"""
_M = "lines, quantity, gross, discount, net, returned_quantity, returned_net"


def rollup_mismatches(*, limit: int = 50) -> list[tuple]:
    """The rollup rows that differ from a fresh computation over the order tables (missing, extra or with other
    figures): [(rollup, day or month, dealer_id, sku_id, currency)] (for "product_month" the fourth is the product,
    for "sku_month" the dealer is None). Empty when the rollups are right."""
    sums = ", ".join(f"sum({m})::{'int' if m == 'lines' else 'bigint'} AS {m}" for m in _M.split(", "))
    sql = source_sql(every_day=True).rstrip() + _COMPARE.format(m=_M, sums=sums)
    params = {**source_params(), "limit": limit}
    with transaction.atomic(), connection.cursor() as cursor:
        # the fresh computation groups every order line: in memory, not in batches spilled to disk
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()
