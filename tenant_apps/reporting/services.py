"""Reporting's writes: bringing the sales rollups up to date (docs/dev/reporting.md).

The rollups are derived data. A refresh finds the days whose figures may have changed since the last one (orders
changed since the watermark, less a margin, count on the day they were first submitted; returns on the day they
were received) and recomputes those days whole from the order tables, then the months that hold them from the
days. Recomputing a day is idempotent, so the margin (changes committed late, clocks apart) costs a little work,
never a wrong figure. One refresh runs at a time per workspace (the state row's lock).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from tenant_apps.reporting.models import RollupState

# Changes whose `updated_at` is this much older than the last refresh's start are still looked at again: a
# transaction that stamped its rows before the refresh started and committed after it is caught by the next one.
MARGIN = timedelta(minutes=10)
# Order states whose lines are not sales.
NOT_SALES = ("draft", "rejected", "cancelled")

_MEASURES = "lines, quantity, gross, discount, net, returned_quantity, returned_net"

# The lines and returns of the days in %(days)s (date[]), or of every day when the day join is left out.
_SOURCE = """
WITH days AS (SELECT unnest(%(days)s::date[]) AS day),
sold AS (
    SELECT (o.created_at AT TIME ZONE %(tz)s)::date AS day, o.dealer_id, l.sku_id, o.currency,
           count(*) AS lines, sum(l.quantity::bigint * l.factor) AS quantity,
           sum(round(l.gross * 100))::bigint AS gross, sum(round(l.discount * 100))::bigint AS discount,
           sum(round(l.net * 100))::bigint AS net
    FROM {order_days}
    JOIN ordering_orderline l ON l.order_id = o.id
    WHERE o.status NOT IN %(not_sales)s
    GROUP BY 1, 2, 3, 4
),
returned AS (
    SELECT (r.received_at AT TIME ZONE %(tz)s)::date AS day, o.dealer_id, l.sku_id, o.currency,
           sum(rl.quantity)::bigint AS returned_quantity,
           sum(CASE WHEN l.quantity * l.factor > 0
                    THEN round(l.net * rl.quantity / (l.quantity * l.factor) * 100) ELSE 0 END)::bigint AS returned_net
    FROM {return_days}
    JOIN fulfillment_returnline rl ON rl.return_request_id = r.id
    JOIN ordering_orderline l ON l.id = rl.order_line_id
    JOIN ordering_order o ON o.id = l.order_id
    WHERE r.status = 'received'
    GROUP BY 1, 2, 3, 4
),
fresh AS (
    SELECT day, dealer_id, sku_id, currency,
           coalesce(s.lines, 0) AS lines, coalesce(s.quantity, 0) AS quantity, coalesce(s.gross, 0) AS gross,
           coalesce(s.discount, 0) AS discount, coalesce(s.net, 0) AS net,
           coalesce(r.returned_quantity, 0) AS returned_quantity, coalesce(r.returned_net, 0) AS returned_net
    FROM sold s FULL JOIN returned r USING (day, dealer_id, sku_id, currency)
),
orders AS (
    SELECT (o.created_at AT TIME ZONE %(tz)s)::date AS day, o.dealer_id, o.currency, count(*) AS orders
    FROM {order_days}
    WHERE o.status NOT IN %(not_sales)s
    GROUP BY 1, 2, 3
),
fresh_dealer AS (
    SELECT day, dealer_id, currency, coalesce(o.orders, 0) AS orders,
           coalesce(f.lines, 0) AS lines, coalesce(f.quantity, 0) AS quantity, coalesce(f.gross, 0) AS gross,
           coalesce(f.discount, 0) AS discount, coalesce(f.net, 0) AS net,
           coalesce(f.returned_quantity, 0) AS returned_quantity, coalesce(f.returned_net, 0) AS returned_net
    FROM (SELECT day, dealer_id, currency, sum(lines)::int AS lines, sum(quantity)::bigint AS quantity,
                 sum(gross)::bigint AS gross, sum(discount)::bigint AS discount, sum(net)::bigint AS net,
                 sum(returned_quantity)::bigint AS returned_quantity, sum(returned_net)::bigint AS returned_net
          FROM fresh GROUP BY 1, 2, 3) f
    FULL JOIN orders o USING (day, dealer_id, currency)
)
"""
_ORDER_DAYS = """days JOIN ordering_order o
      ON o.created_at >= (days.day::timestamp AT TIME ZONE %(tz)s)
     AND o.created_at < ((days.day + 1)::timestamp AT TIME ZONE %(tz)s)"""
_RETURN_DAYS = """days JOIN fulfillment_returnrequest r
      ON r.received_at >= (days.day::timestamp AT TIME ZONE %(tz)s)
     AND r.received_at < ((days.day + 1)::timestamp AT TIME ZONE %(tz)s)"""


def source_sql(*, every_day: bool) -> str:
    """The CTEs `fresh` (day x dealer x SKU) and `fresh_dealer` (day x dealer) computed from the order tables: of
    the days in %(days)s, or of every day."""
    if every_day:
        return _SOURCE.format(order_days="ordering_order o", return_days="fulfillment_returnrequest r")
    return _SOURCE.format(order_days=_ORDER_DAYS, return_days=_RETURN_DAYS)


def source_params(days: list[date] | None = None) -> dict:
    return {"days": days or [], "tz": timezone.get_current_timezone_name(), "not_sales": NOT_SALES}


def _dirty_days(cursor, since) -> list[date]:
    cursor.execute(
        """SELECT (created_at AT TIME ZONE %(tz)s)::date FROM ordering_order WHERE updated_at >= %(since)s
           UNION
           SELECT (received_at AT TIME ZONE %(tz)s)::date FROM fulfillment_returnrequest
           WHERE received_at >= %(since)s""",
        {"tz": timezone.get_current_timezone_name(), "since": since})
    return sorted(row[0] for row in cursor.fetchall())


# A day's figures per dealer from its SKU rows just written (the same as `fresh_dealer` of the source, without
# aggregating the order lines a second time) and the order count of the orders themselves.
_DEALER_DAYS = """
WITH days AS (SELECT unnest(%(days)s::date[]) AS day),
orders AS (
    SELECT (o.created_at AT TIME ZONE %(tz)s)::date AS day, o.dealer_id, o.currency, count(*) AS orders
    FROM {order_days}
    WHERE o.status NOT IN %(not_sales)s
    GROUP BY 1, 2, 3
),
sums AS (
    SELECT day, dealer_id, currency, sum(lines)::int AS lines, sum(quantity)::bigint AS quantity,
           sum(gross)::bigint AS gross, sum(discount)::bigint AS discount, sum(net)::bigint AS net,
           sum(returned_quantity)::bigint AS returned_quantity, sum(returned_net)::bigint AS returned_net
    FROM reporting_salesday {where}
    GROUP BY 1, 2, 3
)
INSERT INTO reporting_dealerday (day, dealer_id, currency, orders, lines, quantity, gross, discount, net,
                                 returned_quantity, returned_net)
SELECT day, dealer_id, currency, coalesce(o.orders, 0), coalesce(s.lines, 0), coalesce(s.quantity, 0),
       coalesce(s.gross, 0), coalesce(s.discount, 0), coalesce(s.net, 0), coalesce(s.returned_quantity, 0),
       coalesce(s.returned_net, 0)
FROM sums s FULL JOIN orders o USING (day, dealer_id, currency)
ORDER BY 1, 2, 3
"""
_SUMS_SQL = ", ".join(f"sum({m})" for m in _MEASURES.split(", "))
# The coarser month rollups, each the sum of month x dealer x SKU rows (of the months in %(months)s, or of all).
_COARSE = (
    f"""INSERT INTO reporting_productmonth (month, dealer_id, product_id, currency, {_MEASURES})
        SELECT m.month, m.dealer_id, s.product_id, m.currency, {_SUMS_SQL}
        FROM reporting_salesmonth m JOIN catalog_sku s ON s.id = m.sku_id {{where}}
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""",  # noqa: S608 - names and SQL from this module
    f"""INSERT INTO reporting_skumonth (month, sku_id, currency, {_MEASURES})
        SELECT m.month, m.sku_id, m.currency, {_SUMS_SQL}
        FROM reporting_salesmonth m {{where}}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",  # noqa: S608 - names and SQL from this module
)
_ROLLUP_TABLES = ("reporting_salesday", "reporting_dealerday", "reporting_salesmonth", "reporting_productmonth",
                  "reporting_skumonth")


def _recompute(cursor, days: list[date] | None) -> int:
    """Recompute the rollup rows of `days` (None: every day) from the order tables; the number of days.

    The order lines are aggregated once, into day x dealer x SKU; every other rollup is summed from the rollup
    rows just written (day x dealer from the days, months from the days, the coarser months from the months).
    Rows are written in the order of their keys (period first, then dealer): a hash aggregate hands its groups
    over in no order, and a day's rows spread over the whole table made a report of a few days read most of its
    pages; in key order the rows of a period, and of a region's dealers within it, lie together. A full build
    groups a million lines into as many groups: work_mem is raised for this transaction only, so that the hash
    aggregates stay in memory instead of spilling to disk in batches."""
    params = source_params(days)
    cursor.execute("SET LOCAL work_mem = '128MB'")
    if days is None:
        cursor.execute("; ".join(f"DELETE FROM {table}" for table in _ROLLUP_TABLES))  # noqa: S608 - names and SQL from this module
    else:
        cursor.execute("DELETE FROM reporting_salesday WHERE day = ANY(%(days)s::date[])", params)
        cursor.execute("DELETE FROM reporting_dealerday WHERE day = ANY(%(days)s::date[])", params)
    source = source_sql(every_day=days is None)
    cursor.execute(source + f"""INSERT INTO reporting_salesday (day, dealer_id, sku_id, currency, {_MEASURES})
                                SELECT day, dealer_id, sku_id, currency, {_MEASURES} FROM fresh
                                ORDER BY 1, 2, 3, 4""", params)  # noqa: S608 - names and SQL from this module, values as parameters
    cursor.execute(_DEALER_DAYS.format(order_days="ordering_order o" if days is None else _ORDER_DAYS,
                                       where="" if days is None else "WHERE day = ANY(%(days)s::date[])"), params)
    if days is None:
        cursor.execute(f"""INSERT INTO reporting_salesmonth (month, dealer_id, sku_id, currency, {_MEASURES})
                           {_MONTHS_FROM_DAYS.format(where="")}""")
        for sql in _COARSE:
            cursor.execute(sql.format(where=""))
        cursor.execute("SELECT count(DISTINCT day) FROM reporting_dealerday")
        return cursor.fetchone()[0]
    months = {"months": sorted({day.replace(day=1) for day in days})}
    for table in _ROLLUP_TABLES[2:]:
        cursor.execute(f"DELETE FROM {table} WHERE month = ANY(%(months)s::date[])", months)  # noqa: S608 - names from this module
    cursor.execute(f"""INSERT INTO reporting_salesmonth (month, dealer_id, sku_id, currency, {_MEASURES})
                       {_MONTHS_FROM_DAYS.format(where=_MONTHS_WHERE)}""", months)
    for sql in _COARSE:
        cursor.execute(sql.format(where="WHERE m.month = ANY(%(months)s::date[])"), months)
    return len(days)


_MONTHS_FROM_DAYS = """
    SELECT date_trunc('month', day)::date, dealer_id, sku_id, currency, sum(lines), sum(quantity), sum(gross),
           sum(discount), sum(net), sum(returned_quantity), sum(returned_net)
    FROM reporting_salesday {where}
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4"""
_MONTHS_WHERE = """JOIN unnest(%(months)s::date[]) AS m(month)
                   ON day >= m.month AND day < (m.month + interval '1 month')::date"""


def rollups_refresh(*, full: bool = False) -> RollupState:
    """Bring the rollups up to date: the days changed since the last refresh (or all of them, `full`)."""
    started = time.perf_counter()
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        # The application's clock, which stamps `updated_at` too (the margin covers servers' clocks apart).
        now = timezone.now()
        with connection.cursor() as cursor:
            if full or state.watermark is None:
                count = _recompute(cursor, None)
                state.rebuilt_at = now
            else:
                days = _dirty_days(cursor, state.watermark - MARGIN)
                count = _recompute(cursor, days) if days else 0
        state.watermark = now
        state.refreshed_at = now
        state.last_days = count
        state.last_ms = round((time.perf_counter() - started) * 1000)
        state.save()
    return state


def rollups_recompute_recent(*, days: int = 40) -> RollupState:
    """Nightly: recompute the last `days` days whatever the watermark says (a belt to the margin's braces)."""
    today = timezone.localdate()
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        with connection.cursor() as cursor:
            _recompute(cursor, [today - timedelta(days=n) for n in range(days, -1, -1)])
    return state
