"""Bank transfers (汇款): what dealers say they sent, the brand's bank statements that show what arrived, and the
matches between the two that post the dealer's payment.

- `BankSettings`: the brand's receiving account (shown to dealers on "how to pay by transfer") and whether
  high-confidence matches are confirmed without a person.
- `Remittance`: a dealer's own record of a transfer (amount, date, payer, remark, a slip image): pending until a
  statement line is matched to it, or rejected by brand finance.
- `BankMapping`: how one bank's export names its columns (header names per field), its date formats, encoding and
  header row. Built-in rows for the common Chinese banks (services_bank.DEFAULT_MAPPINGS), editable.
- `StatementImport` / `BankStatementLine`: one uploaded statement file (never the same bytes twice) and its incoming
  (credit) lines, each at most once per bank serial (`dedupe_key`), with the matcher's suggestion.
- `BankMatch`: a line applied to a dealer: the PAYMENT ledger entry it posted, reversible once (the reversal
  entry). At most one active match per line and per remittance (partial unique constraints)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenant_apps.core.fields import EncryptedTextField
from tenant_apps.core.money import currency_check
from tenant_apps.finance.models.ledger import AMOUNT


class BankSettings(models.Model):
    """The brand's receiving bank account and matching options (one row per tenant)."""

    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank and branch"), max_length=200, blank=True)
    account_number = EncryptedTextField(_("account number"), blank=True)
    note = models.CharField(_("note for dealers"), max_length=500, blank=True)
    auto_confirm_high = models.BooleanField(_("confirm high-confidence matches automatically"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="finance_bank_settings_singleton")]

    def __str__(self) -> str:
        return "bank settings"


class RemittanceStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the bank")
    MATCHED = "matched", pgettext_lazy("money transfer", "Received")  # not the goods: "已收货"
    REJECTED = "rejected", _("Rejected")


class Remittance(models.Model):
    """A transfer a dealer says it made (汇款登记)."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    paid_on = models.DateField(_("transfer date"))
    payer_name = models.CharField(_("payer account name"), max_length=200)
    payer_bank = models.CharField(_("payer bank"), max_length=100, blank=True)
    remark = models.CharField(_("transfer remark"), max_length=200, blank=True)
    slip = models.FileField(_("transfer slip"), upload_to="bank_slips/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RemittanceStatus.choices,
                              default=RemittanceStatus.PENDING)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "amount"], name="finance_remit_status_amount")]
        constraints = [currency_check("finance_remittance_currency_code"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="finance_remittance_amount_gt_0")]

    def __str__(self) -> str:
        return f"remittance {self.pk} {self.amount} {self.currency} ({self.status})"


class BankMapping(models.Model):
    """How a bank's statement export is read. `columns`: {field: [header names]} for the fields of
    services_bank.MAPPING_FIELDS (the first header found in the file wins)."""

    class Encoding(models.TextChoices):
        AUTO = "auto", _("Detect (UTF-8, else GBK/GB18030)")
        UTF8 = "utf-8", _("UTF-8")
        GBK = "gbk", _("GBK / GB18030")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict)
    date_formats = models.CharField(_("date formats"), max_length=200, blank=True,
                                    help_text=_("Python strptime formats separated by “|”, tried in order."))
    encoding = models.CharField(_("encoding (CSV)"), max_length=8, choices=Encoding.choices, default=Encoding.AUTO)
    header_row = models.PositiveSmallIntegerField(
        _("header row"), default=0, help_text=_("The row number of the column names; 0 finds it (bank exports "
                                                "start with title rows)."))
    credit_marks = models.CharField(_("credit marks"), max_length=100, blank=True,
                                    help_text=_("Values of the direction column that mean money in, separated "
                                                "by “|”."))
    builtin = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-builtin", "code"]

    def __str__(self) -> str:
        return self.name


class StatementImport(models.Model):
    mapping = models.ForeignKey(BankMapping, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    lines_created = models.PositiveIntegerField(_("new lines"), default=0)
    duplicates = models.PositiveIntegerField(_("already imported"), default=0)
    debits = models.PositiveIntegerField(_("outgoing (skipped)"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class LineStatus(models.TextChoices):
    OPEN = "open", _("To match")
    MATCHED = "matched", _("Matched")
    IGNORED = "ignored", _("Not ours")


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    NONE = "", _("None")


class BankStatementLine(models.Model):
    """One incoming amount of a statement. `dedupe_key`: the bank's serial, or a digest of the line's values
    when the export has none; unique, so a line is never imported twice."""

    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines")
    row = models.PositiveIntegerField(_("row"))
    booked_on = models.DateField(_("date"))
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=64, blank=True)
    remark = models.CharField(_("remark"), max_length=500, blank=True)
    serial = models.CharField(_("bank serial"), max_length=100, blank=True)
    dedupe_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=LineStatus.choices, default=LineStatus.OPEN)
    note = models.CharField(_("note"), max_length=255, blank=True)
    # the matcher's suggestion (services_bank.bank_lines_match): refreshed on every run while the line is open
    confidence = models.CharField(_("confidence"), max_length=6, choices=Confidence.choices, blank=True)
    suggested_dealer = models.ForeignKey("dealers.Dealer", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")
    suggested_reference = models.CharField(max_length=100, blank=True)
    suggested_remittance = models.ForeignKey(Remittance, on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+")
    rule = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-booked_on", "-id"]
        indexes = [models.Index(fields=["status", "booked_on"], name="finance_line_status_date")]
        constraints = [currency_check("finance_line_currency_code"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="finance_line_amount_gt_0")]

    def __str__(self) -> str:
        return f"line {self.pk} {self.amount} {self.currency}"


class MatchHow(models.TextChoices):
    AUTO = "auto", _("Automatic")
    SUGGESTED = "suggested", _("Suggestion confirmed")
    MANUAL = "manual", _("By hand")


class BankMatch(models.Model):
    """A statement line applied to a dealer: the payment it posted and, once reversed, the entry undoing it."""

    line = models.ForeignKey(BankStatementLine, on_delete=models.PROTECT, related_name="matches")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(_("reference"), max_length=100)
    confidence = models.CharField(_("confidence"), max_length=6, choices=Confidence.choices, blank=True)
    how = models.CharField(_("how"), max_length=10, choices=MatchHow.choices)
    entry = models.OneToOneField("finance.LedgerEntry", on_delete=models.PROTECT, related_name="+")
    reversal = models.OneToOneField("finance.LedgerEntry", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reversed_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(reversal__isnull=True),
                                    name="finance_one_active_match_per_line"),
            models.UniqueConstraint(fields=["remittance"], condition=Q(reversal__isnull=True),
                                    name="finance_one_active_match_per_remittance"),
            currency_check("finance_match_currency_code"),
        ]

    def __str__(self) -> str:
        return f"match {self.pk} of line {self.line_id}"

    @property
    def active(self) -> bool:
        return self.reversal_id is None
