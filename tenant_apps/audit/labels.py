"""How audit actions read to people: pages show a label, never the dotted code (promotions.promotion.published)."""

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
}
# For an action with no label of its own, its last word (dealers.dealer.created -> "created").
VERB_LABELS = {
    "created": pgettext_lazy("audit action", "Created"),
    "updated": _("Edited"),
    "deleted": _("Deleted"),
    "added": _("Added"),
    "removed": _("Removed"),
    "imported": _("Imported"),
    "moved": _("Moved"),
    "status_changed": _("Status changed"),
    "set": _("Set"),
    "saved": _("Saved"),
}


def action_label(action: str) -> str:
    """An audit action in the reader's language; an action with no label shows its code."""
    label = ACTION_LABELS.get(action) or VERB_LABELS.get(action.rsplit(".", 1)[-1])
    return str(label) if label else action
