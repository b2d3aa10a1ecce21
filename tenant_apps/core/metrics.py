"""Business counters exported at /internal/metrics (dms.metrics serves them; docs/dev/observability.md).

They live here, in the bottom layer, so that any app's service can count what it commits without importing the
platform. A counter is incremented after the transaction that did the work commits (`transaction.on_commit`): a
rolled-back submission counts nothing. No tenant label: the fleet has thousands of brands, and per-tenant load is
read from the access log (tenant is a field of every line), not from Prometheus series."""

from __future__ import annotations

from django.db import transaction
from prometheus_client import Counter

ORDERS_SUBMITTED = Counter("dms_orders_submitted", "Orders submitted (committed), backorders included.")


def order_submitted_count() -> None:
    """Count one submitted order when the current transaction commits (now, outside any transaction)."""
    transaction.on_commit(ORDERS_SUBMITTED.inc)
