"""The dealer's account with the brand, one per (dealer, currency), and the append-only ledger it is the sum of.

Sign convention: every ledger amount is seen from the dealer's side. Positive is in the dealer's favour (what
the dealer owes goes DOWN, or its prepaid money goes up: a top-up, a payment, a refund, a rebate, a price
protection credit, a released hold); negative is against the dealer (what it owes goes UP, or its prepaid money
goes down: an order's charge). Each row splits its amount over the account's two sides:

    amount == balance_delta + rebate_delta - credit_delta

`balance` is prepaid money (sum of balance_delta), `rebate_balance` is rebate money the dealer may spend on later
orders up to the brand's share (sum of rebate_delta), `credit_used` is what the dealer owes on credit (sum of
credit_delta). Both are changed only by finance.services, under a row lock on the account, in the same
transaction as the ledger row (proved by `selectors.ledger_mismatches` and the `finance_check` command)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check

AMOUNT = {"max_digits": 14, "decimal_places": 2}  # one movement: up to 999,999,999,999.99
TOTAL = {"max_digits": 18, "decimal_places": 2}  # sums of movements


class SettlementMode(models.TextChoices):
    PREPAY = "prepay", _("Prepay")
    CREDIT = "credit", _("Credit")
    COD = "cod", _("Cash on delivery")
    MIXED = "mixed", _("Mixed (balance first, then credit)")


class TermsKind(models.TextChoices):
    """How a receivable's due date follows from the day its order first shipped (models/receivables.py)."""

    NET = "net", _("Net days after shipment")
    MONTHLY = "monthly", _("Monthly statement")


class EntryKind(models.TextChoices):
    TOP_UP = "top_up", _("Top-up")
    ORDER_CHARGE = "order_charge", _("Order charge")
    ORDER_RELEASE = "order_release", _("Order release")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    REBATE = "rebate", _("Rebate")
    PRICE_PROTECTION = "price_protection", _("Price protection")
    ADJUSTMENT = "adjustment", _("Adjustment")
    PAYMENT_REVERSAL = "payment_reversal", _("Payment reversal")


class DealerAccount(models.Model):
    """The dealer's account with one creditor in one currency. `creditor` is who the dealer owes: NULL is
    headquarters (the brand; every account before multi-tier, and every one its finance pages read), else the
    supplier node it buys from (docs/dev/multi-tier.md: an order placed with a supplier is charged here)."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="finance_accounts")
    currency = models.CharField(_("currency"), max_length=3)
    creditor = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 db_index=False, verbose_name=_("owed to"))
    balance = models.DecimalField(_("balance"), default=0, **TOTAL)
    credit_used = models.DecimalField(_("credit used"), default=0, **TOTAL)
    rebate_balance = models.DecimalField(_("rebate balance"), default=0, **TOTAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dealer_id", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "currency", "creditor"], nulls_distinct=False,
                                    name="one_finance_account_per_creditor"),
            currency_check("finance_account_currency_code"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer_id} {self.currency}: {self.balance}/{self.credit_used}"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the finance ledger is append-only")

    def delete(self):
        raise TypeError("the finance ledger is append-only")


class LedgerEntry(models.Model):
    """Append-only: a row is written once (finance.services.ledger_post) and never changed or deleted."""

    account = models.ForeignKey(DealerAccount, on_delete=models.PROTECT, related_name="entries")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+", db_index=False)
    currency = models.CharField(_("currency"), max_length=3)
    creditor = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 db_index=False)  # the account's (denormalised, as dealer and currency are)
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount"), **TOTAL)
    balance_delta = models.DecimalField(default=0, **TOTAL)
    credit_delta = models.DecimalField(default=0, **TOTAL)
    rebate_delta = models.DecimalField(default=0, **TOTAL)
    balance_after = models.DecimalField(_("balance after"), **TOTAL)
    credit_used_after = models.DecimalField(_("credit used after"), **TOTAL)
    rebate_balance_after = models.DecimalField(_("rebate balance after"), default=0, **TOTAL)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True,
                              related_name="+", db_constraint=False, db_index=False)
    actor_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A PAYMENT_REVERSAL names the payment it undoes (unique: a payment is reversed at most once).
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by")

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "created_at"]),
                   models.Index(fields=["reference"], name="finance_entry_reference")]
        constraints = [
            currency_check("finance_entry_currency_code"),
            models.CheckConstraint(condition=Q(amount=models.F("balance_delta") + models.F("rebate_delta")
                                                    - models.F("credit_delta")),
                                   name="finance_entry_amount_is_its_sides"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+} {self.currency}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("the finance ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the finance ledger is append-only")


class FinanceSettings(models.Model):
    """The brand's defaults (one row per tenant). Credit limits are in the brand's own currency. Until the brand
    sets its terms, dealers settle cash on delivery: orders are owed without a check, as before finance existed."""

    settlement_mode = models.CharField(_("default settlement mode"), max_length=8, choices=SettlementMode.choices,
                                       default=SettlementMode.COD)
    credit_limit = models.DecimalField(_("default credit limit"), default=0, **AMOUNT)
    terms_days = models.PositiveIntegerField(_("payment terms (net days)"), default=30)
    overdue_block_days = models.PositiveIntegerField(_("block new orders after days overdue"), default=30)
    adjustment_threshold = models.DecimalField(_("adjustments above this need a second person"), default=10000,
                                               **AMOUNT)
    rebate_share = models.DecimalField(_("share of an order that rebates may pay (%)"), max_digits=5,
                                       decimal_places=2, default=10)
    terms_kind = models.CharField(_("payment terms"), max_length=8, choices=TermsKind.choices,
                                  default=TermsKind.NET)
    cutoff_day = models.PositiveSmallIntegerField(_("monthly cut-off day"), default=25)
    due_day = models.PositiveSmallIntegerField(_("monthly due day (of the next month)"), default=10)
    remind_before_days = models.PositiveSmallIntegerField(_("remind days before due (0: never)"), default=3)
    remind_after_days = models.PositiveSmallIntegerField(_("remind days after due (0: never)"), default=7)
    # Statements close on this day of the month (1-28); empty: the month's last day.
    statement_cutoff_day = models.PositiveSmallIntegerField(_("statements close on day"), null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="finance_settings_singleton"),
                       models.CheckConstraint(condition=Q(credit_limit__gte=0), name="finance_default_limit_gte_0"),
                       models.CheckConstraint(condition=Q(adjustment_threshold__gte=0),
                                              name="finance_threshold_gte_0"),
                       models.CheckConstraint(condition=Q(rebate_share__gte=0) & Q(rebate_share__lte=100),
                                              name="finance_rebate_share_0_100"),
                       models.CheckConstraint(condition=Q(cutoff_day__gte=1) & Q(cutoff_day__lte=31),
                                              name="finance_cutoff_day_1_31"),
                       models.CheckConstraint(condition=Q(due_day__gte=1) & Q(due_day__lte=28),
                                              name="finance_due_day_1_28"),
                       models.CheckConstraint(condition=Q(statement_cutoff_day__gte=1)
                                              & Q(statement_cutoff_day__lte=28)
                                              | Q(statement_cutoff_day__isnull=True),
                                              name="finance_statement_cutoff_1_28")]

    def __str__(self) -> str:
        return "finance settings"


class DealerSettlement(models.Model):
    """One dealer's override of the brand's defaults: a blank mode or an empty limit/terms keeps the default."""

    dealer = models.OneToOneField("dealers.Dealer", on_delete=models.CASCADE, related_name="settlement")
    mode = models.CharField(_("settlement mode"), max_length=8, choices=SettlementMode.choices, blank=True)
    credit_limit = models.DecimalField(_("credit limit"), null=True, blank=True, **AMOUNT)
    terms_days = models.PositiveIntegerField(_("payment terms (net days)"), null=True, blank=True)
    terms_kind = models.CharField(_("payment terms"), max_length=8, choices=TermsKind.choices, blank=True)
    cutoff_day = models.PositiveSmallIntegerField(_("monthly cut-off day"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("monthly due day (of the next month)"), null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(credit_limit__gte=0) | Q(credit_limit__isnull=True),
                                              name="finance_dealer_limit_gte_0"),
                       models.CheckConstraint(condition=Q(cutoff_day__isnull=True)
                                              | (Q(cutoff_day__gte=1) & Q(cutoff_day__lte=31)),
                                              name="finance_dealer_cutoff_day_1_31"),
                       models.CheckConstraint(condition=Q(due_day__isnull=True)
                                              | (Q(due_day__gte=1) & Q(due_day__lte=28)),
                                              name="finance_dealer_due_day_1_28")]

    def __str__(self) -> str:
        return f"settlement of {self.dealer_id}"


class SupplierTerms(models.Model):
    """What a supplier (a dealer node headquarters made one) grants one of its sub-dealers. Without a row the
    sub-dealer settles cash on delivery with it: its orders are owed without a credit check, due `terms_days`
    (30) days after they first ship. Headquarters' terms (FinanceSettings, DealerSettlement) never apply here."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+")
    creditor = models.ForeignKey("dealers.Node", on_delete=models.CASCADE, related_name="+", db_index=False)
    mode = models.CharField(_("settlement mode"), max_length=8, choices=SettlementMode.choices,
                            default=SettlementMode.COD)
    credit_limit = models.DecimalField(_("credit limit"), default=0, **AMOUNT)
    terms_days = models.PositiveIntegerField(_("payment terms (net days)"), default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["creditor", "dealer"], name="one_supplier_terms_per_dealer"),
                       models.CheckConstraint(condition=Q(credit_limit__gte=0), name="finance_supplier_limit_gte_0")]

    def __str__(self) -> str:
        return f"terms of {self.dealer_id} with {self.creditor_id}"


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPLIED = "applied", _("Applied")


class Adjustment(models.Model):
    """A manual correction of a dealer's balance. At or below the brand's threshold it is applied at once; above
    it, it waits for a second person's approval (never the requester's own)."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(_("status"), max_length=8, choices=AdjustmentStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [currency_check("finance_adjustment_currency_code")]

    def __str__(self) -> str:
        return f"adjustment {self.amount:+} {self.currency} ({self.status})"
