"""Reading plans and subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from billing_saas.models import InvoiceRequest, Plan, PrepaidPayment, Subscription


def plans_for_signup() -> list[Plan]:
    """The plans a brand may choose, with their prices (one query for the prices, however many plans)."""
    return list(Plan.objects.filter(is_public=True).prefetch_related("prices"))


# --- Chinese invoices (发票) ----------------------------------------------------------------------------------------
PREPAID_REF = "prepaid:"


def prepaid_ref(payment: PrepaidPayment) -> str:
    """How an invoice request names a prepaid payment."""
    return f"{PREPAID_REF}{payment.pk}"


@dataclass(frozen=True)
class PaidPayment:
    """A paid payment a fapiao may be asked for: `ref` as invoice requests name it (`prepaid:<id>`, or a Stripe
    invoice's id), what was paid, and how (a PrepaidPayment's method, or "card")."""

    ref: str
    amount: Decimal
    currency: str
    paid_at: datetime | None
    method: str
    periods: int = 1
    interval: str = ""


def subscription_of(tenant_id: int) -> Subscription | None:
    return Subscription.objects.filter(tenant_id=tenant_id).select_related("plan").first()


def invoice_requests_of(subscription: Subscription) -> list[InvoiceRequest]:
    return list(InvoiceRequest.objects.filter(subscription=subscription).order_by("-created_at", "-id"))


def invoiceable_payments(subscription: Subscription, *, others: Iterable[PaidPayment] = ()) -> list[PaidPayment]:
    """The subscription's paid payments that have no invoice request yet (a failed one does not count), newest
    first: its prepaid payments paid here, and `others` (paid Stripe invoices, read from Stripe by the caller).
    Two queries."""
    asked = set(InvoiceRequest.objects.filter(subscription=subscription).exclude(
        status=InvoiceRequest.Status.FAILED).values_list("payment_ref", flat=True))
    prepaid = [PaidPayment(ref=prepaid_ref(payment), amount=payment.amount, currency=payment.currency,
                           paid_at=payment.paid_at, method=payment.method, periods=payment.periods,
                           interval=payment.interval)
               for payment in PrepaidPayment.objects.filter(subscription=subscription,
                                                            status=PrepaidPayment.Status.SUCCEEDED)]
    payments = [payment for payment in [*prepaid, *others] if payment.ref not in asked]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(payments, key=lambda payment: payment.paid_at or oldest, reverse=True)
