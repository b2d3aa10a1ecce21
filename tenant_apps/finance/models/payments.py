"""Online payments by dealers (finance.payments): the brand's connected provider accounts, one Payment per attempt
to pay (an order's amount still owed, or a top-up of the prepaid balance), its refunds, the provider's webhook
events (kept once), and the API's Idempotency-Keys.

A Payment writes to the ledger only when it succeeds (a PAYMENT or TOP_UP row, `entry`) and when it is refunded
(a REFUND row per PaymentRefund, `entry`): pending and failed payments never touch the dealer's account. Its
`state` changes only through finance.payments.states.PAYMENT (tenant_apps.core.states)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenant_apps.core.fields import EncryptedTextField
from tenant_apps.core.money import currency_check
from tenant_apps.finance.models.ledger import AMOUNT, LedgerEntry


class ProviderAccount(models.Model):
    """The brand's own account at one provider (one per provider code). `credentials` is encrypted JSON (the
    fields the adapter's CREDENTIAL_FIELDS name); pages show it masked (`credential_hints`), never in full."""

    code = models.CharField(_("provider"), max_length=20, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    credentials = EncryptedTextField(_("credentials"), blank=True, default="")
    webhook_secret = EncryptedTextField(_("webhook secret"), blank=True, default="")
    credential_hints = models.JSONField(default=dict, blank=True)  # name -> masked value, for pages
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({'on' if self.enabled else 'off'})"


class PaymentPurpose(models.TextChoices):
    ORDER = "order", _("Order payment")
    TOP_UP = "top_up", _("Top-up")


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    SUCCEEDED = "succeeded", pgettext_lazy("payment state", "Paid")
    FAILED = "failed", _("Failed")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    purpose = models.CharField(_("purpose"), max_length=8, choices=PaymentPurpose.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)  # the order number it pays
    provider = models.CharField(_("provider"), max_length=20)
    provider_ref = models.CharField(max_length=100, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    state = models.CharField(_("state"), max_length=20, choices=PaymentState.choices, default=PaymentState.PENDING)
    amount_refunded = models.DecimalField(_("refunded"), default=0, **AMOUNT)
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    redirect_url = models.URLField(max_length=1000, blank=True)
    qr_code = models.CharField(max_length=1000, blank=True)  # a code to scan or open (WeChat Pay's code_url)
    failure = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dealer", "created_at"]), models.Index(fields=["reference"])]
        constraints = [
            currency_check("finance_payment_currency_code"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_payment_amount_gt_0"),
            models.CheckConstraint(condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                                   name="finance_payment_refunded_within_amount"),
            models.UniqueConstraint(fields=["provider", "provider_ref"], condition=~Q(provider_ref=""),
                                    name="one_payment_per_provider_ref"),
        ]

    def __str__(self) -> str:
        return f"payment {self.pk} {self.amount} {self.currency} ({self.state})"

    @property
    def ledger_reference(self) -> str:
        """What its ledger rows are filed under: the order number it pays, or TOPUP-<id>."""
        return self.reference if self.purpose == PaymentPurpose.ORDER else f"TOPUP-{self.pk}"

    @property
    def refundable(self):
        return self.amount - self.amount_refunded


class PaymentRefund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    provider_refund_id = models.CharField(max_length=100, blank=True)
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_refund_amount_gt_0")]

    def __str__(self) -> str:
        return f"refund {self.amount} of payment {self.payment_id}"


class ProviderWebhookEvent(models.Model):
    """One verified webhook delivery, kept once per (provider, event id): a replay changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    provider_ref = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, blank=True)  # what the event said
    outcome = models.CharField(max_length=100, blank=True)  # what processing did
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="one_webhook_event_per_id")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class IdempotentRequest(models.Model):
    """An API write sent with an `Idempotency-Key`: the first answer, kept to be given again for the same key
    and the same request (`fingerprint`); the same key with another request is refused."""

    scope = models.CharField(max_length=60)  # the endpoint ("finance.top_up")
    key = models.CharField(max_length=80)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "actor", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
