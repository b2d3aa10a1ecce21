"""Reads of online payments, in the reader's data scope (a dealer's staff: their own company's)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.errors import PaymentNotFound
from tenant_apps.finance.models import Payment


def payments_visible_to(user) -> QuerySet[Payment]:
    return Payment.objects.filter(dealer__in=dealers_visible_to(user)).select_related("dealer")


def payment_get_for(*, actor, payment_id) -> Payment:
    """The payment, if the actor may see its dealer; PaymentNotFound (404) otherwise, existing or not."""
    payment = None
    if str(payment_id).isdigit() and len(str(payment_id)) < 19:
        payment = payments_visible_to(actor).filter(pk=int(payment_id)).first()
    if payment is None:
        raise PaymentNotFound(_("No such payment."))
    return payment
