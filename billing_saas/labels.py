"""How a subscription's history reads to people: each SubscriptionChange action in the reader's language (the
operator console and the tenant's history show labels, never dotted codes)."""

from __future__ import annotations

from babel.numbers import format_decimal
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing_saas.models import PLAN_NAMES, SubscriptionState
from tenant_apps.core.money import babel_locale_object

SUBSCRIPTION_ACTION_LABELS = {
    "billing.subscription.started": _("Trial started"),
    "billing.subscription.activated": _("Subscription paid and active"),
    "billing.subscription.renewed": _("Period paid"),
    "billing.subscription.payment_failed": _("Payment failed"),
    "billing.subscription.upgraded": _("Plan upgraded"),
    "billing.subscription.plan_switched": _("Plan changed in the trial"),
    "billing.subscription.downgrade_scheduled": _("Downgrade scheduled"),
    "billing.subscription.downgrade_cancelled": _("Scheduled downgrade called off"),
    "billing.subscription.downgraded": _("Plan downgraded"),
    "billing.subscription.cancel_scheduled": _("Cancellation scheduled"),
    "billing.subscription.resumed": _("Cancellation taken back"),
    "billing.subscription.cancelled": _("Subscription cancelled"),
    "billing.subscription.trial_extended": _("Trial extended"),
    "billing.subscription.plan_set": _("Plan set by the operator"),
    "billing.subscription.prepaid_requested": _("Prepaid payment requested"),
    "billing.subscription.trial_ended": _("Trial ended without payment"),
    "billing.subscription.period_ran_out": _("Paid period ran out"),
    "billing.subscription.renewal_missing": _("Renewal not received"),
    "billing.subscription.read_only": _("Made read-only"),
    "billing.subscription.suspended": _("Suspended for non-payment"),
}


def subscription_action_label(action: str) -> str:
    """A subscription change's action in the reader's language; an unknown code shows as it is."""
    return str(SUBSCRIPTION_ACTION_LABELS.get(action, action))


def subscription_state_label(state: str | None) -> str:
    return str(SubscriptionState(state).label) if state in SubscriptionState.values else (state or "—")


# the badge a state wears on the operator's pages (the design system's badge classes)
STATE_BADGES = {
    SubscriptionState.TRIALING: "pending", SubscriptionState.ACTIVE: "active", SubscriptionState.PAST_DUE: "warn",
    SubscriptionState.READ_ONLY: "danger", SubscriptionState.SUSPENDED: "danger",
    SubscriptionState.CANCELLED: "deleted",
}


def _date(value: str | None) -> str:
    moment = parse_datetime(value) if value else None
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT") if moment else "—"


def _plan(code: str | None) -> str:
    return str(PLAN_NAMES.get(code, code)) if code else "—"


def subscription_change_details(change) -> list[str]:
    """What a change moved, in words: the plan, the trial end, the paid-through date (from its before and after)."""
    before, after = change.before or {}, change.after or {}
    details = []
    if "plan" in after:
        details.append(gettext("Plan: %(before)s → %(after)s") % {"before": _plan(before.get("plan")),
                                                              "after": _plan(after.get("plan"))})
    if "scheduled_plan" in after and after["scheduled_plan"]:
        details.append(gettext("From the next period: %(plan)s") % {"plan": _plan(after["scheduled_plan"])})
    if "trial_ends_at" in after:
        details.append(gettext("Trial ends: %(before)s → %(after)s") % {"before": _date(before.get("trial_ends_at")),
                                                                    "after": _date(after.get("trial_ends_at"))})
    if "current_period_end" in after:
        details.append(gettext("Paid through: %(before)s → %(after)s") % {
            "before": _date(before.get("current_period_end")), "after": _date(after.get("current_period_end"))})
    return details


# a plan's limit as the pricing page says it: (with a limit, unlimited)
LIMIT_SENTENCES = {
    "dealers": (_("Up to %(limit)s dealers"), _("Unlimited dealers")),
    "users": (_("Up to %(limit)s users"), _("Unlimited users")),
    "skus": (_("Up to %(limit)s SKUs"), _("Unlimited SKUs")),
    "orders_month": (_("Up to %(limit)s orders a month"), _("Unlimited orders")),
    "storage_mb": (_("%(limit)s of file storage"), _("Unlimited file storage")),
}


def number_format(value: int) -> str:
    return format_decimal(value, locale=babel_locale_object())


def limit_sentence(resource: str, limit: int | None) -> str:
    """'Up to 50 dealers', 'Unlimited users', '2 GB of file storage', in the reader's language."""
    with_limit, unlimited = LIMIT_SENTENCES[resource]
    if limit is None:
        return str(unlimited)
    if resource == "storage_mb":
        amount = f"{number_format(limit // 1024)} GB" if limit >= 1024 and limit % 1024 == 0 else f"{limit} MB"
    else:
        amount = number_format(limit)
    return str(with_limit) % {"limit": amount}
