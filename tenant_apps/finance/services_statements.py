"""Dealer statements (对账单): periods, issuing (a frozen snapshot of the ledger), confirmation, disputes and
their answers. Model, balance definition and the entry-id chain: models/statements.py."""

from __future__ import annotations

import calendar
import functools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.core.money import tenant_currency
from tenant_apps.core.states import Move, StateMachine
from tenant_apps.events.services import event_record
from tenant_apps.finance import statement_sections
from tenant_apps.finance.errors import (
    FinanceInvalid,
    StatementLedgerMismatch,
    StatementNotFound,
    StatementStateError,
)
from tenant_apps.finance.models import (
    DealerAccount,
    DisputeStatus,
    EntryKind,
    Statement,
    StatementDispute,
    StatementLine,
    StatementSection,
    StatementStatus,
)
from tenant_apps.finance.services import adjustment_request, clean_amount, finance_settings

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
COMMENT_MAX = 1000

SECTION_OF_KIND = {
    EntryKind.ORDER_CHARGE: StatementSection.ORDERS,
    EntryKind.ORDER_RELEASE: StatementSection.RELEASES,
    EntryKind.REFUND: StatementSection.RELEASES,
    EntryKind.PAYMENT: StatementSection.PAYMENTS,
    EntryKind.TOP_UP: StatementSection.TOP_UPS,
    EntryKind.REBATE: StatementSection.REBATES,
    EntryKind.PRICE_PROTECTION: StatementSection.PRICE_PROTECTION,
    EntryKind.ADJUSTMENT: StatementSection.ADJUSTMENTS,
}


def section_of(kind: str) -> str:
    """The section an entry kind prints in; a kind added later lands in OTHER, never dropped."""
    return SECTION_OF_KIND.get(kind, StatementSection.OTHER)


STATEMENT = StateMachine(
    name="finance.statement",
    states=StatementStatus,
    moves={
        "confirm": Move(StatementStatus.ISSUED, StatementStatus.CONFIRMED, audited_as="confirmed"),
        "dispute": Move((StatementStatus.ISSUED, StatementStatus.DISPUTED), StatementStatus.DISPUTED,
                        audited_as="disputed"),
        "reissue": Move(StatementStatus.DISPUTED, StatementStatus.ISSUED, audited_as="reissued"),
    },
    error=StatementStateError,
)


# --- periods -------------------------------------------------------------------------------------------------


def _invalid(field_name: str, message: str) -> FinanceInvalid:
    return FinanceInvalid(message, fields={field_name: [message]})


def clean_period(value) -> tuple[int, int]:
    """'2026-11' -> (2026, 11)."""
    text = str(value or "").strip()
    try:
        year, month = (int(part) for part in text.split("-"))
        if len(text) != 7 or not (2000 <= year <= 2999 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        raise _invalid("period", _("Give the period as year and month, such as 2026-11.")) from None
    return year, month


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _day_end(year: int, month: int, cutoff: int | None) -> date:
    """The last day of the period that ends in (year, month)."""
    return date(year, month, cutoff or calendar.monthrange(year, month)[1])


def period_bounds(period: str, cutoff: int | None = None) -> tuple[datetime, datetime]:
    """(starts_at, ends_at) of the period ending in `period`'s month on the brand's cut-off day (month end when
    none), at local midnight; ends_at is exclusive and is the next period's starts_at."""
    year, month = clean_period(period)
    zone = timezone.get_current_timezone()
    before = _day_end(*_shift(year, month, -1), cutoff) + timedelta(days=1)
    last = _day_end(year, month, cutoff) + timedelta(days=1)
    return (timezone.make_aware(datetime.combine(before, time.min), zone),
            timezone.make_aware(datetime.combine(last, time.min), zone))


def period_last_ended(now: datetime | None = None, cutoff: int | None = None) -> str:
    """The latest period whose end has passed at `now`."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    year, month = local.year, local.month
    if period_bounds(f"{year:04d}-{month:02d}", cutoff)[1] > now:
        year, month = _shift(year, month, -1)
    return f"{year:04d}-{month:02d}"


def statement_number(*, period: str, dealer, currency: str) -> str:
    number = f"ST-{period.replace('-', '')}-{dealer.code}"
    return number if currency == tenant_currency() else f"{number}-{currency}"


# --- issuing -------------------------------------------------------------------------------------------------


@dataclass
class Generated:
    period: str
    created: list[Statement] = field(default_factory=list)
    skipped: int = 0  # already issued for the period, or a later statement exists
    failed: list[str] = field(default_factory=list)  # dealers whose ledger does not add up (nothing issued)


def _net(entry) -> Decimal:
    return entry.balance_after + entry.rebate_balance_after - entry.credit_used_after


@transaction.atomic
def statement_issue(*, actor, account: DealerAccount, period: str, starts_at: datetime,
                    ends_at: datetime) -> Statement | None:
    """Issue the account's statement of `period` (None: it exists already, a later one exists, or the account
    had no entry before the period's end). Locks the account first, so an entry being written now is either
    committed and seen, or written after this statement (and in the next one)."""
    account = DealerAccount.objects.select_for_update().select_related("dealer").get(pk=account.pk)
    dealer, currency = account.dealer, account.currency
    if Statement.objects.filter(dealer=dealer, currency=currency, period=period).exists():
        return None
    previous = Statement.objects.filter(dealer=dealer, currency=currency).order_by("-ends_at").first()
    if previous is not None and previous.ends_at > starts_at:
        return None  # a later (or overlapping) period is issued already: never two statements of one entry
    if previous is not None and previous.ends_at < starts_at:
        # A gap (the brand moved its cut-off day, or a month was not issued): this statement covers it, so every
        # entry shows as a line of exactly one statement.
        starts_at = previous.ends_at
    first_id, opening = (previous.last_entry_id, previous.closing) if previous else (0, ZERO)
    newer = account.entries.filter(id__gt=first_id)
    last_id = newer.filter(created_at__lt=ends_at).order_by("-id").values_list("id", flat=True).first() or first_id
    entries = list(newer.filter(id__lte=last_id).order_by("id"))
    if previous is None and not entries:
        return None
    lines, running = [], opening
    for entry in entries:
        if entry.created_at < starts_at:
            # Only before an account's first statement: its history so far is the opening balance.
            opening += entry.amount
            running += entry.amount
            continue
        running += entry.amount
        lines.append(StatementLine(entry=entry, section=section_of(entry.kind), kind=entry.kind,
                                   occurred_at=entry.created_at, reference=entry.reference, reason=entry.reason,
                                   amount=entry.amount, running=running))
    if entries and running != _net(entries[-1]):
        raise StatementLedgerMismatch(_("The ledger of %(dealer)s does not add up; run the finance check.")
                                      % {"dealer": dealer.code})
    statement = Statement.objects.create(
        dealer=dealer, currency=currency, period=period, starts_at=starts_at, ends_at=ends_at,
        number=statement_number(period=period, dealer=dealer, currency=currency), opening=opening,
        closing=running, first_entry_id=first_id, last_entry_id=last_id,
        extra_sections=statement_sections.sections_for(dealer=dealer, currency=currency, starts_at=starts_at,
                                                       ends_at=ends_at))
    for line in lines:
        line.statement = statement
    StatementLine.objects.bulk_create(lines)
    audit_record(actor=actor, action="finance.statement.issued", target=statement, dealer_id=dealer.pk,
                 after={"number": statement.number, "period": period, "opening": str(opening),
                        "closing": str(running), "lines": len(lines)})
    event_record(kind="statement.ready", subject_id=statement.pk, subject_ref=statement.number[:64],
                 dealer_id=dealer.pk, actor=actor, payload={"period": period})
    return statement


def statements_generate(*, actor, period: str | None = None, now: datetime | None = None) -> Generated:
    """Issue the statements of `period` (default: the latest period that has ended) for every dealer account
    with entries before its end. Idempotent: a statement issued already is skipped (one per dealer, currency
    and period; the database refuses a second). A period not yet over is refused."""
    now = now or timezone.now()
    cutoff = finance_settings().statement_cutoff_day
    period = period if period is not None else period_last_ended(now, cutoff)
    starts_at, ends_at = period_bounds(period, cutoff)
    if ends_at > now:
        raise _invalid("period", _("This period has not ended yet (it ends %(end)s).")
                       % {"end": timezone.localtime(ends_at).strftime("%Y-%m-%d %H:%M")})
    result = Generated(period=period)
    # headquarters' accounts: statements between a supplier and its sub-dealers are not built (multi-tier.md)
    accounts = (DealerAccount.objects.filter(creditor__isnull=True, entries__created_at__lt=ends_at).distinct()
                .order_by("pk")
                .only("pk"))
    for account in accounts:
        try:
            statement = statement_issue(actor=actor, account=account, period=period, starts_at=starts_at,
                                        ends_at=ends_at)
        except StatementLedgerMismatch:  # one broken account does not hold up the others' statements
            logger.error("statement not issued: ledger mismatch", extra={"account": account.pk, "period": period})
            result.failed.append(str(account.pk))
            continue
        if statement is None:
            result.skipped += 1
        else:
            result.created.append(statement)
    return result


# --- the dealer's answer and finance's reply -----------------------------------------------------------------


def _audit_for(statement):
    return functools.partial(audit_record, dealer_id=statement.dealer_id)


def _own(actor, statement: Statement) -> None:
    """Only the dealer's own staff confirm or dispute its statement."""
    if getattr(actor, "dealer_id", None) != statement.dealer_id:
        raise StatementNotFound(_("No such statement."))


def statement_confirm(*, actor, statement: Statement) -> Statement:
    """The dealer agrees with the statement; it is final."""
    _own(actor, statement)

    def effects(locked, before):
        locked.confirmed_at, locked.confirmed_by = timezone.now(), actor
        return ["confirmed_at", "confirmed_by"]

    return STATEMENT.move(actor=actor, obj=statement, action="confirm", audit=_audit_for(statement), effects=effects)


def _clean_comment(text, field_name: str, message: str) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise _invalid(field_name, message)
    if len(text) > COMMENT_MAX:
        raise _invalid(field_name, _("At most %(max)s characters.") % {"max": COMMENT_MAX})
    return text


def statement_dispute(*, actor, statement: Statement, line_ids, comment: str) -> list[StatementDispute]:
    """The dealer disputes one or more of the statement's lines, with one comment."""
    _own(actor, statement)
    comment = _clean_comment(comment, "comment", _("Say what is wrong with these lines."))
    wanted = {int(value) for value in (line_ids or []) if str(value).isdigit() and len(str(value)) < 19}
    if not wanted:
        raise _invalid("lines", _("Choose the lines you dispute."))
    created: list[StatementDispute] = []

    def guard(locked):
        lines = list(locked.lines.filter(pk__in=wanted))
        if len(lines) != len(wanted):
            raise _invalid("lines", _("Choose lines of this statement."))
        if StatementDispute.objects.filter(line__in=lines, status=DisputeStatus.OPEN).exists():
            raise _invalid("lines", _("A line you chose is disputed already and waits for an answer."))
        created.extend(StatementDispute(statement=locked, line=line, comment=comment,
                                        raised_by=actor if getattr(actor, "pk", None) else None) for line in lines)

    def then(locked, before):
        StatementDispute.objects.bulk_create(created)
        return {"lines": sorted(d.line_id for d in created), "comment": comment}

    STATEMENT.move(actor=actor, obj=statement, action="dispute", audit=_audit_for(statement), guard=guard,
                   then=then)
    return created


@transaction.atomic
def dispute_resolve(*, actor, dispute: StatementDispute, reply: str, adjustment_amount=None) -> StatementDispute:
    """Finance answers one dispute; with `adjustment_amount` (signed, in the dealer's favour when positive) it
    also corrects the balance through an adjustment naming the statement (posted now: in the next period, or
    waiting for a second person above the brand's threshold). When no dispute of the statement is left open,
    the statement is issued again for the dealer to confirm."""
    statement = Statement.objects.select_for_update(of=("self",)).get(pk=dispute.statement_id)
    dispute = StatementDispute.objects.select_for_update(of=("self",)).select_related("line").get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN:
        raise StatementStateError(_("This dispute has been answered already."))
    reply = _clean_comment(reply, "reply", _("Write your answer to the dealer."))
    if adjustment_amount not in (None, ""):
        amount = clean_amount(adjustment_amount, statement.currency, field="adjustment_amount", signed=True)
        dispute.adjustment = adjustment_request(actor=actor, dealer=statement.dealer, amount=amount,
                                                currency=statement.currency,
                                                reason=f"{statement.number}: {reply}"[:255])
    dispute.status, dispute.reply, dispute.resolved_at = DisputeStatus.RESOLVED, reply, timezone.now()
    dispute.resolved_by = actor if getattr(actor, "pk", None) else None
    dispute.save(update_fields=["status", "reply", "resolved_at", "resolved_by", "adjustment"])
    audit_record(actor=actor, action="finance.statement.dispute_resolved", target=statement,
                 dealer_id=statement.dealer_id, reason=reply,
                 after={"dispute": dispute.pk, "line": dispute.line_id,
                        "adjustment": dispute.adjustment_id, "number": statement.number})
    if not statement.disputes.filter(status=DisputeStatus.OPEN).exists():

        def effects(locked, before):
            locked.issue_count += 1
            return ["issue_count"]

        STATEMENT.move(actor=actor, obj=statement, action="reissue", audit=_audit_for(statement),
                       lock=lambda row: row, effects=effects)
    return dispute
