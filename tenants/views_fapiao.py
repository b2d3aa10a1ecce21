"""Brand console: Chinese invoices (发票) for the workspace's subscription, at /console/billing/fapiao/ (the owner's).

The payments offered are the subscription's paid payments without an invoice yet (billing_saas.selectors
.invoiceable_payments): prepaid periods paid here, and the card's paid Stripe invoices, read from Stripe
(`stripe_paid_invoices`: each a PaidPayment with the Stripe invoice's id and amount)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing_saas import fapiao, stripe_gateway
from billing_saas.errors import BillingInvalid
from billing_saas.models import InvoiceRequest
from billing_saas.selectors import PaidPayment, invoice_requests_of, invoiceable_payments, subscription_of
from billing_saas.services_fapiao import invoice_request_create
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import BILLING_MANAGE
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenants.forms import FapiaoRequestForm

STATUS_TONE = {InvoiceRequest.Status.REQUESTED: "pending", InvoiceRequest.Status.ISSUED: "ok",
               InvoiceRequest.Status.FAILED: "danger"}


def stripe_paid_invoices(subscription) -> tuple[list[PaidPayment], str]:
    """The subscription's paid Stripe invoices (billing_saas.stripe_gateway), and why they could not be read (Stripe
    not set up or out of reach: the page says so and offers the other payments)."""
    try:
        found = stripe_gateway.invoices(subscription=subscription)
    except DomainError as error:
        return [], str(error.detail)
    return [PaidPayment(ref=invoice["id"], amount=invoice["amount"], currency=invoice["currency"],
                        paid_at=invoice["date"], method="card")
            for invoice in found if invoice["status"] == "paid" and invoice["amount"] > 0], ""


@requires(BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def fapiao_requests(request):
    subscription = subscription_of(request.tenant.pk)
    if subscription is None:
        return render(request, "tenants/console/fapiao.html", {"subscription": None})
    card_payments, card_problem = stripe_paid_invoices(subscription)
    payments = invoiceable_payments(subscription, others=card_payments)
    kinds = InvoiceRequest.Kind.choices
    form = FapiaoRequestForm(request.POST or None, payments=payments, kinds=kinds,
                             initial={"kind": InvoiceRequest.Kind.ORDINARY, "email": request.user.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payment = form.payments[data["payment_ref"]]
        try:
            invoice_request_create(
                actor=request.user, subscription=subscription, payment_ref=payment.ref, amount=payment.amount,
                currency=payment.currency, kind=data["kind"], title=data["title"], tax_id=data["tax_id"],
                address_phone=data["address_phone"], bank_account=data["bank_account"], email=data["email"])
        except BillingInvalid as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Invoice requested. It is sent to %(email)s once issued.")
                             % {"email": data["email"]})
            return redirect("console:fapiao")
    rows = [{"request": invoice, "tone": STATUS_TONE.get(invoice.status, ""),
             "waiting": invoice.status == InvoiceRequest.Status.REQUESTED and bool(invoice.error)}
            for invoice in invoice_requests_of(subscription)]
    return render(request, "tenants/console/fapiao.html", {
        "subscription": subscription, "rows": rows, "form": form, "has_payments": bool(payments),
        "local_fake": fapiao.is_local_fake(), "card_problem": card_problem,
    }, status=400 if form.is_bound else 200)
