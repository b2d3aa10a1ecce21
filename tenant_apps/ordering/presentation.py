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
    S.DRAFT: "warn", S.SUBMITTED: "pending", S.AWAITING_DEALER: "warn", S.IN_APPROVAL: "pending", S.APPROVED: "ok",
    S.REJECTED: "danger",
    S.ALLOCATED: "ok", S.PARTIALLY_SHIPPED: "ok", S.SHIPPED: "ok", S.DELIVERED: "ok", S.COMPLETED: "ok",
    S.CANCELLED: "danger",
}
# The happy path, for the progress steps on the order page.
PATH = (S.SUBMITTED, S.IN_APPROVAL, S.APPROVED, S.ALLOCATED, S.SHIPPED, S.DELIVERED, S.COMPLETED)
KIND_LABEL = {"transition": gettext_lazy("Status"), "approval": gettext_lazy("Approval"),
              "shipment": gettext_lazy("Shipment"), "tracking": gettext_lazy("Tracking"),
              "note": gettext_lazy("Note"), "return": gettext_lazy("Return"),
              "pass_up": gettext_lazy("Passed up to headquarters"),
              "pass_up_received": gettext_lazy("Received into stock")}
# Each kind of event on the timeline by its own name: the event's code (see `event_code`) -> its label.
EVENT_LABEL = {
    "order.submitted": gettext_lazy("Order submitted"),
    "order.resubmitted": gettext_lazy("Order resubmitted"),
    "order.awaiting_dealer": gettext_lazy("Waiting for the dealer's confirmation"),
    "order.dealer_confirmed": gettext_lazy("Confirmed by the dealer"),
    "order.in_approval": gettext_lazy("Sent for approval"),
    "order.approved": gettext_lazy("Order approved"),
    "order.rejected": gettext_lazy("Order rejected"),
    "order.sent_back": gettext_lazy("Sent back for changes"),
    "order.allocated": gettext_lazy("Stock allocated"),
    "order.partially_shipped": gettext_lazy("Partly shipped"),
    "order.shipped": gettext_lazy("Everything shipped"),
    "order.delivered": gettext_lazy("Delivered"),
    "order.completed": gettext_lazy("Order completed"),
    "order.cancelled": gettext_lazy("Order cancelled"),
    "approval.pending": gettext_lazy("Waiting for an approver"),
    "approval.approved": gettext_lazy("Approval step passed"),
    "approval.approved_automatically": gettext_lazy("Approved automatically"),
    "approval.rejected": gettext_lazy("Approval step rejected"),
    "approval.sent_back": gettext_lazy("Sent back by an approver"),
    "approval.skipped": gettext_lazy("Approval step skipped"),
    "approval.escalated": gettext_lazy("Approval escalated"),
    "approval.restarted": gettext_lazy("Approval restarted"),
    "shipment.picking": gettext_lazy("Picking started"),
    "shipment.shipped": gettext_lazy("Shipment dispatched"),
    "shipment.cancelled": gettext_lazy("Shipment cancelled"),
    "tracking": gettext_lazy("Tracking update"),
    "return.requested": gettext_lazy("Return requested"),
    "return.approved": gettext_lazy("Return approved"),
    "return.rejected": gettext_lazy("Return rejected"),
    "return.received": gettext_lazy("Returned goods received"),
    "note.backorder": gettext_lazy("Shortfall split into a backorder"),
    "note": gettext_lazy("Note"),
}


def event_code(event) -> str:
    """What happened, as a code of EVENT_LABEL: from the event's kind, the state it moved to and what its data
    says (the services write a "status" in the data of approval, shipment and return events)."""
    data = event.data or {}
    if event.kind == "transition":
        if event.to_status == S.DRAFT:
            return "order.sent_back"
        if event.to_status == S.SUBMITTED and event.from_status == S.AWAITING_DEALER:
            return "order.dealer_confirmed"
        if event.to_status == S.SUBMITTED and int(data.get("revision") or 1) > 1:
            return "order.resubmitted"
        return f"order.{event.to_status}"
    if event.kind == "approval":
        if "superseded" in data:
            return "approval.restarted"
        if data.get("timeout"):
            return "approval.approved_automatically"
        return f"approval.{data.get('status', '')}"
    if event.kind in ("shipment", "return"):
        return f"{event.kind}.{data.get('status', '')}"
    if event.kind == "note" and "backorder" in data:
        return "note.backorder"
    return event.kind


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def timeline(order: Order) -> list[dict]:
    """The order's events (prefetched), newest first, in words."""
    rows = []
    for event in order.events.all():
        code = event_code(event)
        kind_label = KIND_LABEL.get(event.kind, event.kind)
        rows.append({"at": event.at, "who": person(event.actor_label), "kind": event.kind, "code": code,
                     "label": EVENT_LABEL.get(code, kind_label), "kind_label": kind_label,
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


def pack_quantity(base: int, *, factor: int, unit: str, base_unit: str) -> str:
    """A quantity in base units said in the pack it was ordered in, with the base units beside it:
    "10 箱 (240 瓶)", "2 箱 5 瓶 (53 瓶)"; just "240 瓶" when the line was ordered in the base unit or less
    than one pack is left."""
    from tenant_apps.core.templatetags.dms_ui import number  # locale-aware grouping, as on every page

    base = int(base or 0)
    if factor <= 1 or base < factor:
        return f"{number(base)} {base_unit}"
    packs, rest = divmod(base, factor)
    head = f"{number(packs)} {unit}" + (f" {number(rest)} {base_unit}" if rest else "")
    return f"{head} ({number(base)} {base_unit})"


def line_pack_quantity(base: int, line) -> str:
    """`pack_quantity` for an order line (its unit, factor and SKU's base unit loaded with it)."""
    return pack_quantity(base, factor=line.factor, unit=line.unit.name, base_unit=line.sku.base_unit.name)
