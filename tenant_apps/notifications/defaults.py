"""Who is told of which event, and on which channels, unless the brand or the person says otherwise.

DEFAULTS: event kind -> {recipient role -> channels}. The roles are user roles (tenant_apps.accounts.permissions
.Role); who of that role is concerned comes from the event (notifications.recipients, docs/dev/notifications.md):
for an order waiting at an approval step that step's approvers, for an order's progress the dealer's own users
and the person who placed it, for a low stock the brand's stock keepers... A role listed with no channel is
concerned but told nothing unless the brand (RolePreference) or the person (UserPreference) turns a channel on;
a role not listed is never told of the event (and does not see it on the settings pages).
"inapp" is the bell and the inbox; "email", "sms", "wechat" (subscription messages) and "push" (web push to the
storefront app) are sent after the commit. WeChat and push go by default wherever SMS does, to those who can
receive them (a linked WeChat, a browser that subscribed)."""

from __future__ import annotations

INAPP, EMAIL, SMS = "inapp", "email", "sms"
WECHAT, PUSH = "wechat", "push"
CHANNELS = (INAPP, EMAIL, SMS, WECHAT, PUSH)

_IN, _IN_EMAIL, _ALL = frozenset({INAPP}), frozenset({INAPP, EMAIL}), frozenset({INAPP, EMAIL, SMS})
_OFF = frozenset()

_APPROVERS = {"regional_manager": _IN_EMAIL, "sales_rep": _IN_EMAIL}
_DEALER = {"dealer_owner": _IN_EMAIL, "dealer_buyer": _IN_EMAIL}
_DEALER_SMS = {"dealer_owner": _ALL, "dealer_buyer": _ALL}
# The roles that may be asked to approve an order (approvals.services.APPROVER_ROLES: orders.approve, no support).
# A supplier's steps (S2B2B) name its own dealer roles (approvals.services.SUPPLIER_APPROVER_ROLES).
_STEP_APPROVERS = {"owner": _IN_EMAIL, "admin": _IN_EMAIL, "regional_manager": _IN_EMAIL, "sales_rep": _IN_EMAIL,
                   "finance": _IN_EMAIL, "dealer_owner": _IN_EMAIL, "dealer_buyer": _IN_EMAIL}
_DEALER_MONEY = {"dealer_owner": _IN_EMAIL, "dealer_finance": _IN_EMAIL, "dealer_buyer": _OFF}

# Events for the people who look after the dealer (its regional manager and sales rep). An approver of the
# order's open step hears of it by approval.waiting (in-app and email); these are the bell only, so that nobody gets
# two emails for one submission (and an approver told by approval.waiting in the same batch is not told twice).
APPROVER_KINDS = ("order.submitted", "order.revised", "order.approval_started")
# Events for the dealer's own people (and whoever placed the order).
DEALER_KINDS = ("order.approved", "order.rejected", "order.sent_back", "order.allocated", "order.shipped",
                "order.delivered", "order.cancelled")

DEFAULTS: dict[str, dict[str, frozenset[str]]] = {
    "order.submitted": {"regional_manager": _IN, "sales_rep": _IN},
    "order.revised": {"regional_manager": _IN, "sales_rep": _IN},
    "order.approval_started": {"regional_manager": _OFF, "sales_rep": _OFF},
    # an order placed on the dealer's behalf by the brand's staff (ordering.on_behalf), perhaps to confirm
    "order.placed_for_you": _DEALER,
    "approval.waiting": _STEP_APPROVERS,
    "approval.escalated": _STEP_APPROVERS,
    "order.approved": _DEALER,
    "order.rejected": _DEALER_SMS,
    "order.sent_back": _DEALER_SMS,
    "order.allocated": _DEALER,
    "order.shipped": _DEALER_SMS,
    "order.delivered": _DEALER,
    "order.cancelled": _DEALER_SMS,
    # the staff who decide the dealer's returns (returns.decide in their scope: its regional manager and rep)
    "return.requested": _APPROVERS,
    "return.received": {"dealer_owner": _IN, "dealer_buyer": _IN},
    # the brand's stock keepers (inventory.edit); the owner may be switched on by the brand
    "stock.low": {"warehouse": _IN_EMAIL, "admin": _IN_EMAIL, "owner": _OFF},
    # the dealers app mails the dealer's owner, finance and rep itself (dealers.qualification_reminders_send)
    "qualification.expiring": {"dealer_owner": _IN, "dealer_finance": _OFF, "regional_manager": _IN,
                               "sales_rep": _IN},
    "promotion.published": {"dealer_owner": _IN, "dealer_buyer": _IN},
    "announcement.published": {"dealer_owner": _IN, "dealer_buyer": _IN, "dealer_finance": _OFF},
    "payment.received": _DEALER_MONEY,
    "statement.ready": _DEALER_MONEY,
    "payment.due": _DEALER_MONEY,
    "payment.overdue": {"dealer_owner": _ALL, "dealer_finance": _ALL, "dealer_buyer": _OFF},
    # the webhooks app mails the owners and admins itself: the bell only here
    "webhook.disabled": {"owner": _IN, "admin": _IN},
    # invitation.sent: nobody (the invitee has the invitation's own email)
}

# WeChat subscription messages and web push go wherever SMS goes by default
DEFAULTS = {kind: {role: (set(channels) | {WECHAT, PUSH}) if SMS in channels else set(channels)
                   for role, channels in roles.items()} for kind, roles in DEFAULTS.items()}


def default_channels(kind: str, role: str) -> set[str]:
    return set(DEFAULTS.get(kind, {}).get(role, ()))


def concerned(kind: str, role: str) -> bool:
    """Is a person of `role` ever told of `kind` (even with every channel off by default)?"""
    return role in DEFAULTS.get(kind, {})


def kinds_for_role(role: str) -> list[str]:
    """The kinds a person of `role` may be told of (the rows of the settings pages)."""
    return [kind for kind, roles in DEFAULTS.items() if role in roles]
