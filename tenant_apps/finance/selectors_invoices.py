"""Reads of dealer invoices: always through the actor's data scope (outside it: 404, as if it did not exist)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.errors import InvoiceNotFound
from tenant_apps.finance.models import DealerTaxProfile, InvoiceRequest, InvoiceStatus


def invoices_visible_to(user) -> QuerySet[InvoiceRequest]:
    return InvoiceRequest.objects.filter(dealer__in=dealers_visible_to(user)).select_related("dealer")


def invoice_get_for(*, actor, invoice_id) -> InvoiceRequest:
    invoice = None
    if str(invoice_id).isdigit() and len(str(invoice_id)) < 19:
        invoice = invoices_visible_to(actor).filter(pk=int(invoice_id)).first()
    if invoice is None:
        raise InvoiceNotFound(_("No such invoice."))
    return invoice


def invoices_for_reference(reference: str, *, dealer=None) -> list[InvoiceRequest]:
    """The invoices asked for an order or statement number (not cancelled), newest first; the caller has already
    checked that the actor may see what `reference` names (an order detail page). `dealer` narrows them to its
    own (order numbers are unique per brand, so this is a guard)."""
    rows = InvoiceRequest.objects.filter(reference=str(reference or "")[:40]).exclude(status=InvoiceStatus.CANCELLED)
    if dealer is not None:
        rows = rows.filter(dealer=dealer)
    return list(rows.order_by("-created_at", "-pk"))


def tax_profile_of(dealer) -> DealerTaxProfile | None:
    return DealerTaxProfile.objects.filter(dealer=dealer).first()
