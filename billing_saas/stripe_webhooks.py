"""Stripe's webhooks in: verified, kept once, processed in a task against Stripe's current state.

`stripe_event_receive` (the view's one call) verifies the `Stripe-Signature` of the raw body with the stripe
library (a forged, altered or stale one is refused: nothing stored) and stores the event's id once (unique); a
new event is handed to a task after the commit. A replay of an event already processed does nothing.

`stripe_event_process` (the task) never trusts the event's copy of the object, nor the order events arrive in: it
fetches the object again from Stripe and makes our subscription say what Stripe says now, through the services.
An old `invoice.payment_failed` arriving after the renewal went through finds the subscription active in Stripe
and changes nothing; a renewal's `invoice.paid` arriving before `customer.subscription.updated` finds the new
period already. Stripe prices map back to our plans by `PlanPrice.stripe_price_id`, or by the price's metadata
for a price the sync command has since archived.
"""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_saas import services
from billing_saas.errors import BillingInvalid, PaymentsNotConfigured, WebhookRefused
from billing_saas.models import PlanPrice, PrepaidPayment, Renewal, StripeEvent, Subscription, SubscriptionState
from billing_saas.stripe_gateway import (
    META_PLAN,
    META_PREPAID,
    META_SUBSCRIPTION,
    calling,
    client,
    meta,
    minor,
    moment,
)
from tenant_apps.core.errors import DomainError

logger = logging.getLogger(__name__)
STRIPE = "stripe"  # the actor of what Stripe tells us


def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify and keep one webhook delivery: (the event, True) when it is new and queued for processing; (the
    stored event, False) for a replay. Raises WebhookRefused for a bad signature, storing nothing."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise PaymentsNotConfigured(_("Stripe webhooks are not set up on this platform."))
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", secret)
    except (stripe.SignatureVerificationError, ValueError) as error:
        logger.warning("billing.stripe.webhook_refused", extra={"error": str(error)})
        raise WebhookRefused(_("The webhook's signature does not verify.")) from error
    object_id = (event.to_dict().get("data") or {}).get("object", {}).get("id") or ""
    with transaction.atomic():
        stored, created = StripeEvent.objects.get_or_create(
            event_id=event.id, defaults={"type": event.type or "", "object_id": object_id})
        if created or (stored.processed_at is None and stored.error):  # a retry of one that failed: again
            transaction.on_commit(lambda: _enqueue(stored.pk))
    logger.info("billing.stripe.webhook", extra={"event": event.id, "type": event.type, "new": created})
    return stored, created


def _enqueue(event_pk: int) -> None:
    from billing_saas.tasks import stripe_event_process as task

    task.delay(event_pk)


def stripe_event_process(*, event_pk: int) -> str:
    """Process a stored event once (the row is locked: two workers cannot both): what it did, in a word. A
    failure (Stripe out of reach, an object not ours) is kept on the event and it stays unprocessed (Stripe's own
    retry of the delivery queues it again)."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return "already processed"
        try:
            with transaction.atomic():
                outcome = _handle(event.type, event.object_id)
        except DomainError as error:
            logger.warning("billing.stripe.event_failed", extra={"event": event.event_id, "type": event.type,
                                                                 "error": str(error)})
            event.error = f"{error.code}: {error}"
            event.save(update_fields=["error"])
            return "failed"
        event.processed_at, event.error = timezone.now(), ""
        event.save(update_fields=["processed_at", "error"])
    logger.info("billing.stripe.event_processed", extra={"event": event.event_id, "type": event.type,
                                                         "outcome": outcome})
    return outcome


def _handle(type_: str, object_id: str) -> str:
    api = client()
    if type_.startswith("checkout.session."):
        with calling("checkout.sessions.retrieve"):
            session = api.v1.checkout.sessions.retrieve(object_id)
        if session.mode == "subscription" and session.subscription:
            return _subscription_sync(_id(session.subscription), hint=meta(session, META_SUBSCRIPTION))
        if session.mode == "payment" and session.payment_intent:
            return _payment_sync(_id(session.payment_intent), session_id=session.id)
        return "not paid yet"
    if type_.startswith("customer.subscription."):
        return _subscription_sync(object_id)
    if type_.startswith("invoice."):
        with calling("invoices.retrieve"):
            invoice = api.v1.invoices.retrieve(object_id)
        details = invoice.parent.subscription_details if invoice.parent else None
        return _subscription_sync(_id(details.subscription)) if details and details.subscription else "not ours"
    if type_.startswith("payment_intent."):
        return _payment_sync(object_id)
    return "ignored"


def _id(value) -> str:
    return value if isinstance(value, str) else value.id


def _plan_price(price) -> PlanPrice | None:
    found = PlanPrice.objects.select_related("plan").filter(stripe_price_id=price.id).first()
    plan_code = meta(price, META_PLAN)
    if found is None and plan_code and price.recurring:
        found = PlanPrice.objects.select_related("plan").filter(
            plan__code=plan_code, currency=price.currency.upper(), interval=price.recurring.interval).first()
    return found


def _ours(remote, hint: str | None) -> Subscription | None:
    found = Subscription.objects.filter(stripe_subscription_id=remote.id).first()
    pk = meta(remote, META_SUBSCRIPTION) or hint
    if found is None and pk and str(pk).isdigit():
        found = Subscription.objects.filter(pk=int(pk), stripe_customer_id=_id(remote.customer)).first()
    return found


def _subscription_sync(stripe_id: str, hint: str | None = None) -> str:
    """Make our subscription say what Stripe's says now."""
    with calling("subscriptions.retrieve"):
        remote = client().v1.subscriptions.retrieve(stripe_id)
    ours = _ours(remote, hint)
    if ours is None:
        return "not ours"
    linked = ours.stripe_subscription_id == remote.id
    if remote.status in ("active", "trialing"):
        return _active(ours, remote, linked)
    if not linked:  # an old card subscription's news, after a newer one took over
        return "not linked"
    if remote.status in ("past_due", "unpaid"):
        services.subscription_payment_failed(actor=STRIPE, subscription=ours,
                                             reason=_("Stripe: the renewal was not paid (%(status)s).")
                                             % {"status": remote.status})
        return "past_due"
    if remote.status in ("canceled", "incomplete_expired"):
        services.subscription_ended(actor=STRIPE, subscription=ours, reason=_("Stripe ended the card subscription."))
        return "cancelled"
    return remote.status  # incomplete, paused: nothing to do until it pays


def _active(ours: Subscription, remote, linked: bool) -> str:
    item = remote["items"].data[0]
    start, end = moment(item.current_period_start), moment(item.current_period_end)
    if end <= timezone.now():  # a period already over: the renewal's own news will come
        return "stale"
    plan_price = _plan_price(item.price)
    paid = (not linked or ours.state != SubscriptionState.ACTIVE or ours.renewal != Renewal.CARD
            or ours.current_period_end != end)
    other_plan = plan_price is not None and (plan_price.plan_id, plan_price.interval) != (ours.plan_id, ours.interval)
    # a downgrade waits for the end of the period in our books, while Stripe already holds the next price
    waiting = other_plan and ours.scheduled_plan_id == plan_price.plan_id
    outcome = "unchanged"
    if paid or (other_plan and not waiting):
        services.subscription_paid(
            actor=STRIPE, subscription=ours, period_start=start, period_end=end, renewal=Renewal.CARD,
            plan=plan_price.plan if plan_price else None, interval=plan_price.interval if plan_price else None,
            stripe_customer_id=_id(remote.customer), stripe_subscription_id=remote.id,
            reason=_("Stripe: paid through %(date)s.") % {"date": end.date().isoformat()})
        ours.refresh_from_db()
        outcome = "active"
    if bool(remote.cancel_at_period_end) != ours.cancel_at_period_end:
        if remote.cancel_at_period_end:
            if ours.state in (SubscriptionState.TRIALING, SubscriptionState.ACTIVE):
                services.subscription_cancel(actor=STRIPE, subscription=ours, reason=_("Cancelled in Stripe."))
        else:
            services.subscription_resume(actor=STRIPE, subscription=ours, reason=_("Resumed in Stripe."))
        outcome = "active, cancellation synced"
    return outcome


def _payment_sync(intent_id: str, session_id: str = "") -> str:
    """A prepaid payment (Alipay, WeChat Pay) that Stripe says succeeded moves the paid-through date, once."""
    with calling("payment_intents.retrieve"):
        intent = client().v1.payment_intents.retrieve(intent_id)
    pk = meta(intent, META_PREPAID)
    payment = PrepaidPayment.objects.filter(pk=int(pk)).first() if pk and str(pk).isdigit() else None
    if payment is None and session_id:
        payment = PrepaidPayment.objects.filter(stripe_session_id=session_id).first()
    if payment is None:
        return "not ours"
    if intent.status != "succeeded":
        return f"payment {intent.status}"
    customer = payment.subscription.stripe_customer_id
    if (intent.currency.upper() != payment.currency or intent.amount != minor(payment.amount, payment.currency)
            or (customer and intent.customer and _id(intent.customer) != customer)):
        raise BillingInvalid(_("Stripe's payment %(id)s does not match prepaid payment %(pk)s.")
                             % {"id": intent.id, "pk": payment.pk})
    services.prepaid_payment_succeeded(actor=STRIPE, payment=payment, payment_intent_id=intent.id)
    return "prepaid"
