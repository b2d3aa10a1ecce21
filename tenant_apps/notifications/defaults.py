"""Who is told of which event, and on which channels, unless the brand or the person says otherwise.

DEFAULTS: event kind -> {recipient role -> channels}. The roles are user roles (tenant_apps.accounts.permissions
.Role); who of that role is concerned comes from the event (notifications.services.recipients_of): for an order
waiting for approval the dealer's regional manager and sales rep, for an order's progress the dealer's own users
and the person who placed it. "inapp" is the bell and the inbox; "email", "sms", "wechat" (subscription messages)
and "push" (web push to the storefront app) are sent after the commit. WeChat and push go by default wherever SMS
does, to those who can receive them (a linked WeChat, a browser that subscribed)."""

from __future__ import annotations

INAPP, EMAIL, SMS = "inapp", "email", "sms"
WECHAT, PUSH = "wechat", "push"
CHANNELS = (INAPP, EMAIL, SMS, WECHAT, PUSH)

_APPROVERS = {"regional_manager": {INAPP, EMAIL}, "sales_rep": {INAPP, EMAIL}}
_DEALER = {"dealer_owner": {INAPP, EMAIL}, "dealer_buyer": {INAPP, EMAIL}}
_DEALER_SMS = {"dealer_owner": {INAPP, EMAIL, SMS}, "dealer_buyer": {INAPP, EMAIL, SMS}}

# Events for the people who approve the dealer's orders.
APPROVER_KINDS = ("order.submitted", "order.revised", "order.approval_started")
# Events for the dealer's own people (and whoever placed the order).
DEALER_KINDS = ("order.approved", "order.rejected", "order.sent_back", "order.allocated", "order.shipped",
                "order.delivered", "order.cancelled")

DEFAULTS: dict[str, dict[str, set[str]]] = {
    "order.submitted": _APPROVERS,
    "order.revised": _APPROVERS,
    "order.approval_started": _APPROVERS,
    "order.approved": _DEALER,
    "order.rejected": _DEALER_SMS,
    "order.sent_back": _DEALER_SMS,
    "order.allocated": _DEALER,
    "order.shipped": _DEALER_SMS,
    "order.delivered": _DEALER,
    "order.cancelled": _DEALER_SMS,
}

# WeChat subscription messages and web push go wherever SMS goes by default
DEFAULTS = {kind: {role: (set(channels) | {WECHAT, PUSH}) if SMS in channels else set(channels)
                   for role, channels in roles.items()} for kind, roles in DEFAULTS.items()}


def default_channels(kind: str, role: str) -> set[str]:
    return set(DEFAULTS.get(kind, {}).get(role, ()))
