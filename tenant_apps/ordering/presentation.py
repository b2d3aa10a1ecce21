"""How orders are shown on the storefront and the console: state colours, the timeline in words, the
frozen price breakdown, and the other apps' partials included when they are installed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext_lazy

from tenant_apps.core.text import person
from tenant_apps.ordering.models import Order, OrderStatus

S = OrderStatus
STATUS_TONE = {
    S.DRAFT: "warn", S.SUBMITTED: "pending", S.IN_APPROVAL: "pending", S.APPROVED: "ok", S.REJECTED: "danger",
    S.ALLOCATED: "ok", S.PARTIALLY_SHIPPED: "ok", S.SHIPPED: "ok", S.DELIVERED: "ok", S.COMPLETED: "ok",
    S.CANCELLED: "danger",
}
# The happy path, for the progress steps on the order page.
PATH = (S.SUBMITTED, S.IN_APPROVAL, S.APPROVED, S.ALLOCATED, S.SHIPPED, S.DELIVERED, S.COMPLETED)
KIND_LABEL = {"transition": gettext_lazy("Status"), "approval": gettext_lazy("Approval"),
              "shipment": gettext_lazy("Shipment"), "tracking": gettext_lazy("Tracking"),
              "note": gettext_lazy("Note"), "return": gettext_lazy("Return")}


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def timeline(order: Order) -> list[dict]:
    """The order's events (prefetched), newest first, in words."""
    rows = []
    for event in order.events.all():
        rows.append({"at": event.at, "who": person(event.actor_label), "kind": event.kind,
                     "kind_label": KIND_LABEL.get(event.kind, event.kind),
                     "from": _label(event.from_status) if event.from_status else "",
                     "to": _label(event.to_status) if event.to_status else "", "message": event.message,
                     "tone": STATUS_TONE.get(event.to_status, "")})
    rows.reverse()
    return rows


def progress(order: Order) -> list[dict]:
    """The steps of the happy path, done / current / to come (closed orders: none)."""
    if order.status not in PATH:
        return []
    reached = PATH.index(order.status)
    return [{"label": _label(step), "state": "done" if n < reached else "current" if n == reached else "todo"}
            for n, step in enumerate(PATH)]


def _money(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return Decimal(0)


def breakdown_rows(order: Order) -> dict:
    """The quote frozen at submission: promotions applied (with their explanation) and notes."""
    breakdown = order.breakdown or {}
    promotions = [{"name": p.get("name", ""), "kind": p.get("kind", ""), "discount": _money(p.get("discount")),
                   "explanation": p.get("explanation", ""), "coupon_code": p.get("coupon_code") or ""}
                  for p in breakdown.get("promotions", [])]
    return {"promotions": promotions, "notes": breakdown.get("notes", []), "at": breakdown.get("at", "")}


@lru_cache(maxsize=32)
def optional_template(name: str) -> str | None:
    """`name` if that template exists (another app's partial, installed or not yet), else None."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name
