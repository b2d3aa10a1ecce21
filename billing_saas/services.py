"""Every write to a subscription: start a trial, pay, change plan (upgrade now with proration, downgrade at the
end of the period), cancel and resume, operator adjustments, prepaid periods, and the dunning schedule. Each
change is one transaction that records a SubscriptionChange and tells the tenant lifecycle (signals)."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_saas.errors import BillingInvalid, DowngradeOverLimits, PlanChangeInvalid
from billing_saas.history import subscription_change_record
from billing_saas.models import (
    Interval,
    Plan,
    PrepaidPayment,
    Renewal,
    Resource,
    Subscription,
    SubscriptionChange,
    SubscriptionState,
    Usage,
)
from billing_saas.states import SUBSCRIPTION

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


def _snapshot(subscription: Subscription) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "state": subscription.state, "plan": subscription.plan.code, "interval": subscription.interval,
        "renewal": subscription.renewal, "trial_ends_at": iso(subscription.trial_ends_at),
        "current_period_end": iso(subscription.current_period_end),
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "scheduled_plan": subscription.scheduled_plan.code if subscription.scheduled_plan_id else None,
    }


def subscription_history_record(*, actor, subscription: Subscription, action: str, reason: str,
                                before: dict) -> SubscriptionChange:
    """One entry of the subscription's history (what changed from `before`), told to the tenant lifecycle."""
    after = _snapshot(subscription)
    return subscription_change_record(
        actor=actor, subscription=subscription, action=f"billing.subscription.{action}",
        from_state=before.get("state", ""), reason=reason,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v})


def _lock(subscription: Subscription) -> Subscription:
    return (Subscription.objects.select_for_update(of=("self",)).select_related("plan", "scheduled_plan")
            .get(pk=subscription.pk))


def _save(subscription: Subscription, *, moved_from: str | None = None) -> None:
    if moved_from is not None and moved_from != subscription.state:
        subscription.state_changed_at = timezone.now()
    subscription.save()


def add_interval(moment: datetime, interval: str, count: int = 1) -> datetime:
    """`moment` plus `count` months or years, on the same day of the month where it exists (31 Jan + 1 month is
    28/29 Feb), as Stripe bills."""
    months = count * (12 if interval == Interval.YEAR else 1)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _plan_offered(plan: Plan, currency: str, interval: str) -> None:
    if plan.price(currency, interval) is None:
        raise PlanChangeInvalid(
            _("%(plan)s has no %(interval)s price in %(currency)s.")
            % {"plan": plan.label, "interval": Interval(interval).label.lower(), "currency": currency},
            fields={"plan": [_("This plan is not offered in your currency and billing period.")]})


# --- the trial -------------------------------------------------------------------------------------------------
@transaction.atomic
def subscription_start(*, actor, tenant, plan: Plan | None = None, currency: str | None = None,
                       interval: str = Interval.MONTH) -> Subscription:
    """A new workspace's trial of `plan` (the default plan when none): the plan's trial days from now."""
    plan = plan or Plan.objects.filter(is_default=True).first() or Plan.objects.first()
    if plan is None:
        raise BillingInvalid(_("No plan is set up."))
    now = timezone.now()
    subscription = Subscription.objects.create(
        tenant=tenant, plan=plan, interval=interval, currency=currency or tenant.default_currency,
        state=SubscriptionState.TRIALING, trial_ends_at=now + timedelta(days=plan.trial_days), state_changed_at=now)
    subscription_history_record(actor=actor, subscription=subscription, action="started", reason="", before={})
    return subscription


# --- payment ---------------------------------------------------------------------------------------------------
@transaction.atomic
def subscription_paid(*, actor, subscription: Subscription, period_start: datetime, period_end: datetime,
                      renewal: str, plan: Plan | None = None, interval: str | None = None, reason: str = "",
                      stripe_customer_id: str = "", stripe_subscription_id: str = "") -> Subscription:
    """A period is paid (Stripe's checkout or renewal, a prepaid payment, an operator's comp): the subscription is
    active through `period_end`, whatever state it was in. A period that ends before the one already paid changes
    nothing (events may arrive out of order)."""
    subscription = _lock(subscription)
    before = _snapshot(subscription)
    if (subscription.current_period_end and period_end < subscription.current_period_end
            and subscription.state == SubscriptionState.ACTIVE):
        return subscription
    if plan is not None:
        subscription.plan = plan
    if interval:
        subscription.interval = interval
    subscription.current_period_start, subscription.current_period_end = period_start, period_end
    subscription.renewal = renewal or subscription.renewal
    if stripe_customer_id:
        subscription.stripe_customer_id = stripe_customer_id
    if stripe_subscription_id:
        subscription.stripe_subscription_id = stripe_subscription_id
    moved_from = subscription.state
    if subscription.state != SubscriptionState.ACTIVE:
        SUBSCRIPTION.apply(subscription, "activate")
    _save(subscription, moved_from=moved_from)
    action = "activated" if moved_from != SubscriptionState.ACTIVE else "renewed"
    subscription_history_record(actor=actor, subscription=subscription, action=action, reason=reason, before=before)
    return subscription


@transaction.atomic
def subscription_payment_failed(*, actor, subscription: Subscription, reason: str = "") -> Subscription:
    """A renewal was refused (a card declined): past due, with the grace period counted from now. Already past due
    or worse: nothing changes (the schedule goes on)."""
    subscription = _lock(subscription)
    if not SUBSCRIPTION.can(subscription, "fall_due"):
        return subscription
    before = _snapshot(subscription)
    moved_from = SUBSCRIPTION.apply(subscription, "fall_due")
    _save(subscription, moved_from=moved_from)
    subscription_history_record(actor=actor, subscription=subscription, action="payment_failed", reason=reason,
                                before=before)
    return subscription


# --- plan changes ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanChange:
    """What changing to `plan` does, shown before the brand confirms."""

    plan: Plan
    interval: str
    kind: str  # "upgrade" (now, prorated), "downgrade" (at the end of the period), "switch" (in the trial), "same"
    due_now: Decimal  # the prorated difference charged now (0 for a downgrade or in the trial)
    currency: str
    takes_effect: datetime | None
    over: dict[str, list[str]] = field(default_factory=dict)  # resource -> what is over the new plan's limit
    # prepaid periods: an upgrade charges nothing now; the time paid for is worth less on the dearer plan and the
    # paid-through date moves in (what is left, at the old monthly price over the new)
    period_end: datetime | None = None


def over_limits(plan: Plan, usage: dict[str, int]) -> dict[str, list[str]]:
    """Each limited resource whose use is above `plan`'s limit, with a sentence saying by how much."""
    over = {}
    for resource in Resource:
        limit, used = plan.limit(resource.value), usage.get(resource.value)
        if limit is not None and used is not None and used > limit:
            over[resource.value] = [
                _("You have %(used)s %(resource)s; %(plan)s allows %(limit)s. Remove %(extra)s first.")
                % {"used": used, "resource": resource.label, "plan": plan.label, "limit": limit,
                   "extra": used - limit}]
    return over


@transaction.atomic
def usage_record(*, tenant_id: int, usage: dict[str, int], measured_at: datetime | None = None) -> Usage:
    """Store a tenant's measured usage (the periodic measurement, billing_saas.tasks.usage_measure): one row per
    tenant, replaced each time; the operator's fleet view reads it."""
    values = {resource.value: max(int(usage.get(resource.value) or 0), 0) for resource in Resource}
    row, _created = Usage.objects.update_or_create(
        tenant_id=tenant_id, defaults={**values, "measured_at": measured_at or timezone.now()})
    return row


def plan_change_preview(*, subscription: Subscription, plan: Plan, interval: str,
                        usage: dict[str, int] | None = None, now: datetime | None = None) -> PlanChange:
    """The price difference and the date a change to `plan` billed per `interval` takes effect. An upgrade (more
    per month) is charged now for the rest of the period, prorated by the second as Stripe does; a downgrade takes
    effect at the end of the period; in the trial the plan changes at once and nothing is due."""
    if interval not in Interval.values:
        raise PlanChangeInvalid(_("Choose monthly or yearly."), fields={"interval": [_("Choose monthly or yearly.")]})
    _plan_offered(plan, subscription.currency, interval)
    now = now or timezone.now()
    new, old = plan.price(subscription.currency, interval), subscription.price
    over = over_limits(plan, usage or {})
    if plan.pk == subscription.plan_id and interval == subscription.interval:
        kind, due, effective = "same", Decimal("0"), None
    elif subscription.state == SubscriptionState.TRIALING or old is None or subscription.current_period_end is None:
        kind, due, effective = "switch", Decimal("0"), now
    elif new.monthly_amount > old.monthly_amount or (
            new.monthly_amount == old.monthly_amount and interval == Interval.YEAR):
        start, end = subscription.current_period_start or now, subscription.current_period_end
        if interval != subscription.interval:  # a new period starts now: the unused part of the old is credited
            kind, effective = "upgrade", now
            due = new.amount - _unused(old.amount, start, end, now)
        else:
            kind, effective = "upgrade", now
            due = (new.amount - old.amount) * _share_left(start, end, now)
        due = max(due, Decimal("0")).quantize(CENT, ROUND_HALF_UP)
    else:
        kind, due, effective = "downgrade", Decimal("0"), subscription.current_period_end
    period_end = None
    if kind == "upgrade" and subscription.renewal == Renewal.PREPAID:
        left = max(subscription.current_period_end - now, timedelta(0))
        ratio = old.monthly_amount / new.monthly_amount if new.monthly_amount else Decimal("1")
        period_end = now + timedelta(seconds=int(left.total_seconds() * float(ratio)))
        due = Decimal("0")
    return PlanChange(plan=plan, interval=interval, kind=kind, due_now=due, currency=subscription.currency,
                      takes_effect=effective, over=over if kind in ("downgrade", "switch") else {},
                      period_end=period_end)


def _share_left(start: datetime, end: datetime, now: datetime) -> Decimal:
    total = (end - start).total_seconds()
    if total <= 0:
        return Decimal("0")
    left = min(max((end - now).total_seconds(), 0), total)
    return Decimal(str(left)) / Decimal(str(total))


def _unused(amount: Decimal, start: datetime, end: datetime, now: datetime) -> Decimal:
    return amount * _share_left(start, end, now)


def plan_change_check(preview: PlanChange, *, expected_due: Decimal | None) -> None:
    """Refuse a change the preview shows cannot go ahead: usage over the new plan's limits (each resource named), or
    an amount due that is not the one the brand was shown."""
    if preview.over:
        raise DowngradeOverLimits(
            _("Your workspace uses more than %(plan)s allows.") % {"plan": preview.plan.label}, fields=preview.over)
    if expected_due is not None and expected_due != preview.due_now:
        raise PlanChangeInvalid(_("The price changed since you looked; check it again."),
                                fields={"due_now": [str(preview.due_now)]})


@transaction.atomic
def subscription_plan_change(*, actor, subscription: Subscription, plan: Plan, interval: str,
                             usage: dict[str, int] | None = None, reason: str = "",
                             expected_due: Decimal | None = None) -> PlanChange:
    """Change plan as previewed. A downgrade (or a switch in the trial) that would leave usage above the new
    limits is refused naming each resource over; an upgrade applies now (the caller charges `due_now` through
    Stripe before calling, or the operator comps it); a downgrade is scheduled for the end of the period."""
    subscription = _lock(subscription)
    preview = plan_change_preview(subscription=subscription, plan=plan, interval=interval, usage=usage)
    plan_change_check(preview, expected_due=expected_due)
    before = _snapshot(subscription)
    if preview.kind == "same":
        if subscription.scheduled_plan_id:  # staying on the plan: a scheduled downgrade is called off
            subscription.scheduled_plan, subscription.scheduled_interval = None, ""
            subscription.save()
            subscription_history_record(actor=actor, subscription=subscription, action="downgrade_cancelled",
                                        reason=reason, before=before)
        return preview
    if preview.kind == "downgrade":
        subscription.scheduled_plan, subscription.scheduled_interval = plan, interval
        action = "downgrade_scheduled"
    else:
        if preview.period_end is not None:  # prepaid: the time paid for, at the new price
            subscription.current_period_end = preview.period_end
        elif preview.kind == "upgrade" and interval != subscription.interval:
            subscription.current_period_start = timezone.now()
            subscription.current_period_end = add_interval(subscription.current_period_start, interval)
        subscription.plan, subscription.interval = plan, interval
        subscription.scheduled_plan, subscription.scheduled_interval = None, ""
        action = "upgraded" if preview.kind == "upgrade" else "plan_switched"
    subscription.save()
    subscription_history_record(actor=actor, subscription=subscription, action=action, reason=reason, before=before)
    return preview


@transaction.atomic
def subscription_cancel(*, actor, subscription: Subscription, reason: str = "") -> Subscription:
    """Cancel at the end of the period paid for (in the trial: at its end). Until then nothing changes."""
    subscription = _lock(subscription)
    if subscription.state not in (SubscriptionState.TRIALING, SubscriptionState.ACTIVE):
        raise BillingInvalid(_("Only a trial or an active subscription can be cancelled."))
    before = _snapshot(subscription)
    subscription.cancel_at_period_end = True
    subscription.save()
    subscription_history_record(actor=actor, subscription=subscription, action="cancel_scheduled", reason=reason,
                                before=before)
    return subscription


@transaction.atomic
def subscription_resume(*, actor, subscription: Subscription, reason: str = "") -> Subscription:
    """Take back a cancellation before the period ends."""
    subscription = _lock(subscription)
    if not subscription.cancel_at_period_end:
        return subscription
    before = _snapshot(subscription)
    subscription.cancel_at_period_end = False
    subscription.save()
    subscription_history_record(actor=actor, subscription=subscription, action="resumed", reason=reason, before=before)
    return subscription


# --- operator adjustments (the operator console adds its own audit entry with the reason) ----------------------
@transaction.atomic
def subscription_trial_extend(*, actor, subscription: Subscription, days: int, reason: str) -> Subscription:
    subscription = _lock(subscription)
    if subscription.state != SubscriptionState.TRIALING:
        raise BillingInvalid(_("Only a trial can be extended."), fields={"days": [_("Not in a trial.")]})
    if not 1 <= days <= 90:
        raise BillingInvalid(_("Extend by 1 to 90 days."), fields={"days": [_("Extend by 1 to 90 days.")]})
    before = _snapshot(subscription)
    now = timezone.now()
    subscription.trial_ends_at = max(subscription.trial_ends_at or now, now) + timedelta(days=days)
    subscription.save()
    subscription_history_record(actor=actor, subscription=subscription, action="trial_extended", reason=reason,
                                before=before)
    return subscription


def subscription_comp(*, actor, subscription: Subscription, periods: int, reason: str) -> Subscription:
    """Give periods free: paid through moves on by `periods` of its interval (from now if nothing is paid ahead),
    and the workspace is active."""
    if not 1 <= periods <= 12:
        raise BillingInvalid(_("Give 1 to 12 periods."), fields={"periods": [_("Give 1 to 12 periods.")]})
    now = timezone.now()
    start = max(subscription.current_period_end or now, now)
    return subscription_paid(actor=actor, subscription=subscription, period_start=start,
                             period_end=add_interval(start, subscription.interval, periods),
                             renewal=subscription.renewal or Renewal.PREPAID, reason=reason)


@transaction.atomic
def subscription_plan_set(*, actor, subscription: Subscription, plan: Plan, reason: str) -> Subscription:
    """The operator puts the workspace on `plan` now (a negotiated deal), without charging."""
    subscription = _lock(subscription)
    before = _snapshot(subscription)
    subscription.plan = plan
    subscription.scheduled_plan, subscription.scheduled_interval = None, ""
    subscription.save()
    subscription_history_record(actor=actor, subscription=subscription, action="plan_set", reason=reason, before=before)
    return subscription


# --- prepaid periods (Alipay, WeChat Pay) ------------------------------------------------------------------------
PREPAID_METHODS = ("alipay", "wechat_pay")


@transaction.atomic
def prepaid_payment_create(*, actor, subscription: Subscription, method: str, periods: int) -> PrepaidPayment:
    """A one-off payment for `periods` of the current plan and interval, waiting for the payment provider."""
    fields = {}
    if method not in PREPAID_METHODS:
        fields["method"] = [_("Choose Alipay or WeChat Pay.")]
    if not isinstance(periods, int) or not 1 <= periods <= 36:
        fields["periods"] = [_("Pay for 1 to 36 periods.")]
    if fields:
        raise BillingInvalid(_("Check the payment."), fields=fields)
    subscription = _lock(subscription)  # its plan and period now, not as the caller last read them
    price = subscription.price
    if price is None:
        raise BillingInvalid(_("Your plan has no price in your currency."))
    payment = PrepaidPayment.objects.create(
        subscription=subscription, method=method, plan=subscription.plan, interval=subscription.interval,
        periods=periods, amount=price.amount * periods, currency=subscription.currency)
    before = _snapshot(subscription)
    subscription_history_record(actor=actor, subscription=subscription, action="prepaid_requested",
                                reason=f"{method} x{periods}", before=before)
    return payment


@transaction.atomic
def prepaid_payment_succeeded(*, actor, payment: PrepaidPayment, payment_intent_id: str = "") -> PrepaidPayment:
    """The provider says the one-off payment went through: paid through moves on by its periods (from the end of
    what was paid, or now if that is past). Once per payment, whatever the provider repeats."""
    payment = PrepaidPayment.objects.select_for_update(of=("self",)).select_related("subscription").get(pk=payment.pk)
    if payment.status == PrepaidPayment.Status.SUCCEEDED:
        return payment
    subscription = payment.subscription
    now = timezone.now()
    start = max(subscription.current_period_end or now, now)
    end = add_interval(start, payment.interval, payment.periods)
    payment.status, payment.paid_at, payment.paid_through = PrepaidPayment.Status.SUCCEEDED, now, end
    if payment_intent_id:
        payment.stripe_payment_intent_id = payment_intent_id
    payment.save()
    period_start = subscription.current_period_start if subscription.current_period_end and \
        subscription.current_period_end > now else now
    subscription_paid(actor=actor, subscription=subscription, period_start=period_start, period_end=end,
                      renewal=Renewal.PREPAID if subscription.renewal != Renewal.CARD else Renewal.CARD,
                      plan=payment.plan, interval=payment.interval,
                      reason=f"{payment.method} x{payment.periods}")
    return payment


# --- Stripe's ids and endings (billing_saas.stripe_gateway and stripe_webhooks call these) -------------------------
@transaction.atomic
def subscription_stripe_customer_set(*, actor, subscription: Subscription, customer_id: str) -> Subscription:
    """The Stripe customer that pays for the subscription (made once, before its first checkout)."""
    subscription = _lock(subscription)
    if subscription.stripe_customer_id == customer_id:
        return subscription
    before = _snapshot(subscription)
    subscription.stripe_customer_id = customer_id
    subscription.save()
    subscription_history_record(actor=actor, subscription=subscription, action="stripe_customer_linked",
                                reason=customer_id, before=before)
    return subscription


@transaction.atomic
def subscription_ended(*, actor, subscription: Subscription, reason: str = "") -> Subscription:
    """Stripe ended the card subscription (cancelled at the end of its period, or by the operator in Stripe): the
    subscription is cancelled now. Already cancelled or suspended: nothing changes."""
    subscription = _lock(subscription)
    if not SUBSCRIPTION.can(subscription, "cancel"):
        return subscription
    before = _snapshot(subscription)
    moved_from = SUBSCRIPTION.apply(subscription, "cancel")
    subscription.cancel_at_period_end = False
    _save(subscription, moved_from=moved_from)
    subscription_history_record(actor=actor, subscription=subscription, action="cancelled", reason=reason,
                                before=before)
    return subscription


@transaction.atomic
def prepaid_payment_session_set(*, payment: PrepaidPayment, session_id: str) -> PrepaidPayment:
    """The Stripe Checkout session that collects the prepaid payment (its webhook finds the payment by it)."""
    updated = PrepaidPayment.objects.filter(pk=payment.pk, status=PrepaidPayment.Status.PENDING).update(
        stripe_session_id=session_id)
    if not updated:
        raise BillingInvalid(_("This payment is no longer waiting to be paid."))
    payment.stripe_session_id = session_id
    return payment


@transaction.atomic
def plan_stripe_ids_set(*, plan: Plan, product_id: str, prices: dict | None = None) -> None:
    """The Stripe product of `plan` and the Stripe price of each of its PlanPrices ({PlanPrice pk: price id}), as
    the sync command made them."""
    Plan.objects.filter(pk=plan.pk).exclude(stripe_product_id=product_id).update(stripe_product_id=product_id)
    for price_pk, price_id in (prices or {}).items():
        plan.prices.filter(pk=price_pk).exclude(stripe_price_id=price_id).update(stripe_price_id=price_id)
    plan.stripe_product_id = product_id


# --- the dunning schedule (a periodic task; idempotent) -------------------------------------------------------------
def _days(name: str, default: int) -> timedelta:
    return timedelta(days=getattr(settings, name, default))


def dunning_run(*, now: datetime | None = None) -> dict[str, int]:
    """Move every subscription whose time has come, each in its own transaction: a trial over without a card and
    a prepaid period run out fall due; past due for BILLING_PAST_DUE_DAYS turns read-only; read-only (or
    cancelled) for BILLING_READ_ONLY_DAYS is suspended; a cancellation or a scheduled downgrade takes effect at
    the end of the period. Run twice, the second run moves nothing."""
    now = now or timezone.now()
    moved = {"fall_due": 0, "restrict": 0, "suspend": 0, "cancel": 0, "downgrade": 0}
    S = SubscriptionState
    candidates = Subscription.objects.filter(
        # trial over, period over, or a grace period to count
        state__in=[S.TRIALING, S.ACTIVE, S.PAST_DUE, S.READ_ONLY, S.CANCELLED],
    ).exclude(state=S.ACTIVE, current_period_end__gt=now, scheduled_plan__isnull=True).exclude(
        state=S.TRIALING, trial_ends_at__gt=now).values_list("pk", flat=True)
    for pk in candidates.iterator():
        action = _dunning_one(pk, now)
        if action:
            moved[action] += 1
    return moved


@transaction.atomic
def _dunning_one(pk: int, now: datetime) -> str:
    S = SubscriptionState
    subscription = _lock(Subscription(pk=pk))
    before = _snapshot(subscription)
    ended = subscription.current_period_end is not None and subscription.current_period_end <= now
    since = subscription.state_changed_at or now
    if subscription.state == S.ACTIVE and subscription.scheduled_plan_id and (ended or subscription.current_period_end
                                                                              is None):
        subscription.plan, subscription.interval = subscription.scheduled_plan, subscription.scheduled_interval
        subscription.scheduled_plan, subscription.scheduled_interval = None, ""
        subscription.save()
        subscription_history_record(actor=None, subscription=subscription, action="downgraded", reason="",
                                    before=before)
        return "downgrade"
    trial_over = subscription.state == S.TRIALING and subscription.trial_ends_at and subscription.trial_ends_at <= now
    if (trial_over or (subscription.state == S.ACTIVE and ended)) and subscription.cancel_at_period_end:
        action, name, reason = "cancel", "cancelled", _("cancelled at the end of the period")
    elif trial_over and subscription.renewal != Renewal.CARD:
        action, name, reason = "fall_due", "trial_ended", _("the trial ended without a payment method")
    elif subscription.state == S.ACTIVE and ended and subscription.renewal != Renewal.CARD:
        action, name, reason = "fall_due", "period_ran_out", _("the paid period ran out")
    elif subscription.state == S.ACTIVE and ended and now - subscription.current_period_end > _days(
            "BILLING_RENEWAL_WAIT_DAYS", 2):
        # a card that renews: Stripe's invoice should have come; none did
        action, name, reason = "fall_due", "renewal_missing", _("no renewal was received for the period")
    elif subscription.state == S.PAST_DUE and now - since >= _days("BILLING_PAST_DUE_DAYS", 7):
        action, name, reason = "restrict", "read_only", _("payment overdue past the grace period")
    elif subscription.state in (S.READ_ONLY, S.CANCELLED) and now - since >= _days("BILLING_READ_ONLY_DAYS", 23):
        action, name, reason = "suspend", "suspended", _("unpaid")
    else:
        return ""
    SUBSCRIPTION.apply(subscription, action)
    subscription.state_changed_at = now
    subscription.save()
    subscription_history_record(actor=None, subscription=subscription, action=name, reason=str(reason), before=before)
    return action
