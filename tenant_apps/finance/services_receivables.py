"""Writes of receivables (应收): payment terms, the clock of an item (its first shipment), lifting the overdue
block, and the reminders. What is stored and the due-date rule: models/receivables.py; the allocation of payments:
selectors_receivables."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import FINANCE_EDIT, Role, has_perm
from tenant_apps.audit.services import audit_record
from tenant_apps.dealers.models import Dealer
from tenant_apps.events.services import event_record
from tenant_apps.finance.errors import FinanceForbidden, FinanceInvalid
from tenant_apps.finance.models import (
    BlockLift,
    DealerSettlement,
    EntryKind,
    FinanceSettings,
    LedgerEntry,
    Receivable,
    ReceivableReminder,
    ReminderStep,
    TermsKind,
)
from tenant_apps.finance.selectors_receivables import open_items
from tenant_apps.finance.services import finance_settings
from tenant_apps.finance.services_suppliers import supplier_terms_days

logger = logging.getLogger(__name__)


def _invalid(field: str, message: str) -> FinanceInvalid:
    return FinanceInvalid(message, fields={field: [message]})


# --- terms and due dates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """A dealer's payment terms in effect: its own override where it has one, else the brand's default."""

    kind: str
    days: int  # net
    cutoff_day: int  # monthly: shipped on or before this day of the month ...
    due_day: int  # ... is due on this day of the next month

    def describe(self) -> str:
        if self.kind == TermsKind.MONTHLY:
            return _("monthly: shipped by day %(cutoff)s, due on day %(due)s of the next month") % {
                "cutoff": self.cutoff_day, "due": self.due_day}
        return _("net %(days)s days") % {"days": self.days}

    def code(self) -> str:
        return f"monthly:{self.cutoff_day}:{self.due_day}" if self.kind == TermsKind.MONTHLY else f"net:{self.days}"


def terms_for(dealer) -> Terms:
    brand = finance_settings()
    own = DealerSettlement.objects.filter(dealer=dealer).first()

    def pick(name):
        value = getattr(own, name, None) if own else None
        return value if value not in (None, "") else getattr(brand, name)

    return Terms(kind=pick("terms_kind"), days=pick("terms_days"), cutoff_day=pick("cutoff_day"),
                 due_day=pick("due_day"))


def _add_months(day: date, months: int, day_of_month: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def due_date(shipped_on: date, terms: Terms) -> date:
    """Net: shipped_on + days. Monthly (月结): shipped on or before the cut-off day (a cut-off past the month's
    end is its last day), due on the due day of the next month; after it, of the month after that."""
    if terms.kind == TermsKind.MONTHLY:
        last = calendar.monthrange(shipped_on.year, shipped_on.month)[1]
        months = 1 if shipped_on.day <= min(terms.cutoff_day, last) else 2
        return _add_months(shipped_on, months, terms.due_day)
    return shipped_on + timedelta(days=terms.days)


def _clean_day(value, field: str, top: int, *, zero: bool = False):
    """A day of the month from 1 to `top` (0 too when `zero`: the month's last day)."""
    if isinstance(value, bool) or not isinstance(value, int) or not (0 if zero else 1) <= value <= top:
        message = _("0 (the month's last day) or a day of the month from 1 to %(top)s.") if zero else \
            _("A day of the month from 1 to %(top)s.")
        raise _invalid(field, message % {"top": top})
    return value


def _clean_days(value, field: str):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
        raise _invalid(field, _("A whole number of days from 0 to 365."))
    return value


@transaction.atomic
def finance_terms_update(*, actor, terms_kind=None, cutoff_day=None, due_day=None, remind_before_days=None,
                         remind_after_days=None, statement_cutoff_day=None) -> FinanceSettings:
    """The brand's default payment terms, reminder days and the day its monthly statements close (0: the month's
    last day); omitted (None) values keep theirs."""
    changes = {}
    if statement_cutoff_day is not None:
        changes["statement_cutoff_day"] = _clean_day(statement_cutoff_day, "statement_cutoff_day", 28, zero=True) \
            or None
    if terms_kind is not None:
        if terms_kind not in TermsKind.values:
            raise _invalid("terms_kind", _("Choose net days or monthly."))
        changes["terms_kind"] = terms_kind
    if cutoff_day is not None:
        changes["cutoff_day"] = _clean_day(cutoff_day, "cutoff_day", 31)
    if due_day is not None:
        changes["due_day"] = _clean_day(due_day, "due_day", 28)
    if remind_before_days is not None:
        changes["remind_before_days"] = _clean_days(remind_before_days, "remind_before_days")
    if remind_after_days is not None:
        changes["remind_after_days"] = _clean_days(remind_after_days, "remind_after_days")
    row, _created = FinanceSettings.objects.select_for_update().get_or_create(pk=1)
    before = {name: getattr(row, name) for name in changes}
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    audit_record(actor=actor, action="finance.settings.updated", target=row, before=before, after=changes)
    return row


@transaction.atomic
def dealer_terms_set(*, actor, dealer, terms_kind: str = "", cutoff_day=None, due_day=None) -> DealerSettlement:
    """The dealer's own terms kind and monthly days (blank/None: the brand's default). Net days: terms_days of
    services.dealer_settlement_set."""
    if terms_kind and terms_kind not in TermsKind.values:
        raise _invalid("terms_kind", _("Choose net days or monthly."))
    cutoff_day = None if cutoff_day is None else _clean_day(cutoff_day, "cutoff_day", 31)
    due_day = None if due_day is None else _clean_day(due_day, "due_day", 28)
    row, _created = DealerSettlement.objects.select_for_update().get_or_create(dealer=dealer)
    before = {"terms_kind": row.terms_kind, "cutoff_day": row.cutoff_day, "due_day": row.due_day}
    row.terms_kind, row.cutoff_day, row.due_day = terms_kind or "", cutoff_day, due_day
    row.save(update_fields=["terms_kind", "cutoff_day", "due_day"])
    audit_record(actor=actor, action="finance.settlement.set", target=row, dealer_id=dealer.pk, before=before,
                 after={"terms_kind": row.terms_kind, "cutoff_day": row.cutoff_day, "due_day": row.due_day})
    return row


# --- the item's clock ----------------------------------------------------------------------------------------


def receivable_shipped(*, reference: str, dealer, shipped_on: date) -> list[Receivable]:
    """The order `reference` of `dealer` shipped (a shipment of it left) on `shipped_on`: the first shipment
    starts the clock of its receivable (one per currency it was charged in on credit), due by the dealer's terms
    with the order's seller as they are now (headquarters' or the supplier's net days). The row needs no creditor:
    order numbers are unique, and the ledger rows it joins carry theirs.
    Idempotent: a later shipment, or a repeat, changes nothing. An order with no credit part
    (prepaid) has no receivable. Called by fulfillment when a shipment is marked shipped, in its transaction."""
    dealer_id = getattr(dealer, "pk", dealer)
    charged = set(LedgerEntry.objects.filter(
        dealer_id=dealer_id, reference=reference, kind=EntryKind.ORDER_CHARGE, credit_delta__gt=0,
    ).values_list("currency", "creditor_id"))
    if not charged:
        return []
    currencies = sorted({currency for currency, _creditor in charged})
    creditor_id = next(iter(charged))[1]  # an order is charged to its seller's account only
    if creditor_id is None:
        terms = terms_for(dealer_id)
    else:  # placed with a supplier: the net days it gives the dealer (services_suppliers)
        terms = Terms(kind=TermsKind.NET, days=supplier_terms_days(dealer_id=dealer_id, creditor_id=creditor_id),
                      cutoff_day=1, due_day=1)
    due_on = due_date(shipped_on, terms)
    Receivable.objects.bulk_create(
        [Receivable(dealer_id=dealer_id, currency=currency, reference=reference, shipped_on=shipped_on,
                    due_on=due_on, terms=terms.code()) for currency in currencies],
        ignore_conflicts=True)
    return list(Receivable.objects.filter(dealer_id=dealer_id, reference=reference, currency__in=currencies))


# --- lifting the overdue block -------------------------------------------------------------------------------


def _may_edit(actor) -> None:
    if not has_perm(actor, FINANCE_EDIT):
        raise FinanceForbidden(_("Only the brand's finance may lift a block."))


@transaction.atomic
def block_lift(*, actor, dealer, reason: str, until: date | None = None) -> BlockLift:
    """Let `dealer` order in spite of its overdue items: until the end of `until` (None: until ended). Replaces
    an active lift of the dealer. Reason required; audited."""
    _may_edit(actor)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the block is lifted."))
    today = timezone.localdate()
    if until is not None and until < today:
        raise _invalid("until", _("The lift must last until today or later."))
    Dealer.objects.select_for_update().filter(pk=dealer.pk).first()  # one lift change per dealer at a time
    ended = list(BlockLift.objects.filter(dealer=dealer, ended_at__isnull=True))
    now = timezone.now()
    for old in ended:
        old.ended_at, old.ended_by = now, actor
        old.save(update_fields=["ended_at", "ended_by"])
    lift = BlockLift.objects.create(dealer=dealer, reason=reason[:255], until=until, created_by=actor)
    audit_record(actor=actor, action="finance.block.lifted", target=lift, dealer_id=dealer.pk, reason=reason,
                 before={"lifts": [old.pk for old in ended]},
                 after={"until": until.isoformat() if until else None})
    return lift


@transaction.atomic
def block_lift_end(*, actor, dealer, reason: str = "") -> int:
    """End the dealer's active lift(s): its overdue items block ordering again. Returns how many were ended."""
    _may_edit(actor)
    Dealer.objects.select_for_update().filter(pk=dealer.pk).first()
    lifts = list(BlockLift.objects.filter(dealer=dealer, ended_at__isnull=True))
    now = timezone.now()
    for lift in lifts:
        lift.ended_at, lift.ended_by = now, actor
        lift.save(update_fields=["ended_at", "ended_by"])
        audit_record(actor=actor, action="finance.block.lift_ended", target=lift, dealer_id=dealer.pk,
                     reason=(reason or "").strip(), before={"until": lift.until.isoformat() if lift.until else None})
    return len(lifts)


# --- reminders -----------------------------------------------------------------------------------------------


def _step_due(step: str, due_on: date, today: date, settings_row: FinanceSettings) -> bool:
    if step == ReminderStep.BEFORE_DUE:
        days = settings_row.remind_before_days
        return bool(days) and due_on - timedelta(days=days) <= today <= due_on
    days = settings_row.remind_after_days
    return bool(days) and today >= due_on + timedelta(days=days)


def receivable_reminders_send(*, today: date | None = None) -> int:
    """Remind the dealer of each open item N days before its due date and M days after (the brand's
    remind_before_days / remind_after_days; 0: that step is off): a `payment.due` or `payment.overdue` event,
    which notifications turns into the dealer's owner's and finance people's inbox, email and (overdue) SMS, each
    in their own language (docs/dev/notifications.md). Once per item and step: the ReceivableReminder row and the
    event are written in one transaction, so a repeat or a concurrent run reminds nobody twice. A step missed (the
    task did not run that day) comes on the next run while it still applies. Returns the number of reminders
    recorded."""
    today = today or timezone.localdate()
    settings_row = finance_settings()
    if not settings_row.remind_before_days and not settings_row.remind_after_days:
        return 0
    items = [item for item in open_items(dealers=Dealer.objects.all(), today=today) if item.due_on]
    steps = [(item, step) for item in items for step in ReminderStep.values
             if _step_due(step, item.due_on, today, settings_row)]
    if not steps:
        return 0
    receivables = {(row.dealer_id, row.reference): row for row in Receivable.objects.filter(
        dealer_id__in={item.dealer_id for item, _step in steps}, reference__in={item.reference for item, _ in steps})}
    done = set(ReceivableReminder.objects.filter(receivable__in=receivables.values())
               .values_list("receivable_id", "step"))
    dealers = Dealer.objects.in_bulk({item.dealer_id for item, _step in steps})
    people: dict[int, list[str]] = {}
    for dealer_id, email in User.objects.filter(dealer_id__in=dealers, is_active=True, role__in=[
            Role.DEALER_OWNER, Role.DEALER_FINANCE]).order_by("email").values_list("dealer_id", "email"):
        people.setdefault(dealer_id, []).append(email)
    sent = 0
    for item, step in steps:
        receivable = receivables.get((item.dealer_id, item.reference))
        if receivable is None or (receivable.pk, step) in done:
            continue
        with transaction.atomic():
            _row, created = ReceivableReminder.objects.get_or_create(
                receivable=receivable, step=step, defaults={"recipients": people.get(item.dealer_id, [])})
            if not created:
                continue
            event_record(kind="payment.due" if step == ReminderStep.BEFORE_DUE else "payment.overdue",
                         subject_id=receivable.pk, subject_ref=item.reference[:64], dealer_id=item.dealer_id,
                         payload={"reference": item.reference, "dealer": dealers[item.dealer_id].display_name,
                                  "open": str(item.open), "currency": receivable.currency,
                                  "due_on": item.due_on.isoformat(), "step": step})
        sent += 1
    return sent
