"""The dealer's account: top-ups, adjustments (a second person above the brand's threshold), credit holds and
releases. Every change is one transaction that locks the account row (SELECT ... FOR UPDATE), writes one ledger
row and moves the account's balance / credit used by the same amounts, so concurrent holds never overdraw and the
account is always the sum of its ledger. Sign convention: models.py."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from babel.numbers import is_currency
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import actor_label, audit_entry, audit_record
from tenant_apps.core import prepared
from tenant_apps.core.bulk import ids_take, insert_ctes
from tenant_apps.core.money import minor_unit, tenant_currency
from tenant_apps.events.services import event_record
from tenant_apps.finance.errors import (
    AdjustmentNotPending,
    CreditShort,
    FinanceInvalid,
    PaymentAlreadyReversed,
    SecondPersonRequired,
)
from tenant_apps.finance.models import (
    Adjustment,
    AdjustmentStatus,
    DealerAccount,
    DealerSettlement,
    EntryKind,
    FinanceSettings,
    LedgerEntry,
    SettlementMode,
)

MAX_AMOUNT = Decimal("999999999999.99")
ZERO = Decimal("0.00")


# --- input ---------------------------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> FinanceInvalid:
    return FinanceInvalid(message, fields={field: [message]})


def clean_currency(currency) -> str:
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency) or not is_currency(currency):
        raise _invalid("currency", _("Not a known currency code (three capital letters, such as CNY)."))
    return currency


def clean_amount(value, currency: str, *, field: str = "amount", signed: bool = False,
                 zero: bool = False) -> Decimal:
    """A Decimal amount above zero (any sign but zero when `signed`; zero too when `zero`), no finer than the
    currency's minor unit, at most MAX_AMOUNT. Never a float."""
    if isinstance(value, bool | float) or value is None:
        raise _invalid(field, _("Give the amount as a number such as 100.00."))
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, _("Give the amount as a number such as 100.00.")) from None
    if not amount.is_finite():
        raise _invalid(field, _("Give the amount as a number such as 100.00."))
    if (amount == 0 and not zero) or (amount < 0 and not signed):
        message = (_("The amount must not be zero.") if signed else _("The amount must not be below zero.") if zero
                   else _("The amount must be above zero."))
        raise _invalid(field, message)
    if abs(amount) > MAX_AMOUNT:
        raise _invalid(field, _("At most %(max)s.") % {"max": f"{MAX_AMOUNT:,}"})
    unit = minor_unit(currency)
    if amount != amount.quantize(unit):
        raise _invalid(field, _("At most %(places)s decimal places.") % {"places": -unit.as_tuple().exponent})
    return amount.quantize(unit)


# --- settings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    """A dealer's effective terms: its own override where it has one, else the brand's default."""

    mode: str
    credit_limit: Decimal  # in the brand's currency (`currency`); other currencies have no credit
    terms_days: int
    currency: str


def finance_settings() -> FinanceSettings:
    return FinanceSettings.objects.filter(pk=1).first() or FinanceSettings(pk=1)


def settlement_for(dealer) -> Settlement:
    brand = finance_settings()
    own = DealerSettlement.objects.filter(dealer=dealer).first()
    return Settlement(
        mode=(own and own.mode) or brand.settlement_mode,
        credit_limit=own.credit_limit if own and own.credit_limit is not None else brand.credit_limit,
        terms_days=own.terms_days if own and own.terms_days is not None else brand.terms_days,
        currency=tenant_currency(),
    )


def _clean_terms(mode, credit_limit, terms_days, currency: str) -> dict:
    found = {}
    if mode is not None:
        if mode not in SettlementMode.values:
            raise _invalid("mode", _("Choose prepay, credit, cash on delivery or mixed."))
        found["mode"] = mode
    if credit_limit is not None:
        found["credit_limit"] = clean_amount(credit_limit, currency, field="credit_limit", zero=True)
    if terms_days is not None:
        if isinstance(terms_days, bool) or not isinstance(terms_days, int) or not 0 <= terms_days <= 365:
            raise _invalid("terms_days", _("A whole number of days from 0 to 365."))
        found["terms_days"] = terms_days
    return found


def _clean_percent(value, *, field: str) -> Decimal:
    """A percentage from 0 to 100 with at most two decimal places (12.5 is 12.5 %)."""
    message = _("A percentage from 0 to 100, such as 10 or 12.5.")
    if isinstance(value, bool | float) or value is None:
        raise _invalid(field, message)
    try:
        share = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, message) from None
    if not share.is_finite() or not 0 <= share <= 100 or share != share.quantize(Decimal("0.01")):
        raise _invalid(field, message)
    return share.quantize(Decimal("0.01"))


@transaction.atomic
def finance_settings_update(*, actor, settlement_mode=None, credit_limit=None, terms_days=None,
                            overdue_block_days=None, adjustment_threshold=None, rebate_share=None) -> FinanceSettings:
    currency = tenant_currency()
    changes = _clean_terms(settlement_mode, credit_limit, terms_days, currency)
    if "mode" in changes:
        changes["settlement_mode"] = changes.pop("mode")
    if overdue_block_days is not None:
        if isinstance(overdue_block_days, bool) or not isinstance(overdue_block_days, int) \
                or not 0 <= overdue_block_days <= 365:
            raise _invalid("overdue_block_days", _("A whole number of days from 0 to 365."))
        changes["overdue_block_days"] = overdue_block_days
    if adjustment_threshold is not None:
        changes["adjustment_threshold"] = clean_amount(adjustment_threshold, currency, field="adjustment_threshold",
                                                        zero=True)
    if rebate_share is not None:
        changes["rebate_share"] = _clean_percent(rebate_share, field="rebate_share")
    settings, _created = FinanceSettings.objects.select_for_update().get_or_create(pk=1)
    before = {name: str(getattr(settings, name)) for name in changes}
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()
    audit_record(actor=actor, action="finance.settings.updated", target=settings, before=before,
                 after={name: str(value) for name, value in changes.items()})
    return settings


@transaction.atomic
def dealer_settlement_set(*, actor, dealer, mode: str = "", credit_limit=None,
                          terms_days: int | None = None) -> DealerSettlement:
    """Replace the dealer's override: a blank mode or None limit/terms falls back to the brand's default."""
    changes = _clean_terms(mode or None, credit_limit, terms_days, tenant_currency())
    row, _created = DealerSettlement.objects.select_for_update().get_or_create(dealer=dealer)
    before = {"mode": row.mode, "credit_limit": str(row.credit_limit), "terms_days": row.terms_days}
    row.mode = changes.get("mode", "")
    row.credit_limit = changes.get("credit_limit")
    row.terms_days = changes.get("terms_days")
    row.save()
    audit_record(actor=actor, action="finance.settlement.set", target=row, dealer_id=dealer.pk, before=before,
                 after={"mode": row.mode, "credit_limit": str(row.credit_limit), "terms_days": row.terms_days})
    return row


# --- the account and its ledger ------------------------------------------------------------------------------


def _node_id(creditor) -> int | None:
    """A creditor given as a Node, its id, or None (headquarters)."""
    return getattr(creditor, "pk", creditor)


def account_for(dealer, currency: str | None = None, *, creditor=None) -> DealerAccount:
    """The dealer's account in `currency` (the brand's own by default) with `creditor` (None: headquarters; else
    the supplier node it buys from), made empty if missing, race-free."""
    currency = clean_currency(currency or tenant_currency())
    creditor_id = _node_id(creditor)
    DealerAccount.objects.bulk_create([DealerAccount(dealer=dealer, currency=currency, creditor_id=creditor_id)],
                                      ignore_conflicts=True)
    return DealerAccount.objects.get(dealer=dealer, currency=currency, creditor_id=creditor_id)


# The dealer's account in a currency with a creditor, locked (FOR UPDATE), with the next ledger row's id and the
# dealer's effective terms with that creditor (headquarters: its own override, else the brand's, else the model's
# defaults; a supplier: its SupplierTerms row, else cash on delivery; a supplier's account has no rebate pool): one
# statement, the way every writer of the account takes it. Concurrent writers of one account queue here. A missing
# account is made first (_locked).
_LOCK_SQL = """
SELECT a.id, a.balance, a.credit_used, a.rebate_balance,
    nextval(pg_get_serial_sequence('finance_ledgerentry', 'id')),
    (SELECT CASE WHEN %(creditor)s::bigint IS NULL
                 THEN json_build_object('mode', COALESCE(NULLIF(ds.mode, ''), fs.settlement_mode, %(mode)s),
                                        'limit', COALESCE(ds.credit_limit, fs.credit_limit, 0),
                                        'share', COALESCE(fs.rebate_share, %(share)s))
                 ELSE json_build_object('mode', COALESCE(st.mode, %(supplier_mode)s),
                                        'limit', COALESCE(st.credit_limit, 0), 'share', 0) END
     FROM (SELECT 1) one LEFT JOIN finance_financesettings fs ON fs.id = 1
     LEFT JOIN finance_dealersettlement ds ON ds.dealer_id = %(dealer)s
     LEFT JOIN finance_supplierterms st ON st.creditor_id = %(creditor)s::bigint AND st.dealer_id = %(dealer)s)
FROM finance_dealeraccount a WHERE a.dealer_id = %(dealer)s AND a.currency = %(currency)s
    AND a.creditor_id IS NOT DISTINCT FROM %(creditor)s::bigint
FOR UPDATE OF a
"""

_DEFAULTS = FinanceSettings()


def _locked(dealer, currency: str, creditor=None) -> DealerAccount:
    """The account (with `creditor`: None is headquarters), locked for the rest of the caller's transaction;
    `.entry_id` is the id its next ledger row takes and `.terms` the dealer's effective mode, credit limit and
    rebate share with that creditor."""
    dealer_id = getattr(dealer, "pk", dealer)
    creditor_id = _node_id(creditor)
    params = {"dealer": dealer_id, "currency": currency, "creditor": creditor_id, "mode": _DEFAULTS.settlement_mode,
              "share": _DEFAULTS.rebate_share, "supplier_mode": SettlementMode.COD}
    with connection.cursor() as cursor:
        prepared.execute(cursor, "finance_account_lock", _LOCK_SQL, params)
        row = cursor.fetchone()
        if row is None:  # the dealer's first movement in this currency: its account made (race-free), then locked
            DealerAccount.objects.bulk_create([DealerAccount(dealer_id=dealer_id, currency=currency,
                                                             creditor_id=creditor_id)], ignore_conflicts=True)
            prepared.execute(cursor, "finance_account_lock", _LOCK_SQL, params)
            row = cursor.fetchone()
        pk, balance, credit_used, rebate_balance, entry_id, terms = row
    account = DealerAccount(id=pk, dealer_id=dealer_id, currency=currency, creditor_id=creditor_id, balance=balance,
                            credit_used=credit_used, rebate_balance=rebate_balance)
    account._state.adding = False
    account.entry_id = entry_id
    account.terms = terms if isinstance(terms, dict) else json.loads(terms)
    return account


_POST_SQL = """WITH account AS (UPDATE finance_dealeraccount SET balance = %(balance)s, credit_used = %(credit_used)s,
    rebate_balance = %(rebate_balance)s, updated_at = now() WHERE id = %(account)s), {inserts} SELECT 1"""


def ledger_post(*, actor, account: DealerAccount, kind: str, balance_delta: Decimal = ZERO,
                credit_delta: Decimal = ZERO, rebate_delta: Decimal = ZERO, reference: str = "",
                reason: str = "", reverses: LedgerEntry | None = None) -> LedgerEntry:
    """Internal to finance: move a LOCKED account (`_locked`) and write its ledger row and audit entry, in the
    caller's transaction and in one statement. amount = balance_delta + rebate_delta - credit_delta
    (models/ledger.py)."""
    account.balance += balance_delta
    account.credit_used += credit_delta
    account.rebate_balance += rebate_delta
    entry_id = getattr(account, "entry_id", None) or ids_take(entry=(LedgerEntry, 1))["entry"][0]
    entry = LedgerEntry(
        id=entry_id, account_id=account.pk, dealer_id=account.dealer_id, currency=account.currency,
        creditor_id=account.creditor_id, kind=kind,
        amount=balance_delta + rebate_delta - credit_delta, balance_delta=balance_delta, credit_delta=credit_delta,
        rebate_delta=rebate_delta, balance_after=account.balance, credit_used_after=account.credit_used,
        rebate_balance_after=account.rebate_balance, reference=reference[:100], reason=reason[:255],
        actor_id=actor.pk if getattr(actor, "pk", None) else None, actor_label=actor_label(actor),
        reverses_id=reverses.pk if reverses is not None else None)
    account.entry_id = None  # one row per lock: a second post takes the lock again
    audit = audit_entry(actor=actor, action=f"finance.ledger.{kind}", target=entry, dealer_id=account.dealer_id,
                        reason=reason, after={"amount": str(entry.amount), "currency": entry.currency,
                                              "reference": entry.reference, "balance": str(account.balance),
                                              "credit_used": str(account.credit_used),
                                              "rebate_balance": str(account.rebate_balance)})
    params = {"balance": account.balance, "credit_used": account.credit_used,
              "rebate_balance": account.rebate_balance, "account": account.pk}
    inserts, shape = insert_ctes([[entry], [audit]], params)
    with connection.cursor() as cursor:
        prepared.execute(cursor, f"finance_post:{shape}", _POST_SQL.format(inserts=", ".join(inserts)), params)
    entry._state.adding = False
    return entry


@transaction.atomic
def top_up_record(*, actor, dealer, amount, reference: str = "", reason: str = "",
                  currency: str | None = None) -> LedgerEntry:
    """Prepaid money received from the dealer: the balance goes up."""
    currency = clean_currency(currency or tenant_currency())
    amount = clean_amount(amount, currency)
    return ledger_post(actor=actor, account=_locked(dealer, currency), kind=EntryKind.TOP_UP, balance_delta=amount,
                       reference=reference, reason=reason)


def payment_record(*, actor, dealer, amount, currency: str, reference: str = "", reason: str = "",
                   kind: str = EntryKind.PAYMENT, creditor=None) -> LedgerEntry:
    """Money received from the dealer (online, by transfer, in cash on delivery): it pays what the dealer owes on
    credit first, and what is left becomes prepaid balance. `reference` names what it pays (an order number
    settles that order's open item first; receivables allocate the rest oldest first). `creditor`: who received it
    (None: headquarters; a supplier node: the sub-dealer's account with that supplier). Call inside a transaction
    (the caller's, with its own payment/match row) or alone."""
    with transaction.atomic():
        currency = clean_currency(currency)
        amount = clean_amount(amount, currency)
        account = _locked(dealer, currency, creditor)
        to_credit = min(max(account.credit_used, ZERO), amount)
        entry = ledger_post(actor=actor, account=account, kind=kind, balance_delta=amount - to_credit,
                            credit_delta=-to_credit, reference=reference, reason=reason)
        if kind == EntryKind.PAYMENT and account.creditor_id is None:  # headquarters' events (webhooks, notices)
            event_record(kind="payment.received", subject_id=entry.pk, subject_ref=str(reference)[:64],
                         dealer_id=dealer.pk, actor=actor, payload={"amount": str(amount), "currency": currency})
        return entry


def payment_reverse(*, actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo a PAYMENT exactly: a PAYMENT_REVERSAL row with the opposite deltas of each side, the same reference,
    naming the payment it reverses (`reverses`, unique: never twice; PaymentAlreadyReversed, 409). The balance
    may go below zero if the dealer spent the money meanwhile; what the payment paid on credit is owed again.
    Call inside the caller's transaction (with its own row) or alone."""
    with transaction.atomic():
        reason = (reason or "").strip()
        if not reason:
            raise _invalid("reason", _("Say why the payment is reversed."))
        entry = LedgerEntry.objects.get(pk=entry.pk)
        account = _locked(entry.dealer_id, entry.currency, entry.creditor_id)
        if entry.kind != EntryKind.PAYMENT:
            raise _invalid("entry", _("Only a payment can be reversed."))
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise PaymentAlreadyReversed(_("This payment has been reversed already."))
        reversal = ledger_post(actor=actor, account=account, kind=EntryKind.PAYMENT_REVERSAL,
                               balance_delta=-entry.balance_delta, credit_delta=-entry.credit_delta,
                               rebate_delta=-entry.rebate_delta, reference=entry.reference, reason=reason,
                               reverses=entry)
        return reversal


def refund_record(*, actor, dealer, amount, currency: str, reference: str = "", reason: str = "") -> LedgerEntry:
    """Money paid back to the dealer (a refunded online payment, a returned transfer): it comes out of the
    prepaid balance, and what the balance does not cover is owed again on credit (the payment it undoes had
    paid that debt down)."""
    with transaction.atomic():
        currency = clean_currency(currency)
        amount = clean_amount(amount, currency)
        account = _locked(dealer, currency)
        from_balance = min(max(account.balance, ZERO), amount)
        return ledger_post(actor=actor, account=account, kind=EntryKind.REFUND, balance_delta=-from_balance,
                           credit_delta=amount - from_balance, reference=reference, reason=reason)


def _apply_adjustment(*, actor, adjustment: Adjustment) -> LedgerEntry:
    return ledger_post(actor=actor, account=_locked(adjustment.dealer, adjustment.currency),
                       kind=EntryKind.ADJUSTMENT, balance_delta=adjustment.amount, reason=adjustment.reason,
                       reference=f"ADJ-{adjustment.pk}")


@transaction.atomic
def adjustment_request(*, actor, dealer, amount, reason: str, currency: str | None = None) -> Adjustment:
    """A correction of the balance (signed: positive in the dealer's favour). At or below the brand's threshold
    it is applied at once; above it, it waits for `adjustment_approve` by another person."""
    currency = clean_currency(currency or tenant_currency())
    amount = clean_amount(amount, currency, signed=True)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the balance is adjusted."))
    waits = abs(amount) > finance_settings().adjustment_threshold
    adjustment = Adjustment.objects.create(
        dealer=dealer, currency=currency, amount=amount, reason=reason[:255],
        status=AdjustmentStatus.PENDING if waits else AdjustmentStatus.APPLIED,
        requested_by=actor if getattr(actor, "pk", None) else None)
    if waits:
        audit_record(actor=actor, action="finance.adjustment.requested", target=adjustment, dealer_id=dealer.pk,
                     reason=reason, after={"amount": str(amount), "currency": currency})
        return adjustment
    adjustment.entry = _apply_adjustment(actor=actor, adjustment=adjustment)
    adjustment.decided_at = timezone.now()
    adjustment.save(update_fields=["entry", "decided_at"])
    return adjustment


@transaction.atomic
def adjustment_approve(*, actor, adjustment: Adjustment) -> Adjustment:
    adjustment = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adjustment.status != AdjustmentStatus.PENDING:
        raise AdjustmentNotPending(_("This adjustment is not waiting for approval."))
    if getattr(actor, "pk", None) is None or actor.pk == adjustment.requested_by_id:
        raise SecondPersonRequired(_("Another person must approve an adjustment above the threshold."))
    adjustment.entry = _apply_adjustment(actor=actor, adjustment=adjustment)
    adjustment.status, adjustment.approved_by, adjustment.decided_at = AdjustmentStatus.APPLIED, actor, timezone.now()
    adjustment.save(update_fields=["entry", "status", "approved_by", "decided_at"])
    audit_record(actor=actor, action="finance.adjustment.approved", target=adjustment,
                 dealer_id=adjustment.dealer_id, after={"amount": str(adjustment.amount)})
    return adjustment


# --- holds ---------------------------------------------------------------------------------------------------


def available(account: DealerAccount, settlement: Settlement) -> tuple[Decimal, Decimal]:
    """(from the balance, from credit) that a hold may take now. Credit exists only in the brand's currency."""
    cash = max(account.balance, ZERO)
    limit = settlement.credit_limit if account.currency == settlement.currency else ZERO
    credit = max(limit - account.credit_used, ZERO)
    if settlement.mode == SettlementMode.PREPAY:
        return cash, ZERO
    if settlement.mode == SettlementMode.CREDIT:
        return ZERO, credit
    return cash, credit  # mixed (cod never asks)


def _rebate_cap(account: DealerAccount, amount: Decimal, share: Decimal) -> Decimal:
    """What the rebate pool may pay of an order of `amount`: at most `share` percent of it."""
    cap = (amount * share / 100).quantize(minor_unit(account.currency), rounding=ROUND_DOWN)
    return max(min(account.rebate_balance, cap), ZERO)


def credit_hold(*, actor, dealer, amount, currency: str, reference: str, use_rebate: bool = True,
                creditor=None) -> LedgerEntry:
    """Charge an order's amount to the dealer's account: from the rebate pool first (up to the brand's share of the
    order), the rest as its settlement mode says: prepay from the balance, credit against the limit, mixed from
    the balance first then credit, cash on delivery owed without a check. CreditShort (409) when the available
    amount does not cover it; nothing changes then. `creditor`: who the order is placed with (None: headquarters;
    a supplier node: the dealer's account with that supplier, by the terms the supplier gave it).

    The hottest write (every order's submission): inside the caller's transaction it adds no savepoint (its one
    write is one statement, after every check); on its own it is its own transaction."""
    if not connection.in_atomic_block:
        with transaction.atomic():
            return credit_hold(actor=actor, dealer=dealer, amount=amount, currency=currency, reference=reference,
                               use_rebate=use_rebate, creditor=creditor)
    currency = clean_currency(currency)
    amount = clean_amount(amount, currency)
    account = _locked(dealer, currency, creditor)  # concurrent holds of this account queue here
    terms = account.terms
    settlement = Settlement(mode=terms["mode"], credit_limit=Decimal(str(terms["limit"])), terms_days=0,
                            currency=tenant_currency())
    from_rebate = _rebate_cap(account, amount, Decimal(str(terms["share"]))) if use_rebate else ZERO
    rest = amount - from_rebate
    if settlement.mode == SettlementMode.COD:
        return ledger_post(actor=actor, account=account, kind=EntryKind.ORDER_CHARGE, credit_delta=rest,
                           rebate_delta=-from_rebate, reference=reference, reason=_("cash on delivery"))
    cash, credit = available(account, settlement)
    if cash + credit < rest:
        raise CreditShort(
            _("Not enough available to cover this order: %(available)s %(currency)s available, %(needed)s "
              "%(currency)s needed.") % {"available": cash + credit + from_rebate, "needed": amount,
                                         "currency": currency},
            available=cash + credit + from_rebate, needed=amount, currency=currency)
    from_cash = min(cash, rest)
    return ledger_post(actor=actor, account=account, kind=EntryKind.ORDER_CHARGE, balance_delta=-from_cash,
                       credit_delta=rest - from_cash, rebate_delta=-from_rebate, reference=reference)


def _held(account: DealerAccount, reference: str) -> tuple[Decimal, Decimal, Decimal]:
    """(cash, credit, rebate) still held for `reference`: its charges less its releases."""
    cash = credit = rebate = ZERO
    for entry in account.entries.filter(reference=reference, kind__in=[EntryKind.ORDER_CHARGE,
                                                                       EntryKind.ORDER_RELEASE]):
        cash -= entry.balance_delta
        credit += entry.credit_delta
        rebate -= entry.rebate_delta
    return cash, credit, rebate


@transaction.atomic
def credit_release(*, actor, dealer, amount=None, currency: str, reference: str, reason: str = "",
                   creditor=None) -> LedgerEntry | None:
    """Give back (part of) what `credit_hold` took for `reference` (all of it when `amount` is None; None returned
    when nothing is held): what the dealer still owes on credit first, then the balance, the rebate pool last.
    At most what is still held for that reference, on the account with `creditor` (None: headquarters)."""
    currency = clean_currency(currency)
    account = _locked(dealer, currency, creditor)
    held_cash, held_credit, held_rebate = _held(account, reference)
    held = held_cash + held_credit + held_rebate
    if amount is None:
        if held <= 0:
            return None
        amount = held
    amount = clean_amount(amount, currency)
    if amount > held:
        raise _invalid("amount", _("At most %(held)s %(currency)s is held for %(reference)s.") % {
            "held": held, "currency": currency, "reference": reference or "-"})
    # What the dealer still owes on credit is given back first; the rest (paid already, or from the balance)
    # returns to the balance; the rebate pool gets back its own part last. Never below zero owed: a paid order's
    # credit was settled by its payment.
    to_credit = min(held_credit, max(account.credit_used, ZERO), amount)
    to_balance = min(amount - to_credit, held_cash + held_credit - to_credit)
    to_rebate = amount - to_credit - to_balance  # <= held_rebate: amount <= held
    return ledger_post(actor=actor, account=account, kind=EntryKind.ORDER_RELEASE, balance_delta=to_balance,
                       credit_delta=-to_credit, rebate_delta=to_rebate, reference=reference, reason=reason)


def held_for(*, dealer, currency: str, reference: str, creditor=None) -> Decimal:
    """What is still held for `reference` (its charges less its releases) on the account with `creditor`."""
    account = DealerAccount.objects.filter(dealer=dealer, currency=currency, creditor_id=_node_id(creditor)).first()
    return sum(_held(account, reference), ZERO) if account else ZERO
