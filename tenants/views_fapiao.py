"""Brand console: Chinese invoices (发票) for the workspace's subscription, at /console/billing/fapiao/ (the owner's).

The payments offered are the subscription's paid payments without an invoice yet (billing_saas.selectors
.invoiceable_payments): prepaid periods paid here; paid Stripe invoices join them through `stripe_paid_invoices`,
which a Stripe integration fills (each a PaidPayment with the Stripe invoice's id and amount)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing_saas import fapiao
from billing_saas.errors import BillingInvalid
from billing_saas.models import InvoiceRequest
from billing_saas.selectors import PaidPayment, invoice_requests_of, invoiceable_payments, subscription_of
from billing_saas.services_fapiao import invoice_request_create
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import BILLING_MANAGE
from tenant_apps.core.forms import apply_domain_error
from tenants.forms import FapiaoRequestForm

STATUS_TONE = {InvoiceRequest.Status.REQUESTED: "pending", InvoiceRequest.Status.ISSUED: "ok",
               InvoiceRequest.Status.FAILED: "danger"}


def stripe_paid_invoices(subscription) -> list[PaidPayment]:
    """The subscription's paid Stripe invoices (none until the Stripe integration reads them)."""
    return []


@requires(BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def fapiao_requests(request):
    subscription = subscription_of(request.tenant.pk)
    if subscription is None:
        return render(request, "tenants/console/fapiao.html", {"subscription": None})
    payments = invoiceable_payments(subscription, others=stripe_paid_invoices(subscription))
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
        "local_fake": fapiao.is_local_fake(),
    }, status=400 if form.is_bound else 200)
