"""What ordering needs of an approval chain, as an interface ordering owns (ordering never imports approvals).

Approvals sits above ordering: it imports ordering's models, selectors and services and calls them to change
orders; ordering asks for an approval plan only through the `ApprovalChain` registered here, which the
approvals app registers in its AppConfig.ready (tenant_apps.approvals.apps). Without one (an installation
without the approvals app), every submitted order is approved at once.

- `config_sql`: a SQL expression for the chain's configuration, read by submission inside its one context
  query (no query of its own on the hot path); `config_from` turns its value into what `plan` takes.
- `plan`: in memory, for an order being submitted (not written yet): moves it (through
  lifecycle.transition_fresh) to approved or in approval and returns the rows to write with it.
- `restart`: the order was changed (order_revise) or its stock came (a backorder): the chain starts again.
"""

from __future__ import annotations

from typing import Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.core.bulk import insert_grouped
from tenant_apps.ordering.lifecycle import transition_fresh
from tenant_apps.ordering.models import Order, OrderStatus


class ApprovalChain(Protocol):
    config_sql: str

    def config_from(self, value): ...

    def plan(self, *, actor, order: Order, now, node_path: str | None = None,
             territory_paths: list[str] | None = None, category_paths: set[str] | None = None,
             config=None) -> list: ...

    def restart(self, *, actor, order: Order, reason: str = "") -> None: ...


class NoChain:
    """No approval app: approved at submission."""

    config_sql = "NULL"

    def config_from(self, value):
        return None

    def plan(self, *, actor, order: Order, now, config=None, **_facts) -> list:
        return transition_fresh(actor=None, order=order, action="approve",
                                reason=_("No approval workflow applies to this order."), now=now)

    def restart(self, *, actor, order: Order, reason: str = "") -> None:
        if order.status == OrderStatus.SUBMITTED:
            order_approval_start(actor=actor, order=order)


_chain: list[ApprovalChain] = [NoChain()]


def approval_chain_register(chain: ApprovalChain) -> None:
    """Called once, by the approvals app's AppConfig.ready."""
    _chain[0] = chain


def approval_chain() -> ApprovalChain:
    return _chain[0]


@transaction.atomic
def order_approval_start(*, actor, order: Order) -> None:
    """Run a submitted order (locked by the caller: lifecycle.order_lock) into its approval chain: the chain's
    plan moves it in memory; the order and the plan's rows (steps, timeline, audit) are written here."""
    rows = approval_chain().plan(actor=actor, order=order, now=timezone.now())
    order.save(update_fields=["status", "approved_at", "closed_at", "revision", "updated_at"])
    insert_grouped(rows)
