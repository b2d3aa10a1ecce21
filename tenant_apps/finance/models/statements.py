"""Monthly dealer statements (对账单): one per (dealer, currency, period), issued from the ledger and frozen.

A statement's "balance" is the dealer's net position, the running sum of LedgerEntry.amount
(= balance + rebate_balance - credit_used): opening + sum(lines) == closing == the ledger's running total after
the statement's last entry (models/ledger.py). Consecutive statements of one account chain by ledger entry id:
a statement holds the entries after its predecessor's `last_entry_id` up to the period's end, so an entry is in
exactly one statement, and an entry written after the statement was issued falls in the next one.

The lines are a snapshot taken at issue (StatementLine rows, never changed); the dealer confirms the statement
or disputes lines (StatementDispute), finance replies to each dispute (and may correct the balance with an
adjustment that names the statement: it is posted now, so it falls in the next period), and the statement is
issued again for confirmation. The informational sections of upper apps (shipments) are stored as JSON at issue
too (finance.statement_sections)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check
from tenant_apps.finance.models.ledger import TOTAL, Adjustment, LedgerEntry


class StatementStatus(models.TextChoices):
    ISSUED = "issued", _("Waiting for confirmation")
    DISPUTED = "disputed", _("Disputed")
    CONFIRMED = "confirmed", _("Confirmed")


class StatementSection(models.TextChoices):
    """The money sections of a statement, in the order they print; OTHER takes any kind not named here."""

    ORDERS = "orders", _("Orders")
    RELEASES = "releases", _("Releases, cancellations and returns")
    PAYMENTS = "payments", _("Payments")
    TOP_UPS = "top_ups", _("Top-ups")
    REBATES = "rebates", _("Rebates")
    PRICE_PROTECTION = "price_protection", _("Price-protection credits")
    ADJUSTMENTS = "adjustments", _("Adjustments")
    OTHER = "other", _("Other entries")


class Statement(models.Model):
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="statements")
    currency = models.CharField(_("currency"), max_length=3)
    number = models.CharField(_("statement number"), max_length=100, unique=True)
    period = models.CharField(_("period"), max_length=7)  # "2026-11": the month the period ends in
    starts_at = models.DateTimeField(_("period starts"))
    ends_at = models.DateTimeField(_("period ends (exclusive)"))
    opening = models.DecimalField(_("opening balance"), **TOTAL)
    closing = models.DecimalField(_("closing balance"), **TOTAL)
    # The chain: the entries with first_entry_id < id <= last_entry_id of this account (first: the predecessor's
    # last; last: this one's last entry, or its predecessor's when the period had none).
    first_entry_id = models.BigIntegerField(default=0)
    last_entry_id = models.BigIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=StatementStatus.choices,
                              default=StatementStatus.ISSUED)
    extra_sections = models.JSONField(default=list, blank=True)  # informational sections of upper apps
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issue_count = models.PositiveIntegerField(default=1)  # issued again after disputes were answered
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-ends_at", "dealer_id", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "currency", "period"], name="one_statement_per_period"),
            currency_check("finance_statement_currency_code"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="statement_period_order"),
            models.CheckConstraint(condition=Q(last_entry_id__gte=models.F("first_entry_id")),
                                   name="statement_entry_chain_order"),
        ]
        indexes = [models.Index(fields=["status", "ends_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self):
        return self.closing - self.opening


class StatementLine(models.Model):
    """One ledger entry as the statement shows it: written once at issue, never changed."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("section"), max_length=20, choices=StatementSection.choices)
    kind = models.CharField(_("kind"), max_length=20)
    occurred_at = models.DateTimeField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    amount = models.DecimalField(_("amount"), **TOTAL)
    running = models.DecimalField(_("balance after"), **TOTAL)

    class Meta:
        ordering = ["entry_id"]
        constraints = [models.UniqueConstraint(fields=["entry"], name="one_statement_line_per_entry")]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.kind} {self.amount:+}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    RESOLVED = "resolved", _("Answered")


class StatementDispute(models.Model):
    """The dealer's objection to one line, and finance's answer (with the adjustment it made, if any)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="disputes")
    line = models.ForeignKey(StatementLine, on_delete=models.CASCADE, related_name="disputes")
    comment = models.CharField(_("comment"), max_length=1000)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    reply = models.CharField(_("reply"), max_length=1000, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    adjustment = models.ForeignKey(Adjustment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [models.UniqueConstraint(fields=["line"], condition=Q(status="open"),
                                               name="one_open_dispute_per_line")]

    def __str__(self) -> str:
        return f"dispute {self.pk} of {self.statement_id} ({self.status})"
