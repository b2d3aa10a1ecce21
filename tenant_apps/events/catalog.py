"""Every business event the platform emits: its kind, what it is about, and its name for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KINDS = {
    "order.submitted": ("order", _("Order submitted")),
    "order.revised": ("order", _("Order changed and submitted again")),
    "order.placed_for_you": ("order", _("Order placed for your company")),
    "order.awaiting_dealer": ("order", _("Order awaiting the dealer's confirmation")),
    "order.dealer_confirmed": ("order", _("Order confirmed by the dealer")),
    "order.approval_started": ("order", _("Order sent for approval")),
    "order.approved": ("order", _("Order approved")),
    "order.rejected": ("order", _("Order rejected")),
    "order.sent_back": ("order", _("Order sent back for changes")),
    "order.cancelled": ("order", _("Order cancelled")),
    "order.allocated": ("order", _("Order allocated")),
    "order.shipped": ("order", _("Order shipped")),
    "order.delivered": ("order", _("Order delivered")),
    "order.completed": ("order", _("Order completed")),
    "approval.waiting": ("order", _("Approval waiting")),
    "approval.escalated": ("order", _("Approval escalated")),
    "return.requested": ("return", _("Return requested")),
    "return.received": ("return", _("Return received")),
    "stock.low": ("stock", _("Stock low")),
    "qualification.expiring": ("qualification", _("Qualification expiring")),
    "promotion.published": ("promotion", _("Promotion published")),
    "payment.received": ("payment", _("Payment received")),
    "payment.due": ("receivable", _("Payment due")),
    "payment.overdue": ("receivable", _("Payment overdue")),
    "statement.ready": ("statement", _("Statement ready")),
    "invitation.sent": ("invitation", _("Invitation sent")),
    "webhook.disabled": ("webhook", _("Webhook endpoint turned off")),
    "announcement.published": ("announcement", _("Announcement published")),
}

# An order's transition (ordering.lifecycle ORDER_MOVES action) -> its event.
ORDER_ACTIONS = {
    "await_dealer": "order.awaiting_dealer", "dealer_confirm": "order.dealer_confirmed",
    "start_approval": "order.approval_started", "approve": "order.approved", "reject": "order.rejected",
    "send_back": "order.sent_back", "allocate": "order.allocated", "ship_part": "order.shipped",
    "ship_all": "order.shipped", "deliver": "order.delivered", "complete": "order.completed",
    "cancel": "order.cancelled",
}


def kind_label(kind: str) -> str:
    return str(KINDS[kind][1]) if kind in KINDS else kind
