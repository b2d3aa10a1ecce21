"""Chinese invoices (发票) for a paid subscription payment: the brand requests one with its tax details (checked,
one per payment), the invoicing adapter (billing_saas.fapiao) issues it after the request is saved, and a periodic
task tries again whatever still waits. Every change is in the subscription's history (billing.invoice.*).

A payment is named by `payment_ref`: `prepaid:<id>` for a prepaid period (Alipay, WeChat Pay) paid here, or the
Stripe invoice's id (`in_...`) for a card's invoice, whose amount the caller read from Stripe."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_saas import fapiao
from billing_saas.errors import (
    FapiaoRefused,
    FapiaoUnavailable,
    InvoiceAlreadyRequested,
    InvoiceRequestInvalid,
)
from billing_saas.history import subscription_change_record
from billing_saas.models import InvoiceRequest, PrepaidPayment, Subscription
from billing_saas.selectors import PREPAID_REF

logger = logging.getLogger(__name__)

FAPIAO_CURRENCY = "CNY"  # a fapiao is a Chinese tax document, in yuan
ITEM_NAME = "*信息技术服务*订货平台订阅服务费"  # as the tax classification names the service (not translated)
AMOUNT_MAX = Decimal("9999999999.99")
RETRY_AFTER = timedelta(minutes=1)  # a request younger than this is being issued by its own task


def _amount_errors(amount) -> tuple[Decimal | None, list[str]]:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        return None, [_("Enter an amount such as 6999.00.")]
    if not value.is_finite() or value <= 0 or value > AMOUNT_MAX or value.as_tuple().exponent < -2:
        return None, [_("Enter an amount above zero with at most two decimals.")]
    return value, []


@transaction.atomic
def invoice_request_create(*, actor, subscription: Subscription, payment_ref: str, amount, currency: str, kind: str,
                           title: str, tax_id: str, address_phone: str = "", bank_account: str = "",
                           email: str) -> InvoiceRequest:
    """Ask for a fapiao of `amount` for the payment `payment_ref` of `subscription`, with the buyer's tax details.
    Field errors (by these parameter names) as InvoiceRequestInvalid; a payment that has a request already (one
    not failed) is refused (InvoiceAlreadyRequested). Issued after commit by the adapter, in a task."""
    details = fapiao.TaxDetails.clean(kind=kind, title=title, tax_id=tax_id, address_phone=address_phone,
                                      bank_account=bank_account, email=email)
    errors = details.errors()
    payment_ref = str(payment_ref or "").strip()
    if not payment_ref or len(payment_ref) > 255 or fapiao.CONTROL.search(payment_ref):
        errors["payment_ref"] = [_("Choose the payment the invoice is for.")]
    value, problems = _amount_errors(amount)
    if problems:
        errors.setdefault("payment_ref", problems)
    elif currency != FAPIAO_CURRENCY:
        errors.setdefault("payment_ref", [_("A fapiao is issued for payments in yuan (CNY).")])
    if errors:
        raise InvoiceRequestInvalid(_("Check the invoice details."), fields=errors)
    # one request at a time per subscription: the check for an earlier request below holds
    subscription = Subscription.objects.select_for_update(of=("self",)).select_related("plan").get(
        pk=subscription.pk)
    if payment_ref.startswith(PREPAID_REF):
        _prepaid_check(subscription, payment_ref, value, currency)
    if InvoiceRequest.objects.filter(subscription=subscription, payment_ref=payment_ref).exclude(
            status=InvoiceRequest.Status.FAILED).exists():
        raise _already()
    try:
        with transaction.atomic():
            request = InvoiceRequest.objects.create(
                subscription=subscription, payment_ref=payment_ref, kind=details.kind, title=details.title,
                tax_id=details.tax_id, address_phone=details.address_phone, bank_account=details.bank_account,
                email=details.email, amount=value, currency=currency)
    except IntegrityError:
        raise _already() from None
    subscription_change_record(
        actor=actor, subscription=subscription, action="billing.invoice.requested",
        reason=f"{details.kind} {value} {currency} {payment_ref}",
        after=_invoice_state(request) | {"kind": details.kind, "title": details.title, "tax_id": details.tax_id,
                                         "payment": payment_ref, "amount": str(value)})
    transaction.on_commit(lambda: _issue_later(request.pk), robust=True)
    return request


def _already() -> InvoiceAlreadyRequested:
    message = _("An invoice has already been requested for this payment.")
    return InvoiceAlreadyRequested(message, fields={"payment_ref": [message]})


def _prepaid_check(subscription: Subscription, payment_ref: str, amount: Decimal, currency: str) -> None:
    """A prepaid payment of this subscription, paid, for this amount."""
    number = payment_ref.removeprefix(PREPAID_REF)
    payment = PrepaidPayment.objects.filter(
        subscription=subscription, pk=int(number) if number.isdigit() and len(number) < 12 else None,
        status=PrepaidPayment.Status.SUCCEEDED).first()
    if payment is None or payment.amount != amount or payment.currency != currency:
        raise InvoiceRequestInvalid(_("Check the invoice details."),
                                    fields={"payment_ref": [_("Choose a payment of yours that has been paid.")]})


def _invoice_state(request: InvoiceRequest) -> dict:
    return {"invoice": request.pk, "status": request.status, "number": request.number}


def _issue_later(pk: int) -> None:
    from billing_saas.tasks import fapiao_issue

    fapiao_issue.delay(pk)


def _order(request: InvoiceRequest) -> fapiao.FapiaoOrder:
    buyer = fapiao.TaxDetails(kind=request.kind, title=request.title, tax_id=request.tax_id,
                              address_phone=request.address_phone, bank_account=request.bank_account,
                              email=request.email)
    plan = request.subscription.plan.name
    return fapiao.FapiaoOrder(
        reference=f"dms-fapiao-{request.pk}-{request.created_at:%Y%m%d%H%M%S%f}", buyer=buyer,
        amount=request.amount, currency=request.currency,
        lines=[fapiao.FapiaoLine(name=f"{ITEM_NAME}（{plan}）", amount=request.amount)])


def invoice_request_issue(*, request: InvoiceRequest, invoicer: fapiao.Invoicer | None = None) -> InvoiceRequest:
    """Have the provider issue a requested invoice: issued (its number kept), failed (the provider refused it: the
    brand may ask again), or still requested with the reason when the provider cannot now (tried again by the
    task). An invoice no longer requested is left as it is, so calling again is harmless. The row stays locked
    while the provider is asked (one call at a time; the provider's idempotency key covers a retry)."""
    provider = invoicer if invoicer is not None else fapiao.invoicer()
    with transaction.atomic():
        locked = (InvoiceRequest.objects.select_for_update(of=("self",))
                  .select_related("subscription__plan").get(pk=request.pk))
        if locked.status != InvoiceRequest.Status.REQUESTED:
            return locked
        before = _invoice_state(locked) | {"error": locked.error}
        action = ""
        if provider is None:
            error = _("No invoicing service is set up yet; the request waits for it.")
        else:
            try:
                issued = provider.issue(_order(locked))
            except FapiaoRefused as refused:
                locked.status, error, action = InvoiceRequest.Status.FAILED, str(refused), "failed"
            except FapiaoUnavailable as unavailable:
                error = str(unavailable)
            else:
                locked.status, locked.number, error, action = InvoiceRequest.Status.ISSUED, issued.number, "", "issued"
                locked.issued_at = issued.issued_at or timezone.now()
        if not action and error == locked.error:
            return locked  # waiting still, for the same reason: nothing new to record
        locked.error = error
        locked.save(update_fields=["status", "number", "error", "issued_at"])
        subscription_change_record(
            actor=None, subscription=locked.subscription, action=f"billing.invoice.{action or 'waiting'}",
            reason=error, before=before, after=_invoice_state(locked) | {"error": error})
    logger.info("billing.invoice.%s", action or "waiting", extra={"invoice": locked.pk, "status": locked.status})
    return locked


def invoice_requests_retry(*, now: datetime | None = None) -> dict[str, int]:
    """Try again every invoice still requested (each in its own transaction), but those just made, whose own task
    is on it. Run twice, a second run asks the provider again only for what still waits."""
    now = now or timezone.now()
    counts = {"issued": 0, "failed": 0, "waiting": 0}
    waiting = InvoiceRequest.objects.filter(status=InvoiceRequest.Status.REQUESTED,
                                            created_at__lte=now - RETRY_AFTER).order_by("pk")
    provider = fapiao.invoicer()
    for pk in waiting.values_list("pk", flat=True).iterator():
        status = invoice_request_issue(request=InvoiceRequest(pk=pk), invoicer=provider).status
        counts["waiting" if status == InvoiceRequest.Status.REQUESTED else status] += 1
    return counts
