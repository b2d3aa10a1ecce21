"""Invoices (发票) to dealers: the dealer's tax details (what its invoices name as the buyer) and its requests for an
invoice of an order or a statement, which the e-invoicing provider issues (finance.fapiao).

A request: requested -> issuing (the provider is being asked) -> issued (number, date, PDF stored) | failed (refused
by the provider, or the provider could not be reached: `retryable`, tried again by a periodic task);
a failed request may be tried again (-> issuing); requested or failed -> cancelled. At most one request that is
not failed or cancelled per (dealer, reference)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.fields import EncryptedTextField
from tenant_apps.core.money import currency_check
from tenant_apps.finance.models.ledger import AMOUNT


class InvoiceKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary VAT invoice")
    SPECIAL = "special", _("Special VAT invoice")


class DealerTaxProfile(models.Model):
    """The buyer as the dealer's invoices name it (one per dealer); the bank account is encrypted at rest."""

    dealer = models.OneToOneField("dealers.Dealer", on_delete=models.CASCADE, related_name="tax_profile")
    kind = models.CharField(_("invoice type"), max_length=8, choices=InvoiceKind.choices,
                            default=InvoiceKind.ORDINARY)
    title = models.CharField(_("invoice title"), max_length=100)
    tax_id = models.CharField(_("taxpayer ID"), max_length=18)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = EncryptedTextField(_("bank account"), blank=True)
    bank_account_last4 = models.CharField(max_length=4, blank=True)
    address = models.CharField(_("registered address"), max_length=150, blank=True)
    phone = models.CharField(_("registered phone"), max_length=40, blank=True)
    email = models.EmailField(_("email for e-invoices"), max_length=254)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dealer_id"]

    def __str__(self) -> str:
        return f"{self.title} {self.tax_id}"


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUING = "issuing", _("Being issued")
    ISSUED = "issued", _("Issued")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class InvoiceSubject(models.TextChoices):
    ORDER = "order", _("Order")
    STATEMENT = "statement", _("Statement")


def _pdf_path(instance, filename: str) -> str:
    return f"invoices/{instance.dealer_id}/{filename}"


class InvoiceRequest(models.Model):
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("invoiced for"), max_length=10, choices=InvoiceSubject.choices)
    reference = models.CharField(_("order or statement number"), max_length=40)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3)
    # the buyer as it was when asked (the profile may change later)
    kind = models.CharField(_("invoice type"), max_length=8, choices=InvoiceKind.choices)
    title = models.CharField(_("invoice title"), max_length=100)
    tax_id = models.CharField(_("taxpayer ID"), max_length=18)
    address_phone = models.CharField(max_length=200, blank=True)
    bank_account = EncryptedTextField(blank=True)  # "bank name account", as the invoice prints it
    email = models.EmailField(_("email"), max_length=254)
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.REQUESTED)
    number = models.CharField(_("invoice number"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_pdf_path, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    retryable = models.BooleanField(default=False)  # failed because the provider could not be reached
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["reference"], name="finance_invoice_reference"),
                   models.Index(fields=["status", "updated_at"], name="finance_invoice_status")]
        constraints = [
            currency_check("finance_invoice_currency_code"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_invoice_positive"),
            models.UniqueConstraint(fields=["dealer", "reference"], name="one_open_invoice_per_reference",
                                    condition=~Q(status__in=["failed", "cancelled"])),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.status})"
