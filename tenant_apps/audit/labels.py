"""How audit entries read to people: pages show labels, never the dotted codes
(promotions.promotion.published).

An action reads as its subject (the first two words: `ordering.order` -> "Order") and its verb (the last word:
`submitted` -> "Submitted"); ACTION_LABELS overrides the verb of one action. Every action the code writes has
both (tests/audit/test_labels.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTION_LABELS = {
    "promotions.promotion.created": pgettext_lazy("audit action", "Created"),
    "promotions.promotion.updated": _("Edited"),
    "promotions.promotion.published": _("Published"),
    "promotions.promotion.unpublished": _("Unpublished"),
    "promotions.coupon.created": _("Coupon added"),
    "promotions.coupon.generated": _("Coupons generated"),
    # a dealer account's ledger rows (finance.ledger.<kind>)
    "finance.ledger.top_up": _("Top-up"),
    "finance.ledger.order_charge": _("Order charge"),
    "finance.ledger.order_release": _("Order release"),
    "finance.ledger.payment": _("Payment"),
    "finance.ledger.refund": _("Refund"),
    "finance.ledger.rebate": _("Rebate"),
    "finance.ledger.price_protection": _("Price protection"),
    "finance.ledger.adjustment": _("Adjustment"),
    "finance.block.lifted": pgettext_lazy("audit action", "Overdue block lifted"),
    "finance.block.lift_ended": pgettext_lazy("audit action", "Overdue block lift ended"),
    # dealer statements
    "finance.statement.issued": pgettext_lazy("audit action", "Statement issued"),
    "finance.statement.confirmed": pgettext_lazy("audit action", "Statement confirmed"),
    "finance.statement.disputed": pgettext_lazy("audit action", "Statement disputed"),
    "finance.statement.dispute_resolved": pgettext_lazy("audit action", "Dispute answered"),
    "finance.statement.reissued": pgettext_lazy("audit action", "Statement issued again"),
    "finance.ledger.payment_reversal": _("Payment reversal"),
    # bank transfers and statements (finance.bank.<what>)
    "finance.bank.settings_updated": pgettext_lazy("audit action", "Receiving account edited"),
    "finance.bank.remittance_recorded": pgettext_lazy("audit action", "Transfer recorded"),
    "finance.bank.remittance_rejected": pgettext_lazy("audit action", "Transfer record rejected"),
    "finance.bank.mapping_saved": pgettext_lazy("audit action", "Statement mapping saved"),
    "finance.bank.statement_imported": pgettext_lazy("audit action", "Statement imported"),
    "finance.bank.matched": pgettext_lazy("audit action", "Statement line matched"),
    "finance.bank.line_ignored": pgettext_lazy("audit action", "Statement line marked not ours"),
    "finance.bank.line_reopened": pgettext_lazy("audit action", "Statement line reopened"),
    "finance.bank.match_reversed": pgettext_lazy("audit action", "Match reversed"),
    # online payments (finance.payments)
    "finance.provider.connected": pgettext_lazy("audit action", "Payment provider connected"),
    "finance.provider.disconnected": pgettext_lazy("audit action", "Payment provider disconnected"),
    "finance.payment.created": pgettext_lazy("audit action", "Payment started"),
    "finance.payment.succeeded": pgettext_lazy("audit action", "Paid"),
    "finance.payment.failed": pgettext_lazy("audit action", "Payment failed"),
    "finance.payment.partially_refunded": pgettext_lazy("audit action", "Partly refunded"),
    "finance.payment.refunded": pgettext_lazy("audit action", "Refunded"),
    # the report builder
    "reporting.saved_report.shared": pgettext_lazy("audit action", "Sharing changed"),
    "reporting.schedule.sent": pgettext_lazy("audit action", "Report mailed"),
    "notifications.notification.read": pgettext_lazy("audit action", "Read"),
    "notifications.notification.read_all": pgettext_lazy("audit action", "All marked read"),
    "notifications.role_preference.updated": _("Edited"),
    "notifications.preference.updated": _("Edited"),
    "notifications.settings.updated": _("Edited"),
}
# For an action with no label of its own, its last word (dealers.dealer.created -> "created").
VERB_LABELS = {
    "created": pgettext_lazy("audit action", "Created"),
    "updated": _("Edited"),
    "deleted": _("Deleted"),
    "added": _("Added"),
    "removed": _("Removed"),
    "imported": _("Imported"),
    "exported": pgettext_lazy("audit action", "Exported"),
    "moved": _("Moved"),
    "status_changed": _("Status changed"),
    "visibility_changed": pgettext_lazy("audit action", "Visibility changed"),
    "set": _("Set"),
    "saved": _("Saved"),
    # people and sign-in
    "accepted": pgettext_lazy("audit action", "Invitation accepted"),
    "revoked": pgettext_lazy("audit action", "Revoked"),
    "password_changed": pgettext_lazy("audit action", "Password changed"),
    "password_reset": pgettext_lazy("audit action", "Password reset"),
    "profile_updated": pgettext_lazy("audit action", "Profile edited"),
    "totp_started": pgettext_lazy("audit action", "Two-step sign-in set-up started"),
    "totp_enabled": pgettext_lazy("audit action", "Two-step sign-in turned on"),
    "totp_disabled": pgettext_lazy("audit action", "Two-step sign-in turned off"),
    # orders and their approval
    "submitted": pgettext_lazy("audit action", "Submitted"),
    "start_approval": pgettext_lazy("audit action", "Sent for approval"),
    "approve": pgettext_lazy("audit action", "Approved"),
    "approved": pgettext_lazy("audit action", "Approved"),
    "reject": pgettext_lazy("audit action", "Rejected"),
    "rejected": pgettext_lazy("audit action", "Rejected"),
    "send_back": pgettext_lazy("audit action", "Sent back"),
    "sent_back": pgettext_lazy("audit action", "Sent back"),
    "escalated": pgettext_lazy("audit action", "Escalated"),
    "timed_out": pgettext_lazy("audit action", "Timed out"),
    "skipped": pgettext_lazy("audit action", "Skipped"),
    "superseded": pgettext_lazy("audit action", "Superseded"),
    "allocate": pgettext_lazy("audit action", "Stock allocated"),
    "ship_part": pgettext_lazy("audit action", "Partly shipped"),
    "ship_all": pgettext_lazy("audit action", "Shipped in full"),
    "deliver": pgettext_lazy("audit action", "Delivered"),
    "delivered": pgettext_lazy("audit action", "Delivered"),
    "complete": pgettext_lazy("audit action", "Completed"),
    "cancel": pgettext_lazy("audit action", "Cancelled"),
    "cancelled": pgettext_lazy("audit action", "Cancelled"),
    # the cart and templates
    "line_set": pgettext_lazy("audit action", "Line changed"),
    "lines_pasted": pgettext_lazy("audit action", "Lines pasted"),
    "uploaded": pgettext_lazy("audit action", "Uploaded"),
    "reordered": pgettext_lazy("audit action", "Reordered"),
    "template_loaded": pgettext_lazy("audit action", "Template loaded"),
    "cleared": pgettext_lazy("audit action", "Emptied"),
    "coupons_set": pgettext_lazy("audit action", "Coupons changed"),
    # fulfilment
    "picking": pgettext_lazy("audit action", "Picking started"),
    "shipped": pgettext_lazy("audit action", "Shipped"),
    "in_transit": pgettext_lazy("audit action", "In transit"),
    "requested": pgettext_lazy("audit action", "Requested"),
    "received": pgettext_lazy("audit action", "Received"),
    "receipt_confirmed": pgettext_lazy("audit action", "Receipt confirmed"),
    # stock
    "returned": pgettext_lazy("audit action", "Returned to stock"),
    "adjusted": pgettext_lazy("audit action", "Adjusted"),
    "reserved": pgettext_lazy("audit action", "Reserved"),
    "released": pgettext_lazy("audit action", "Released"),
    "transferred": pgettext_lazy("audit action", "Transferred"),
    "synced": pgettext_lazy("audit action", "Synchronised"),
    "threshold_set": pgettext_lazy("audit action", "Low-stock threshold set"),
    # catalog and prices
    "image_added": pgettext_lazy("audit action", "Image added"),
    "image_deleted": pgettext_lazy("audit action", "Image deleted"),
    "images_reordered": pgettext_lazy("audit action", "Images reordered"),
    "unit_added": pgettext_lazy("audit action", "Unit added"),
    "unit_removed": pgettext_lazy("audit action", "Unit removed"),
    "activated": pgettext_lazy("audit action", "Activated"),
    "deactivated": pgettext_lazy("audit action", "Deactivated"),
    "owed": pgettext_lazy("audit action", "Compensation owed"),
    "published": _("Published"),
    "unpublished": _("Unpublished"),
    "generated": pgettext_lazy("audit action", "Generated"),
    # rebates, invoices and price protection (finance)
    "computed": pgettext_lazy("audit action", "Computed"),
    "excluded": pgettext_lazy("audit action", "Excluded"),
    "included": pgettext_lazy("audit action", "Included again"),
    "issuing": pgettext_lazy("audit action", "Sent for issuing"),
    "retried": pgettext_lazy("audit action", "Tried again"),
    "issued": pgettext_lazy("audit action", "Issued"),
    "failed": pgettext_lazy("audit action", "Failed"),
    "booked": pgettext_lazy("audit action", "Booked"),
    # the workspace
    "defaults_applied": pgettext_lazy("audit action", "Defaults applied"),
}
# What an entry is about: the action's first two words.
SUBJECT_LABELS = {
    "finance.ledger": pgettext_lazy("audit subject", "Dealer account"),
    "finance.settings": pgettext_lazy("audit subject", "Finance settings"),
    "finance.settlement": pgettext_lazy("audit subject", "Settlement terms"),
    "finance.adjustment": pgettext_lazy("audit subject", "Balance adjustment"),
    "finance.rebate_rule": pgettext_lazy("audit subject", "Rebate rule"),
    "finance.rebate_run": pgettext_lazy("audit subject", "Rebate run"),
    "finance.rebate_line": pgettext_lazy("audit subject", "Rebate line"),
    "finance.tax_profile": pgettext_lazy("audit subject", "Tax details"),
    "finance.invoice": pgettext_lazy("audit subject", "Dealer invoice"),
    "finance.block": pgettext_lazy("audit subject", "Overdue block"),
    "finance.receivables": pgettext_lazy("audit subject", "Receivables"),
    "finance.statement": pgettext_lazy("audit subject", "Dealer statement"),
    "finance.bank": pgettext_lazy("audit subject", "Bank transfers"),
    "finance.payment": pgettext_lazy("audit subject", "Online payment"),
    "finance.provider": pgettext_lazy("audit subject", "Payment provider"),
    "accounts.user": pgettext_lazy("audit subject", "User"),
    "accounts.invitation": pgettext_lazy("audit subject", "Invitation"),
    "approvals.workflow": pgettext_lazy("audit subject", "Approval workflow"),
    "approvals.auto_rule": pgettext_lazy("audit subject", "Auto-approval rule"),
    "approvals.step": pgettext_lazy("audit subject", "Approval step"),
    "catalog.catalog": pgettext_lazy("audit subject", "Catalog"),
    "catalog.category": pgettext_lazy("audit subject", "Category"),
    "catalog.series": pgettext_lazy("audit subject", "Series"),
    "catalog.product": pgettext_lazy("audit subject", "Product"),
    "catalog.sku": pgettext_lazy("audit subject", "SKU"),
    "catalog.unit": pgettext_lazy("audit subject", "Unit"),
    "dealers.dealer": pgettext_lazy("audit subject", "Dealer"),
    "dealers.node": pgettext_lazy("audit subject", "Network"),
    "dealers.address": pgettext_lazy("audit subject", "Dealer address"),
    "dealers.contact": pgettext_lazy("audit subject", "Dealer contact"),
    "dealers.qualification": pgettext_lazy("audit subject", "Qualification"),
    "dealers.qualification_type": pgettext_lazy("audit subject", "Qualification type"),
    "dealers.tier": pgettext_lazy("audit subject", "Dealer tier"),
    "dealers.territory": pgettext_lazy("audit subject", "Territory"),
    "dealers.settings": pgettext_lazy("audit subject", "Network settings"),
    "fulfillment.carrier": pgettext_lazy("audit subject", "Carrier"),
    "fulfillment.shipment": pgettext_lazy("audit subject", "Shipment"),
    "fulfillment.order": pgettext_lazy("audit subject", "Order"),
    "fulfillment.return": pgettext_lazy("audit subject", "Return"),
    "inventory.stock": pgettext_lazy("audit subject", "Stock"),
    "inventory.warehouse": pgettext_lazy("audit subject", "Warehouse"),
    "inventory.settings": pgettext_lazy("audit subject", "Stock settings"),
    "ordering.order": pgettext_lazy("audit subject", "Order"),
    "ordering.cart": pgettext_lazy("audit subject", "Cart"),
    "ordering.template": pgettext_lazy("audit subject", "Order template"),
    "ordering.saved_view": pgettext_lazy("audit subject", "Saved view"),
    "ordering.settings": pgettext_lazy("audit subject", "Ordering settings"),
    "pricing.price_list": pgettext_lazy("audit subject", "Price list"),
    "pricing.price_entry": pgettext_lazy("audit subject", "Price"),
    "pricing.protection_window": pgettext_lazy("audit subject", "Price protection"),
    "pricing.resale_price": pgettext_lazy("audit subject", "Resale price"),
    "pricing.compensation": pgettext_lazy("audit subject", "Protection compensation"),
    "promotions.promotion": pgettext_lazy("audit subject", "Promotion"),
    "promotions.coupon": pgettext_lazy("audit subject", "Coupon"),
    "reporting.export": pgettext_lazy("audit subject", "Export"),
    "tenants.workspace": pgettext_lazy("audit subject", "Workspace"),
    "reporting.saved_report": pgettext_lazy("audit subject", "Saved report"),
    "reporting.schedule": pgettext_lazy("audit subject", "Report schedule"),
    "notifications.notification": pgettext_lazy("audit subject", "Notification"),
    "notifications.role_preference": pgettext_lazy("audit subject", "Notification default"),
    "notifications.preference": pgettext_lazy("audit subject", "Notification preference"),
    "notifications.settings": pgettext_lazy("audit subject", "Notification settings"),
}
# The filter's areas: the action's first word.
APP_LABELS = {
    "accounts": pgettext_lazy("audit area", "People"),
    "approvals": pgettext_lazy("audit area", "Approvals"),
    "catalog": pgettext_lazy("audit area", "Catalog"),
    "dealers": pgettext_lazy("audit area", "Dealer network"),
    "finance": pgettext_lazy("audit area", "Finance"),
    "fulfillment": pgettext_lazy("audit area", "Fulfilment"),
    "inventory": pgettext_lazy("audit area", "Stock"),
    "ordering": pgettext_lazy("audit area", "Orders"),
    "pricing": pgettext_lazy("audit area", "Prices"),
    "promotions": pgettext_lazy("audit area", "Promotions"),
    "reporting": pgettext_lazy("audit area", "Reports"),
    "tenants": pgettext_lazy("audit area", "Workspace"),
}


def action_label(action: str) -> str:
    """An audit action's verb in the reader's language; an action with no label shows its code."""
    label = ACTION_LABELS.get(action) or VERB_LABELS.get(action.rsplit(".", 1)[-1])
    return str(label) if label else action


def subject_label(action: str) -> str:
    """What the action is about ("Order", "Price list"), in the reader's language; unknown: the code."""
    subject = ".".join(action.split(".")[:2])
    label = SUBJECT_LABELS.get(subject)
    return str(label) if label else subject
