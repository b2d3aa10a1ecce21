"""The demo's subscriptions: each brand on its own plan and in its own state, brought there through the billing
services as Stripe's events, a prepaid payment and the brand's own requests would bring it; and Chinese invoices
(发票) issued by the local fake provider (never a real one: the buyers are made up).

Idempotent: a subscription is moved only while it is still in the trial it was provisioned with (nothing paid), and
an invoice is requested only for a payment that has none; what exists is left as it is (the dunning schedule may
have moved a demo subscription on since)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing_saas import services as billing
from billing_saas.fapiao_fake import FakeFapiaoProvider
from billing_saas.models import InvoiceRequest, Plan, PrepaidPayment, Renewal, Subscription, SubscriptionState
from billing_saas.selectors import prepaid_ref
from billing_saas.services_fapiao import invoice_request_create, invoice_request_issue

STRIPE = "stripe"  # the actor of what Stripe's webhooks do


@dataclass(frozen=True)
class DemoFapiao:
    title: str
    tax_id: str  # a made-up unified social credit code with a right check character
    email: str
    kind: str = "ordinary"
    address_phone: str = ""
    bank_account: str = ""


@dataclass(frozen=True)
class DemoBilling:
    """How a demo brand pays: `how` is "trial" (left in its trial), "card" (paid by card, active), "card_declined"
    (paid by card, the renewal declined: past due) or "prepaid" (periods paid ahead by Alipay)."""

    plan: str
    how: str
    interval: str = "month"
    fapiao: DemoFapiao | None = None


def seed_billing(*, tenant, billing_plan: DemoBilling, owner_email: str) -> str:
    """Bring the tenant's subscription where the demo wants it; return a few words saying where it is."""
    subscription = Subscription.objects.select_related("plan").get(tenant=tenant)
    fresh = subscription.state == SubscriptionState.TRIALING and subscription.current_period_end is None
    if fresh and billing_plan.how != "trial":
        _pay(subscription, billing_plan, owner_email)
    if billing_plan.fapiao is not None:
        _fapiao(Subscription.objects.get(pk=subscription.pk), billing_plan.fapiao, owner_email, tenant.slug)
    subscription = Subscription.objects.select_related("plan").get(pk=subscription.pk)
    return f"{subscription.plan.code} {subscription.interval}ly, {subscription.state}"


def _pay(subscription: Subscription, wanted: DemoBilling, owner_email: str) -> None:
    plan = Plan.objects.get(code=wanted.plan)
    now = timezone.now()
    if wanted.how in ("card", "card_declined"):
        start = now - timedelta(days=10) if wanted.how == "card" else billing.add_interval(now, wanted.interval, -1)
        # no Stripe ids: nothing of the demo exists in Stripe (or its local fake), so no page asks Stripe about it
        billing.subscription_paid(
            actor=STRIPE, subscription=subscription, period_start=start,
            period_end=billing.add_interval(start, wanted.interval), renewal=Renewal.CARD, plan=plan,
            interval=wanted.interval, reason="invoice.paid (demo)")
        if wanted.how == "card_declined":
            billing.subscription_payment_failed(actor=STRIPE, subscription=subscription,
                                                reason="invoice.payment_failed: card_declined (demo)")
    elif wanted.how == "prepaid":
        # the owner chooses the plan and period in the trial, then pays a period ahead with Alipay
        billing.subscription_plan_change(actor=owner_email, subscription=subscription, plan=plan,
                                         interval=wanted.interval, reason="demo")
        subscription = Subscription.objects.select_related("plan").get(pk=subscription.pk)  # the plan chosen
        payment = billing.prepaid_payment_create(actor=owner_email, subscription=subscription, method="alipay",
                                                 periods=1)
        billing.prepaid_payment_succeeded(actor=STRIPE, payment=payment)


def _paid_payment(subscription: Subscription, slug: str) -> tuple[str, Decimal] | None:
    """The payment the demo invoices: the last prepaid one, or the card's latest (a Stripe invoice's id)."""
    prepaid = PrepaidPayment.objects.filter(subscription=subscription,
                                            status=PrepaidPayment.Status.SUCCEEDED).order_by("-paid_at").first()
    if prepaid is not None:
        return prepaid_ref(prepaid), prepaid.amount
    if subscription.renewal == Renewal.CARD and subscription.price is not None:
        return f"in_Demo{slug.capitalize()}0001", subscription.price.amount
    return None


def _fapiao(subscription: Subscription, wanted: DemoFapiao, owner_email: str, slug: str) -> None:
    paid = _paid_payment(subscription, slug)
    if paid is None or subscription.currency != "CNY":
        return
    ref, amount = paid
    if InvoiceRequest.objects.filter(subscription=subscription, payment_ref=ref).exists():
        return
    with FakeFapiaoProvider() as provider, transaction.atomic():
        # issued here by the fake, inside the request's transaction: the task the request schedules after commit
        # finds it issued and asks no provider
        request = invoice_request_create(
            actor=owner_email, subscription=subscription, payment_ref=ref, amount=amount, currency="CNY",
            kind=wanted.kind, title=wanted.title, tax_id=wanted.tax_id, address_phone=wanted.address_phone,
            bank_account=wanted.bank_account, email=wanted.email)
        invoice_request_issue(request=request, invoicer=provider.invoicer())
