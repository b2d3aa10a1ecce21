"""Our side of Stripe: the pages call these to send a brand to Stripe Checkout (a card subscription, or a prepaid
payment by Alipay / WeChat Pay) or to the customer portal (cards, invoices), to change plan or cancel a card
subscription, and to list its invoices; the `billing_stripe_sync` command keeps Stripe's products and prices in
step with our plans (`plans_sync`).

Configured from settings on every call: STRIPE_SECRET_KEY, STRIPE_API_BASE (a local fake in tests and the demo:
billing_saas.stripe_fake), STRIPE_WEBHOOK_SECRET (billing_saas.stripe_webhooks). Stripe's sessions are made on
demand and never stored. Every error of the stripe library becomes one of ours (billing_saas.errors): a declined
card 402, Stripe out of reach 503, a refused request 502 (logged in full); never a 500.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from billing_saas import services
from billing_saas.errors import (
    BillingInvalid,
    PaymentDeclined,
    PaymentProviderError,
    PaymentProviderUnavailable,
    PaymentsNotConfigured,
    PlanChangeInvalid,
)
from billing_saas.models import Interval, Plan, PlanPrice, PrepaidPayment, Renewal, Subscription, SubscriptionState
from tenant_apps.core.money import minor_unit

logger = logging.getLogger(__name__)
NETWORK_RETRIES = 1
TIMEOUT_SECONDS = 20
# what our objects are called in Stripe's metadata (a price maps back to its plan by these, whatever its id)
META_PLAN, META_SUBSCRIPTION, META_PREPAID = "dms_plan", "dms_subscription", "dms_prepaid_payment"


# --- the client --------------------------------------------------------------------------------------------------
def is_test_mode() -> bool:
    """Whether payments are pretend (a test key, or the local fake): pages say so."""
    return bool(getattr(settings, "STRIPE_FAKE", False)) or settings.STRIPE_SECRET_KEY.startswith("sk_test_")


# Stripe's hosted pages: Checkout and the customer portal (our pages' forms redirect there).
STRIPE_HOSTED = ("https://checkout.stripe.com", "https://billing.stripe.com")


def hosted_origins() -> list[str]:
    """Where our forms' redirects may go on to pay (CSP form-action of the billing page): Stripe's hosted pages,
    and the API base's origin when it is not Stripe's (the local fake serves its pages there)."""
    origins = list(STRIPE_HOSTED)
    base = getattr(settings, "STRIPE_API_BASE", "")
    if base:
        parts = urlsplit(base)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentsNotConfigured(_("Online payment is not set up on this platform yet."))
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE)


@lru_cache(maxsize=4)
def _client(key: str, base: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=NETWORK_RETRIES,
                               http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS))


@contextmanager
def calling(what: str):
    """Stripe's errors as ours, with a message a brand can act on."""
    try:
        yield
    except stripe.CardError as error:
        raise PaymentDeclined(_("Your card was declined: %(reason)s Nothing was changed.")
                              % {"reason": error.user_message or ""}) from error
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        logger.warning("billing.stripe.unavailable", extra={"call": what, "error": str(error)})
        raise PaymentProviderUnavailable(
            _("The payment service cannot be reached right now. Nothing was charged or changed; try again in a few "
              "minutes.")) from error
    except stripe.StripeError as error:
        logger.error("billing.stripe.refused", extra={"call": what, "error": str(error),
                                                      "request_id": getattr(error, "request_id", None)})
        raise PaymentProviderError(
            _("The payment service refused the request. Nothing was charged; the platform's team has been told."),
        ) from error


def minor(amount: Decimal, currency: str) -> int:
    """An amount in the currency's smallest unit, as Stripe counts (fen, cents; yen as they are)."""
    return int(amount / minor_unit(currency))


def major(amount: int, currency: str) -> Decimal:
    return Decimal(amount) * minor_unit(currency)


def meta(obj, key: str) -> str | None:
    """A value of a Stripe object's metadata (the library's objects are not dicts)."""
    metadata = getattr(obj, "metadata", None)
    return metadata.to_dict().get(key) if metadata is not None else None


def moment(epoch: int | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, tz=UTC) if epoch else None


# --- products and prices in step with our plans -------------------------------------------------------------------
def plans_sync(*, plans=None) -> dict[str, int]:
    """Make Stripe's products and prices say what our plans say: a product per plan, an active price per PlanPrice.
    A price's amount cannot change in Stripe: a changed amount makes a new price and archives the old one
    (subscriptions on it renew at it until changed). Found again by metadata when our ids are lost. Idempotent:
    run twice, the second run changes nothing (all counts 0)."""
    counts = {"products_created": 0, "products_updated": 0, "prices_created": 0, "prices_archived": 0}
    api = client()
    plans = list(plans if plans is not None else Plan.objects.prefetch_related("prices"))
    with calling("plans_sync"):
        products = {meta(p, META_PLAN): p for p in api.v1.products.list(params={"limit": 100}).auto_paging_iter()
                    if meta(p, META_PLAN)}
        for plan in plans:
            product = products.get(plan.code)
            if product is None:
                product = api.v1.products.create(params={"name": plan.name, "metadata": {META_PLAN: plan.code}})
                counts["products_created"] += 1
            elif product.name != plan.name or not product.active:
                product = api.v1.products.update(product.id, params={"name": plan.name, "active": True})
                counts["products_updated"] += 1
            prices = list(api.v1.prices.list(params={"product": product.id, "active": True, "limit": 100})
                          .auto_paging_iter())
            chosen = {}
            for plan_price in plan.prices.all():
                price_id, created, archived = _price_sync(api, product.id, plan, plan_price, prices)
                chosen[plan_price.pk] = price_id
                counts["prices_created"] += created
                counts["prices_archived"] += archived
            services.plan_stripe_ids_set(plan=plan, product_id=product.id, prices=chosen)
    logger.info("billing.stripe.plans_synced", extra=counts)
    return counts


def _price_sync(api, product_id: str, plan: Plan, plan_price: PlanPrice, prices: list) -> tuple[str, int, int]:
    currency, interval = plan_price.currency.lower(), plan_price.interval
    amount = minor(plan_price.amount, plan_price.currency)
    same_kind = [p for p in prices if p.currency == currency and p.recurring and p.recurring.interval == interval]
    matching = [p for p in same_kind if p.unit_amount == amount]
    keep = next((p for p in matching if p.id == plan_price.stripe_price_id), matching[0] if matching else None)
    created = 0
    if keep is None:
        keep = api.v1.prices.create(params={
            "product": product_id, "currency": currency, "unit_amount": amount, "recurring": {"interval": interval},
            "nickname": f"{plan.code} {interval} {plan_price.currency}",
            "metadata": {META_PLAN: plan.code, "currency": plan_price.currency, "interval": interval}})
        created = 1
    archived = 0
    for old in same_kind:
        if old.id != keep.id:
            api.v1.prices.update(old.id, params={"active": False})
            archived += 1
    return keep.id, created, archived


def _price_id(plan_price: PlanPrice) -> str:
    """The Stripe price of `plan_price`, made now if the sync command has not run for it yet."""
    if not plan_price.stripe_price_id:
        plans_sync(plans=[Plan.objects.prefetch_related("prices").get(pk=plan_price.plan_id)])
        plan_price.refresh_from_db(fields=["stripe_price_id"])
    return plan_price.stripe_price_id


def _offered(plan: Plan, currency: str, interval: str) -> PlanPrice:
    price = PlanPrice.objects.filter(plan=plan, currency=currency, interval=interval).first()
    if price is None:
        raise PlanChangeInvalid(_("%(plan)s has no %(interval)s price in %(currency)s.")
                                % {"plan": plan.label, "interval": Interval(interval).label.lower(),
                                   "currency": currency},
                                fields={"plan": [_("This plan is not offered in your currency and billing period.")]})
    return price


# --- checkout and the portal --------------------------------------------------------------------------------------
def _customer_id(*, actor, subscription: Subscription) -> str:
    """The subscription's Stripe customer, made the first time (once, whatever retries: Stripe's idempotency)."""
    if subscription.stripe_customer_id:
        return subscription.stripe_customer_id
    tenant = subscription.tenant
    params = {"name": tenant.name, "metadata": {META_SUBSCRIPTION: str(subscription.pk),
                                                "dms_tenant": tenant.schema_name}}
    if getattr(actor, "email", None):
        params["email"] = actor.email
    with calling("customers.create"):
        customer = client().v1.customers.create(params=params,
                                                options={"idempotency_key": f"dms-customer-{subscription.pk}"})
    subscription = services.subscription_stripe_customer_set(actor=actor, subscription=subscription,
                                                             customer_id=customer.id)
    return customer.id


def checkout_url(*, subscription: Subscription, plan: Plan, interval: str, success_url: str, cancel_url: str,
                 actor=None) -> str:
    """Stripe Checkout for a card subscription to `plan` billed per `interval`; the first payment starts the paid
    period (the webhook activates the subscription). `success_url` may hold {CHECKOUT_SESSION_ID}."""
    if subscription.renewal == Renewal.CARD and subscription.stripe_subscription_id and subscription.state in (
            SubscriptionState.ACTIVE, SubscriptionState.PAST_DUE, SubscriptionState.READ_ONLY):
        raise BillingInvalid(_("Your card subscription is already set up: change plan here, or manage your card in "
                               "the billing portal."))
    price_id = _price_id(_offered(plan, subscription.currency, interval))
    customer_id = _customer_id(actor=actor, subscription=subscription)
    metadata = {META_SUBSCRIPTION: str(subscription.pk), META_PLAN: plan.code, "interval": interval}
    with calling("checkout.sessions.create"):
        session = client().v1.checkout.sessions.create(params={
            "mode": "subscription", "customer": customer_id, "client_reference_id": str(subscription.pk),
            "line_items": [{"price": price_id, "quantity": 1}], "success_url": success_url,
            "cancel_url": cancel_url, "metadata": metadata, "subscription_data": {"metadata": metadata}})
    return session.url


def prepaid_checkout_url(*, payment: PrepaidPayment, success_url: str, cancel_url: str, actor=None) -> str:
    """Stripe Checkout for a prepaid payment (services.prepaid_payment_create) by Alipay or WeChat Pay: a one-off
    payment; once paid, the webhook moves the paid-through date on by its periods."""
    if payment.status != PrepaidPayment.Status.PENDING:
        raise BillingInvalid(_("This payment is no longer waiting to be paid."))
    subscription = payment.subscription
    customer_id = _customer_id(actor=actor, subscription=subscription)
    plan_price = _offered(payment.plan, payment.currency, payment.interval)
    _price_id(plan_price)
    payment.plan.refresh_from_db(fields=["stripe_product_id"])
    metadata = {META_SUBSCRIPTION: str(subscription.pk), META_PREPAID: str(payment.pk)}
    params = {
        "mode": "payment", "customer": customer_id, "client_reference_id": str(subscription.pk),
        "payment_method_types": [payment.method], "success_url": success_url, "cancel_url": cancel_url,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": payment.currency.lower(), "unit_amount": minor(payment.amount, payment.currency),
            "product": payment.plan.stripe_product_id}}],
        "metadata": metadata, "payment_intent_data": {
            "metadata": metadata, "description": f"{payment.plan.code} x{payment.periods} {payment.interval}"}}
    if payment.method == "wechat_pay":
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    with calling("checkout.sessions.create"):
        session = client().v1.checkout.sessions.create(params=params,
                                                       options={"idempotency_key": f"dms-prepaid-{payment.pk}"})
    services.prepaid_payment_session_set(payment=payment, session_id=session.id)
    return session.url


def portal_url(*, subscription: Subscription, return_url: str) -> str:
    """Stripe's customer portal for the subscription's customer: the card, and the invoices (an open one paid)."""
    if not subscription.stripe_customer_id:
        raise BillingInvalid(_("No card or payment is set up yet: subscribe first."))
    with calling("billing_portal.sessions.create"):
        session = client().v1.billing_portal.sessions.create(params={
            "customer": subscription.stripe_customer_id, "return_url": return_url})
    return session.url


# --- changes to a card subscription -------------------------------------------------------------------------------
def _card_subscription(subscription: Subscription) -> str:
    if subscription.renewal != Renewal.CARD or not subscription.stripe_subscription_id:
        raise BillingInvalid(_("This needs a card subscription; yours is paid ahead."))
    return subscription.stripe_subscription_id


def plan_change(*, subscription: Subscription, plan: Plan, interval: str, actor=None,
                usage: dict[str, int] | None = None, expected_due: Decimal | None = None) -> services.PlanChange:
    """Change plan. A card subscription's upgrade is charged now in Stripe, prorated (always_invoice; a declined
    card changes nothing, 402), then applied (services.subscription_plan_change). A downgrade is scheduled: Stripe
    bills the new price from the next renewal (no proration), our plan changes at the end of the period. In the
    trial, or without a card subscription, the plan change is ours alone (an upgrade of a prepaid period is
    refused: pay the new plan's periods instead)."""
    preview = services.plan_change_preview(subscription=subscription, plan=plan, interval=interval, usage=usage)
    card = subscription.renewal == Renewal.CARD and subscription.stripe_subscription_id
    if preview.kind in ("upgrade", "downgrade") and card:
        services.plan_change_check(preview, expected_due=expected_due)
        if preview.kind == "downgrade" and interval != subscription.interval:
            raise PlanChangeInvalid(_("Change the billing period together with an upgrade, or at renewal."),
                                    fields={"interval": [_("Keep your billing period for a downgrade.")]})
        price_id = _price_id(_offered(plan, subscription.currency, interval))
        with calling("subscriptions.update"):
            api = client()
            current = api.v1.subscriptions.retrieve(subscription.stripe_subscription_id)
            api.v1.subscriptions.update(current.id, params={
                "items": [{"id": current["items"].data[0].id, "price": price_id}],
                "proration_behavior": "always_invoice" if preview.kind == "upgrade" else "none",
                "payment_behavior": "error_if_incomplete",
                "metadata": {META_PLAN: plan.code, "interval": interval}})
    elif preview.kind == "upgrade" and subscription.state != SubscriptionState.TRIALING:
        raise BillingInvalid(_("Your periods are paid ahead: pay for the new plan's periods to upgrade."))
    return services.subscription_plan_change(actor=actor, subscription=subscription, plan=plan, interval=interval,
                                             usage=usage, expected_due=expected_due)


upgrade = plan_change  # the name the plan page calls


def cancel_at_period_end(*, subscription: Subscription, actor=None, reason: str = "") -> Subscription:
    """Cancel at the end of the paid period: Stripe stops renewing the card, and so do we."""
    if subscription.state not in (SubscriptionState.TRIALING, SubscriptionState.ACTIVE):
        raise BillingInvalid(_("Only a trial or an active subscription can be cancelled."))
    if subscription.renewal == Renewal.CARD and subscription.stripe_subscription_id:
        with calling("subscriptions.update"):
            client().v1.subscriptions.update(subscription.stripe_subscription_id,
                                             params={"cancel_at_period_end": True})
    return services.subscription_cancel(actor=actor, subscription=subscription, reason=reason)


def resume(*, subscription: Subscription, actor=None, reason: str = "") -> Subscription:
    """Take back a cancellation before the period ends: the card renews again."""
    if subscription.renewal == Renewal.CARD and subscription.stripe_subscription_id:
        with calling("subscriptions.update"):
            client().v1.subscriptions.update(subscription.stripe_subscription_id,
                                             params={"cancel_at_period_end": False})
    return services.subscription_resume(actor=actor, subscription=subscription, reason=reason)


# --- reading ------------------------------------------------------------------------------------------------------
def invoices(*, subscription: Subscription, limit: int = 24) -> list[dict]:
    """The subscription's Stripe invoices, newest first: number, amount (Decimal), currency, status (paid, open,
    void, ...), date, hosted_invoice_url (Stripe's page: view, pay an open one)."""
    if not subscription.stripe_customer_id:
        return []
    with calling("invoices.list"):
        found = client().v1.invoices.list(params={"customer": subscription.stripe_customer_id, "limit": limit})
    return [{"id": invoice.id, "number": invoice.number or "", "currency": invoice.currency.upper(),
             "amount": major(invoice.total, invoice.currency.upper()), "status": invoice.status or "",
             "date": moment(invoice.created), "hosted_invoice_url": invoice.hosted_invoice_url or ""}
            for invoice in found.data]
