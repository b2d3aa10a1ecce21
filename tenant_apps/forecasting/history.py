"""Weekly demand history, read in one query per series kind.

Demand = base units (quantity x pack factor) of each SKU on the lines of orders submitted before a date, in every
status but draft, cancelled and rejected, by ISO week (Monday) of the submission in the brand's time zone. A
supplier's pass-up line (ordering/pass_up.py: it carries a sub-dealer's line up to headquarters) is left out: the
sub-dealer's own line is that demand already.

Region: the top region node above the dealer in the network tree (what the console's reports show as regions: the
level below headquarters); NULL for dealers under no region. Warehouse: the headquarters warehouse that serves the
dealer first, as ordering.submission.warehouse_ranks ranks them (active, serving an area inside or around one of the
dealer's territories, else any; the lowest id among equals)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import connection
from django.utils import timezone

EXCLUDED = ("draft", "cancelled", "rejected")

_REGION = """(SELECT r.id FROM dealers_node r WHERE r.kind = 'region' AND r.path @> n.path
              ORDER BY nlevel(r.path) LIMIT 1)"""
_WAREHOUSE = """(SELECT w.id FROM inventory_warehouse w WHERE w.is_active AND w.owner_id IS NULL
    ORDER BY CASE WHEN NOT EXISTS (SELECT 1 FROM dealers_dealer_territories dt WHERE dt.dealer_id = d.id)
        OR EXISTS (SELECT 1 FROM inventory_warehouse_territories wt
                   JOIN dealers_territory t ON t.id = wt.territory_id
                   JOIN dealers_dealer_territories dt ON dt.dealer_id = d.id
                   JOIN dealers_territory mine ON mine.id = dt.territory_id
                   WHERE wt.warehouse_id = w.id AND (t.path <@ mine.path OR t.path @> mine.path))
        THEN 0 ELSE 1 END, w.id LIMIT 1)"""
KEYS = {"region": _REGION, "warehouse": _WAREHOUSE}

_SQL = """
WITH dealer AS MATERIALIZED (SELECT d.id, {key} AS key FROM dealers_dealer d JOIN dealers_node n ON n.id = d.node_id)
SELECT l.sku_id, dealer.key, (date_trunc('week', o.submitted_at AT TIME ZONE %(tz)s))::date AS week,
       sum(l.quantity * l.factor)
FROM ordering_order o
JOIN ordering_orderline l ON l.order_id = o.id
JOIN dealer ON dealer.id = o.dealer_id
WHERE o.submitted_at >= %(start)s AND o.submitted_at < %(end)s AND o.status NOT IN %(excluded)s
  AND l.passed_from_id IS NULL
GROUP BY 1, 2, 3"""


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _instant(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def weekly_demand(*, scope: str, start: date | None, end: date) -> dict[tuple[int, int | None], dict[date, float]]:
    """{(sku id, region or warehouse id): {week's Monday: base units}} of the orders submitted in [start, end)
    (start None: from the beginning). A dealer with no headquarters warehouse has key None."""
    rows = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(key=KEYS[scope]), {
            "tz": timezone.get_current_timezone_name(), "excluded": EXCLUDED,
            "start": _instant(start) if start else datetime(1970, 1, 1, tzinfo=timezone.get_current_timezone()),
            "end": _instant(end)})
        for sku_id, key, week, quantity in cursor.fetchall():
            rows[(sku_id, key)][week] = float(quantity)
    return dict(rows)


def as_array(weeks: dict[date, float], *, end: date, length: int | None = None) -> np.ndarray:
    """The weekly values up to the week before `end` (a Monday), oldest first, zero where nothing was ordered:
    from the first week with demand, or the last `length` weeks."""
    if length is None:
        first = min(weeks) if weeks else end
        length = (end - first).days // 7
    start = end - timedelta(weeks=length)
    values = np.zeros(length)
    for week, quantity in weeks.items():
        index = (week - start).days // 7
        if 0 <= index < length:
            values[index] += quantity
    return values
