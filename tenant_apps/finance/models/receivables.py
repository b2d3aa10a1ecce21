"""Receivables (应收): what a dealer owes on credit (or cash on delivery), order by order, and when it is due.

The amounts are never stored here: an open item is an order reference with a credit part in the ledger
(ORDER_CHARGE credit_delta > 0, less its ORDER_RELEASEs), and what is still open of it is computed from the ledger
at read time (selectors_receivables: payments naming the order settle it first, every other payment or credit
settles the oldest due items first). This module keeps only what the ledger does not know:

- `Receivable`: the day the order first shipped and the due date that follows from the dealer's terms then
  (a later change of terms does not move it). No row: the order has not shipped, it is owed but not yet due.
- `ReceivableReminder`: one row per item and reminder step, so that a reminder is never sent twice.
- `BlockLift`: the brand's finance letting a dealer with overdue items order again, until a day or until ended.

Due dates (`services_receivables.due_date`):
- net N days: shipped on day S, due on S + N.
- monthly (月结) with cut-off day C and due day D: goods shipped on or before day C of a month are due on day D of
  the next month; shipped after day C, on day D of the month after that. A cut-off day past the month's end
  (29-31) means the month's last day, so C = 31 puts the whole month on one statement.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check


class Receivable(models.Model):
    # looked up by the unique (dealer, currency, reference) index: a separate dealer index misleads the planner
    # into scanning every receivable of a large dealer per item
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+", db_index=False)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(_("reference"), max_length=100)
    shipped_on = models.DateField(_("first shipped on"))
    due_on = models.DateField(_("due on"))
    terms = models.CharField(_("terms"), max_length=40, blank=True)  # as they were when the clock started
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "currency", "reference"], name="one_receivable_per_reference"),
            currency_check("finance_receivable_currency_code"),
        ]
        indexes = [models.Index(fields=["due_on"], name="finance_receivable_due")]

    def __str__(self) -> str:
        return f"{self.reference} due {self.due_on}"


class ReminderStep(models.TextChoices):
    BEFORE_DUE = "before_due", _("Before the due date")
    AFTER_DUE = "after_due", _("After the due date")


class ReceivableReminder(models.Model):
    """A reminder sent (or decided with no one to send to): at most one per item and step."""

    receivable = models.ForeignKey(Receivable, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(_("step"), max_length=12, choices=ReminderStep.choices)
    recipients = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["receivable", "step"], name="one_reminder_per_step")]

    def __str__(self) -> str:
        return f"{self.step} reminder of {self.receivable_id}"


class BlockLift(models.Model):
    """The brand's finance lets a dealer order in spite of overdue items: active while not ended and (without
    `until`, or up to and including `until`)."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    until = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dealer"], condition=Q(ended_at__isnull=True), name="finance_lift_open")]

    def __str__(self) -> str:
        return f"block lift of {self.dealer_id}"
