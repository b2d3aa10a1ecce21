"""What a notification says and where opening it leads, per kind of event: from the event alone (its subject, its
reference and payload: no query), in the active language. Brand staff are led to console pages, dealer users to
storefront pages."""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tenant_apps.core.money import format_money
from tenant_apps.events.catalog import kind_label

# Order events whose place in the console is the order's approval page (decide there).
APPROVAL_PAGE_KINDS = ("order.submitted", "order.revised", "order.approval_started", "approval.waiting",
                       "approval.escalated")


def _id(value) -> int | None:
    return int(value) if str(value).isdigit() else None


def _url(name: str, *args) -> str:
    if any(arg is None for arg in args):
        return ""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def link(event, *, staff: bool) -> str:
    """The page of the event's object for the reader: console (staff) or storefront (dealer users); "" for none."""
    payload, subject, pk = event.payload or {}, event.subject_type, _id(event.subject_id)
    if subject == "order":
        if staff:
            return _url("approvals:order" if event.kind in APPROVAL_PAGE_KINDS else "orders_console:detail", pk)
        if event.kind in ("approval.waiting", "approval.escalated") and payload.get("seller"):
            return _url("supplier:order", pk)  # a supplier's people decide on its console (S2B2B)
        return _url("orders:detail", pk)
    if subject == "return":
        return _url("fulfillment:returns") if staff else _url("shipments:order", _id(payload.get("order_id")))
    if subject == "stock":
        return _url("inventory:warehouses") if staff else ""
    if subject == "qualification":
        return _url("dealers:detail", event.dealer_id) if staff else _url("storefront:company")
    if subject == "promotion":
        return _url("promotions_console:detail", pk) if staff else _url("promotions:current")
    if subject == "announcement":
        return _url("announcements_console:detail", pk) if staff else _url("announcements:detail", pk)
    if subject == "payment":
        return _url("finance_console:account", event.dealer_id) if staff else _url("finance:ledger")
    if subject == "receivable":
        return _url("finance_console:receivables-dealer", event.dealer_id) if staff else _url("finance:home")
    if subject == "statement":
        return _url("finance_console:statement", pk) if staff else _url("finance:statement", pk)
    if subject == "webhook":
        return _url("webhooks:detail", pk) if staff else ""
    return ""


def _money(amount, currency) -> str:
    try:
        return format_money(amount, currency)
    except (ArithmeticError, ValueError, TypeError, LookupError):
        return f"{amount} {currency}"


def _date(text) -> str:
    try:
        return date_format(date.fromisoformat(str(text)), "Y-m-d")
    except ValueError:
        return str(text or "")


def text(event, kind: str) -> tuple[str, str]:
    """(title, body) in the active language."""
    payload, ref = event.payload or {}, event.subject_ref or event.subject_id
    title, body = kind_label(kind), event.subject_ref or ""
    if kind in ("approval.waiting", "approval.escalated"):
        body = (_("Order %(number)s is waiting for you: %(step)s") if kind == "approval.waiting" else
                _("Order %(number)s was escalated to you: %(step)s")) % {
            "number": ref, "step": payload.get("step", "")}
    elif kind == "order.placed_for_you":
        args = {"number": ref, "who": payload.get("placed_by") or _("the brand")}
        body = (_("%(who)s placed order %(number)s for your company; please confirm or decline it.")
                if payload.get("confirm") else _("%(who)s placed order %(number)s for your company.")) % args
    elif event.subject_type == "order":
        body = _("Order %(number)s") % {"number": ref}
    elif event.subject_type == "return":
        body = _("Return %(number)s of order %(order)s") % {"number": ref, "order": payload.get("order", "")}
    elif kind == "stock.low":
        body = _("%(sku)s at %(warehouse)s: %(available)s left (alert below %(threshold)s)") % {
            "sku": payload.get("sku") or ref, "warehouse": payload.get("warehouse", ""),
            "available": payload.get("available", ""), "threshold": payload.get("threshold", "")}
    elif kind == "qualification.expiring":
        body = _("%(type)s of %(dealer)s expires on %(date)s") % {
            "type": ref, "dealer": payload.get("dealer", ""), "date": _date(payload.get("valid_to"))}
    elif kind == "payment.received":
        body = _("%(amount)s received (%(reference)s)") % {
            "amount": _money(payload.get("amount", "0"), payload.get("currency", "")), "reference": ref}
    elif kind == "statement.ready":
        body = _("Statement %(number)s for %(period)s") % {"number": ref, "period": payload.get("period", "")}
    elif kind in ("payment.due", "payment.overdue"):
        args = {"reference": payload.get("reference", ref), "dealer": payload.get("dealer", ""),
                "amount": _money(payload.get("open", "0"), payload.get("currency", "")),
                "date": _date(payload.get("due_on"))}
        if kind == "payment.due":
            title = _("Payment reminder: order %(reference)s, %(amount)s due on %(date)s") % args
            body = _("Order %(reference)s of %(dealer)s: %(amount)s is due on %(date)s. Please pay by then to keep "
                     "ordering on credit.") % args
        else:
            title = _("Overdue: order %(reference)s, %(amount)s was due on %(date)s") % args
            body = _("Order %(reference)s of %(dealer)s: %(amount)s was due on %(date)s and is still unpaid. Please "
                     "pay now; overdue amounts may block new orders.") % args
    if payload.get("reason") and event.subject_type in ("order", "webhook"):
        body = _("%(text)s: %(reason)s") % {"text": body, "reason": str(payload["reason"])[:200]}
    return str(title), body
