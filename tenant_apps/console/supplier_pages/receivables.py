"""The supplier console's receivables (S2B2B, /supplier/receivables/): what each sub-dealer owes the company, one
sub-dealer's open items with due dates and its ledger with the company, recording a payment received from it and
setting the credit and terms the company gives it. Reading: `supplier.orders`; payments and terms:
`supplier.finance` (the supplier's dealer owner). A dealer not buying from the company is a 404. Writes go through
finance.services_suppliers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import SUPPLIER_FINANCE, SUPPLIER_ORDERS, has_perm, supplier_node_id
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers.selectors import supplier_dealer_get
from tenant_apps.finance.models import SettlementMode
from tenant_apps.finance.selectors_suppliers import supplier_receivable, supplier_receivables
from tenant_apps.finance.services_suppliers import METHODS, supplier_payment_record, supplier_terms_set


class SupplierPaymentForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Amount received"), max_digits=14, decimal_places=2)
    method = forms.ChoiceField(label=gettext_lazy("Paid by"), choices=list(METHODS.items()))
    reference = forms.CharField(label=gettext_lazy("Reference (an order number pays that order first)"),
                                max_length=100, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class SupplierTermsForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("Settlement mode"), choices=SettlementMode.choices)
    credit_limit = forms.DecimalField(label=gettext_lazy("Credit limit"), max_digits=14, decimal_places=2,
                                      min_value=0, required=False)
    terms_days = forms.IntegerField(label=gettext_lazy("Payment terms (net days)"), min_value=0, max_value=365,
                                    required=False)


@requires(SUPPLIER_ORDERS)
def supplier_receivables_page(request):
    return render(request, "console/supplier_receivables.html", {
        "rows": supplier_receivables(node_id=supplier_node_id(request.user)), "here": "receivables"})


def _write(request, form: forms.Form, write) -> bool:
    """Run `write(cleaned_data)` for a valid form; a domain error goes on the form. True when it was written."""
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except DomainError as error:
        apply_domain_error(form, error)
        return False
    return True


@requires(SUPPLIER_ORDERS)
@require_http_methods(["GET", "POST"])
def supplier_receivable_page(request, dealer_id: int):
    node_id = supplier_node_id(request.user)
    try:
        dealer = supplier_dealer_get(node_id=node_id, dealer_id=dealer_id)
    except DomainError:
        raise Http404 from None
    may_write = has_perm(request.user, SUPPLIER_FINANCE)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action and not may_write:
        raise PermissionDenied
    payment_form = SupplierPaymentForm(request.POST if action == "payment" else None)
    found = supplier_receivable(node_id=node_id, dealer=dealer)
    terms_form = SupplierTermsForm(request.POST if action == "terms" else None, initial={
        "mode": found.settlement.mode, "credit_limit": found.settlement.credit_limit,
        "terms_days": found.settlement.terms_days})
    if action == "payment" and _write(request, payment_form, lambda data: supplier_payment_record(
            actor=request.user, creditor=node_id, dealer=dealer, amount=data["amount"], method=data["method"],
            reference=data["reference"], note=data["note"])):
        messages.success(request, _("Payment recorded."))
        return redirect("supplier:receivable", dealer_id=dealer.pk)
    if action == "terms" and _write(request, terms_form, lambda data: supplier_terms_set(
            actor=request.user, creditor=node_id, dealer=dealer, mode=data["mode"],
            credit_limit=data["credit_limit"], terms_days=data["terms_days"])):
        messages.success(request, _("Terms saved."))
        return redirect("supplier:receivable", dealer_id=dealer.pk)
    if action not in ("", "payment", "terms"):
        raise PermissionDenied
    status = 400 if action else 200
    return render(request, "console/supplier_receivable.html", {
        "found": found, "dealer": dealer, "f": found.figures, "here": "receivables", "may_write": may_write,
        "payment_form": payment_form, "terms_form": terms_form,
        "mode": SettlementMode(found.settlement.mode).label}, status=status)
