"""Writes of bank transfers: the brand's receiving account, dealers' remittances, mappings, statement imports,
the matcher's run, and the matches (confirm a suggestion, match by hand, mark a line not ours, reverse).

A match posts `finance.services.payment_record` in the same transaction as its `BankMatch` row, under row locks
on the line (and the remittance), so a line is applied once: a second confirm of the same line waits for the
first and then finds it matched (BankLineNotOpen, 409); partial unique constraints (one active match per line and
per remittance) back that up. A reversal posts `payment_reverse` (the payment's exact opposite) and opens the line
again. Everything is audited (finance.bank.*)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.core.money import tenant_currency
from tenant_apps.core.table_limits import TableLimits, file_too_big
from tenant_apps.core.tables import FileUnreadable
from tenant_apps.core.uploads import UploadRefused, image_checked
from tenant_apps.finance.bank.mappings import DEFAULT_MAPPINGS, MAPPING_FIELDS
from tenant_apps.finance.bank.matching import open_items, suggest
from tenant_apps.finance.bank.parsing import statement_parse
from tenant_apps.finance.errors import (
    BankLineNotOpen,
    BankMatchReversed,
    FinanceInvalid,
    RemittanceNotPending,
    StatementDuplicate,
    StatementUnreadable,
)
from tenant_apps.finance.models import (
    BankMapping,
    BankMatch,
    BankSettings,
    BankStatementLine,
    Confidence,
    LedgerEntry,
    LineStatus,
    MatchHow,
    Remittance,
    RemittanceStatus,
    StatementImport,
)
from tenant_apps.finance.services import clean_amount, clean_currency, payment_record, payment_reverse


def _invalid(field: str, message: str) -> FinanceInvalid:
    return FinanceInvalid(message, fields={field: [message]})


def _text(value, field: str, *, max_length: int, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise _invalid(field, _("Give a text."))
    if required and not text:
        raise _invalid(field, _("This field is required."))
    if len(text) > max_length:
        raise _invalid(field, _("At most %(max)s characters.") % {"max": max_length})
    return text


# --- the brand's receiving account ---------------------------------------------------------------------------


def bank_settings() -> BankSettings:
    return BankSettings.objects.filter(pk=1).first() or BankSettings(pk=1)


@transaction.atomic
def bank_settings_update(*, actor, account_name: str, bank_name: str, account_number: str, note: str = "",
                         auto_confirm_high: bool = False) -> BankSettings:
    values = {"account_name": _text(account_name, "account_name", max_length=200),
              "bank_name": _text(bank_name, "bank_name", max_length=200),
              "account_number": _text(account_number, "account_number", max_length=64).replace(" ", ""),
              "note": _text(note, "note", max_length=500), "auto_confirm_high": bool(auto_confirm_high)}
    row, _created = BankSettings.objects.select_for_update().get_or_create(pk=1)
    before = {"account_name": row.account_name, "bank_name": row.bank_name,
              "account_number": _masked(row.account_number), "auto_confirm_high": row.auto_confirm_high}
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    audit_record(actor=actor, action="finance.bank.settings_updated", target=row, before=before,
                 after={"account_name": row.account_name, "bank_name": row.bank_name,
                        "account_number": _masked(row.account_number), "auto_confirm_high": row.auto_confirm_high})
    return row


def _masked(number: str) -> str:
    return f"**** {number[-4:]}" if number else ""


# --- remittances ---------------------------------------------------------------------------------------------


@transaction.atomic
def remittance_record(*, actor, dealer, amount, paid_on, payer_name: str, payer_bank: str = "", remark: str = "",
                      slip=None, currency: str | None = None) -> Remittance:
    """A dealer's record of a transfer it made; the slip (optional) must be an image (checked, re-encoded)."""
    currency = clean_currency(currency or tenant_currency())
    amount = clean_amount(amount, currency)
    if not isinstance(paid_on, dt.date):
        raise _invalid("paid_on", _("Give the date of the transfer."))
    if paid_on > timezone.localdate() + dt.timedelta(days=1):
        raise _invalid("paid_on", _("The transfer date is in the future."))
    if paid_on < timezone.localdate() - dt.timedelta(days=366):
        raise _invalid("paid_on", _("The transfer date is more than a year ago."))
    checked = None
    if slip:
        try:
            checked = image_checked(slip)
        except UploadRefused as refused:
            raise _invalid("slip", refused.message) from None
    remittance = Remittance(
        dealer=dealer, currency=currency, amount=amount, paid_on=paid_on,
        payer_name=_text(payer_name, "payer_name", max_length=200, required=True),
        payer_bank=_text(payer_bank, "payer_bank", max_length=100), remark=_text(remark, "remark", max_length=200),
        created_by=actor if getattr(actor, "pk", None) else None)
    if checked is not None:
        remittance.slip.save(checked.name, checked, save=False)
    remittance.save()
    audit_record(actor=actor, action="finance.bank.remittance_recorded", target=remittance, dealer_id=dealer.pk,
                 after={"amount": str(amount), "currency": currency, "paid_on": paid_on.isoformat(),
                        "payer_name": remittance.payer_name})
    return remittance


@transaction.atomic
def remittance_reject(*, actor, remittance: Remittance, reason: str) -> Remittance:
    """Brand finance: the transfer never arrived (or is not a payment to us)."""
    reason = _text(reason, "reason", max_length=255, required=True)
    remittance = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if remittance.status != RemittanceStatus.PENDING:
        raise RemittanceNotPending(_("Only a transfer waiting for the bank can be rejected."))
    remittance.status, remittance.reason = RemittanceStatus.REJECTED, reason
    remittance.save(update_fields=["status", "reason"])
    audit_record(actor=actor, action="finance.bank.remittance_rejected", target=remittance,
                 dealer_id=remittance.dealer_id, reason=reason, before={"status": RemittanceStatus.PENDING},
                 after={"status": remittance.status})
    return remittance


# --- mappings ------------------------------------------------------------------------------------------------


def bank_mappings_ensure() -> None:
    """The built-in mappings exist (made once per brand; an edited one is kept as edited)."""
    BankMapping.objects.bulk_create(
        [BankMapping(code=m["code"], name=m["name"], columns=m["columns"], credit_marks=m.get("credit_marks", ""),
                     builtin=True) for m in DEFAULT_MAPPINGS], ignore_conflicts=True)


@transaction.atomic
def bank_mapping_save(*, actor, mapping: BankMapping | None, code: str, name: str, columns: dict,
                      date_formats: str = "", encoding: str = "auto", header_row: int = 0,
                      credit_marks: str = "") -> BankMapping:
    """Create (mapping None) or change a mapping. `columns`: {field: [header names]}."""
    code = _text(code, "code", max_length=32, required=True).lower()
    clean = {}
    for field, names in (columns or {}).items():
        if field not in MAPPING_FIELDS:
            raise _invalid("columns", _("Unknown field “%(field)s”.") % {"field": str(field)[:40]})
        names = [str(n).strip()[:100] for n in (names or []) if str(n).strip()][:20]
        if names:
            clean[field] = names
    if "date" not in clean or not ({"credit", "amount"} & set(clean)):
        raise _invalid("columns", _("Name at least the date column and the credit (or amount) column."))
    if encoding not in BankMapping.Encoding.values:
        raise _invalid("encoding", _("Choose auto, UTF-8 or GBK."))
    if isinstance(header_row, bool) or not isinstance(header_row, int) or not 0 <= header_row <= 100:
        raise _invalid("header_row", _("A row number from 0 to 100."))
    for fmt in (date_formats or "").split("|"):
        if fmt.strip() and "%" not in fmt:
            raise _invalid("date_formats", _("Formats such as %Y-%m-%d, separated by “|”."))
    if BankMapping.objects.filter(code=code).exclude(pk=getattr(mapping, "pk", None)).exists():
        raise _invalid("code", _("Another mapping has this code."))
    row = BankMapping.objects.select_for_update().get(pk=mapping.pk) if mapping else BankMapping()
    before = {"columns": row.columns, "date_formats": row.date_formats, "encoding": row.encoding,
              "header_row": row.header_row} if mapping else None
    row.code, row.name, row.columns = code, _text(name, "name", max_length=100, required=True), clean
    row.date_formats = _text(date_formats, "date_formats", max_length=200)
    row.encoding, row.header_row = encoding, header_row
    row.credit_marks = _text(credit_marks, "credit_marks", max_length=100)
    row.save()
    audit_record(actor=actor, action="finance.bank.mapping_saved", target=row, before=before,
                 after={"columns": row.columns, "date_formats": row.date_formats, "encoding": row.encoding,
                        "header_row": row.header_row})
    return row


# --- statements ----------------------------------------------------------------------------------------------


@dataclass
class MatchRun:
    lines: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    confirmed: int = 0


def _read_upload(file) -> bytes:
    limits = TableLimits.configured()
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if getattr(file, "size", None) is not None and file.size > limits.max_bytes:
            raise file_too_big(limits)
        file.seek(0)
        data = file.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise file_too_big(limits)
    return data


def statement_import(*, actor, file, filename: str, mapping: BankMapping) -> tuple[StatementImport, MatchRun]:
    """Import a statement export: all its incoming lines or nothing (StatementUnreadable with the row errors;
    TableTooLarge past a reader's limit). The same file twice: StatementDuplicate (409). Lines already imported
    (same bank serial, or the same values for a bank without serials) are skipped and counted. Then the matcher
    runs over every open line (and confirms the high ones when the brand says so)."""
    filename = (filename or "")[:255]
    data = _read_upload(file)
    digest = hashlib.sha256(data).hexdigest()
    if StatementImport.objects.filter(sha256=digest).exists():
        raise _duplicate()
    try:
        parsed = statement_parse(data=data, filename=filename, mapping=mapping, default_currency=tenant_currency())
    except FileUnreadable as unreadable:
        raise StatementUnreadable(unreadable.errors) from None
    keys = [line.dedupe_key for line in parsed.lines]
    known = set(BankStatementLine.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh, seen = [], set()
    for line in parsed.lines:
        if line.dedupe_key in known or line.dedupe_key in seen:
            continue
        seen.add(line.dedupe_key)
        fresh.append(line)
    try:
        with transaction.atomic():
            statement = StatementImport.objects.create(
                mapping=mapping, filename=filename, sha256=digest, rows=parsed.rows, lines_created=len(fresh),
                duplicates=len(parsed.lines) - len(fresh), debits=parsed.debits,
                uploaded_by=actor if getattr(actor, "pk", None) else None)
            BankStatementLine.objects.bulk_create([
                BankStatementLine(statement=statement, row=line.row, booked_on=line.booked_on, currency=line.currency,
                              amount=line.amount, payer_name=line.payer_name, payer_account=line.payer_account,
                              remark=line.remark, serial=line.serial, dedupe_key=line.dedupe_key)
                for line in fresh], batch_size=2000)
            audit_record(actor=actor, action="finance.bank.statement_imported", target=statement,
                         after={"filename": filename, "mapping": mapping.code, "lines": len(fresh),
                                "duplicates": statement.duplicates, "debits": parsed.debits})
    except IntegrityError:  # the same file, or a line of it, imported meanwhile by someone else
        raise _duplicate() from None
    run = bank_lines_match(actor=actor)
    return statement, run


def _duplicate() -> StatementDuplicate:
    message = _("This file has been imported already.")
    return StatementDuplicate(message, fields={"file": [message]})


@transaction.atomic
def bank_lines_match(*, actor, line_ids: list[int] | None = None) -> MatchRun:
    """Suggest a match for every open line (or those of `line_ids`): a constant number of queries whatever the
    number of lines (matching.open_items, one read of the lines, one bulk update). Then, when the brand has
    turned it on, confirm the high-confidence suggestions (each its own payment)."""
    lines = BankStatementLine.objects.filter(status=LineStatus.OPEN).only(
        "id", "amount", "currency", "payer_name", "remark", "confidence", "suggested_dealer_id",
        "suggested_reference", "suggested_remittance_id", "rule").order_by("booked_on", "id")
    if line_ids is not None:
        lines = lines.filter(id__in=line_ids)
    lines = list(lines)
    found = suggest(lines, open_items())
    run = MatchRun(lines=len(lines))
    for line in lines:
        suggestion = found[line.id]
        line.confidence, line.suggested_dealer_id = suggestion.confidence, suggestion.dealer_id
        line.suggested_reference, line.suggested_remittance_id = suggestion.reference, suggestion.remittance_id
        line.rule = suggestion.rule
        if suggestion.confidence:
            setattr(run, suggestion.confidence, getattr(run, suggestion.confidence) + 1)
    _suggestions_write(lines)
    if bank_settings().auto_confirm_high:
        for line in lines:
            if line.confidence == Confidence.HIGH:
                try:
                    with transaction.atomic():
                        bank_line_confirm(actor=actor, line=line, how=MatchHow.AUTO)
                except (BankLineNotOpen, RemittanceNotPending, FinanceInvalid):
                    continue
                run.confirmed += 1
    return run


def _suggestions_write(lines: list[BankStatementLine]) -> None:
    """The lines' suggestions in one UPDATE ... FROM unnest(arrays): Django's bulk_update builds a CASE per field
    and row, which took 1.4 s of ORM work for 1,000 lines (bench/bank_match.py); this takes milliseconds."""
    if not lines:
        return
    table = connection.ops.quote_name(BankStatementLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS line SET confidence = v.confidence, suggested_dealer_id = v.dealer, "  # noqa: S608
            "suggested_reference = v.reference, suggested_remittance_id = v.remittance, rule = v.rule "
            "FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::bigint[], %s::text[]) "
            "AS v(id, confidence, dealer, reference, remittance, rule) "
            "WHERE line.id = v.id AND line.status = %s",
            [[line.pk for line in lines], [line.confidence for line in lines],
             [line.suggested_dealer_id for line in lines], [line.suggested_reference for line in lines],
             [line.suggested_remittance_id for line in lines], [line.rule for line in lines], LineStatus.OPEN])


# --- matches -------------------------------------------------------------------------------------------------


def _apply(*, actor, line: BankStatementLine, dealer, reference: str, remittance_id: int | None, confidence: str,
           how: str) -> BankMatch:
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status != LineStatus.OPEN:
        raise BankLineNotOpen(_("This line is matched already or marked as not ours."))
    remittance = None
    if remittance_id is not None:
        remittance = Remittance.objects.select_for_update().get(pk=remittance_id)
        if remittance.status != RemittanceStatus.PENDING:
            raise RemittanceNotPending(_("That transfer record is matched or rejected already."))
        if remittance.dealer_id != dealer.pk:
            raise _invalid("remittance", _("That transfer record is another dealer's."))
    reference = reference or f"BANK-{line.pk}"
    entry = payment_record(actor=actor, dealer=dealer, amount=line.amount, currency=line.currency,
                           reference=reference,
                           reason=_("Bank transfer of %(date)s from %(payer)s") % {
                               "date": line.booked_on.isoformat(), "payer": line.payer_name or "-"})
    match = BankMatch.objects.create(line=line, dealer=dealer, remittance=remittance, amount=line.amount,
                                     currency=line.currency, reference=reference, confidence=confidence, how=how,
                                     entry=entry, created_by=actor if getattr(actor, "pk", None) else None)
    line.status = LineStatus.MATCHED
    line.save(update_fields=["status"])
    if remittance is not None:
        remittance.status = RemittanceStatus.MATCHED
        remittance.save(update_fields=["status"])
    audit_record(actor=actor, action="finance.bank.matched", target=match, dealer_id=dealer.pk,
                 after={"line": line.pk, "amount": str(line.amount), "currency": line.currency,
                        "reference": reference, "remittance": remittance_id, "confidence": confidence, "how": how,
                        "entry": entry.pk})
    return match


@transaction.atomic
def bank_line_confirm(*, actor, line: BankStatementLine, how: str = MatchHow.SUGGESTED) -> BankMatch:
    """Confirm the matcher's suggestion of the line (409 when it is matched already; 400 without one)."""
    line = BankStatementLine.objects.select_for_update(of=("self",)).select_related("suggested_dealer").get(pk=line.pk)
    if line.status != LineStatus.OPEN:
        raise BankLineNotOpen(_("This line is matched already or marked as not ours."))
    if line.suggested_dealer is None:
        raise _invalid("line", _("This line has no suggestion: match it by hand."))
    return _apply(actor=actor, line=line, dealer=line.suggested_dealer, reference=line.suggested_reference,
                  remittance_id=line.suggested_remittance_id, confidence=line.confidence, how=how)


@transaction.atomic
def bank_line_match(*, actor, line: BankStatementLine, dealer, reference: str = "",
                    remittance: Remittance | None = None) -> BankMatch:
    """Match a line by hand to a dealer (in the actor's scope: the caller looked it up), optionally to one of its
    orders (a reference it was charged under) and one of its pending transfer records."""
    reference = _text(reference, "reference", max_length=100)
    if reference and not LedgerEntry.objects.filter(dealer=dealer, reference=reference, creditor__isnull=True,
                                                    kind="order_charge").exists():
        raise _invalid("reference", _("This dealer has no order charged under “%(reference)s”.")
                       % {"reference": reference})
    return _apply(actor=actor, line=line, dealer=dealer, reference=reference,
                  remittance_id=remittance.pk if remittance else None, confidence="", how=MatchHow.MANUAL)


@transaction.atomic
def bank_line_ignore(*, actor, line: BankStatementLine, note: str = "") -> BankStatementLine:
    """Mark an open line as not ours (not a dealer's payment); `bank_line_reopen` undoes it."""
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status != LineStatus.OPEN:
        raise BankLineNotOpen(_("Only a line still to match can be marked as not ours."))
    line.status, line.note = LineStatus.IGNORED, _text(note, "note", max_length=255)
    line.save(update_fields=["status", "note"])
    audit_record(actor=actor, action="finance.bank.line_ignored", target=line, reason=line.note,
                 before={"status": LineStatus.OPEN}, after={"status": line.status})
    return line


@transaction.atomic
def bank_line_reopen(*, actor, line: BankStatementLine) -> BankStatementLine:
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status != LineStatus.IGNORED:
        raise BankLineNotOpen(_("Only a line marked as not ours can be opened again."))
    line.status = LineStatus.OPEN
    line.save(update_fields=["status"])
    audit_record(actor=actor, action="finance.bank.line_reopened", target=line,
                 before={"status": LineStatus.IGNORED}, after={"status": line.status})
    return line


@transaction.atomic
def bank_match_reverse(*, actor, match: BankMatch, reason: str) -> BankMatch:
    """Undo a match: its payment is reversed exactly (payment_reverse), the line is open again and its transfer
    record waits again. Once only (BankMatchReversed, 409)."""
    reason = _text(reason, "reason", max_length=255, required=True)
    match = BankMatch.objects.select_for_update(of=("self",)).select_related("entry").get(pk=match.pk)
    if match.reversal_id is not None:
        raise BankMatchReversed(_("This match has been reversed already."))
    line = BankStatementLine.objects.select_for_update().get(pk=match.line_id)
    match.reversal = payment_reverse(actor=actor, entry=match.entry, reason=reason)
    match.reversed_reason, match.reversed_at = reason, timezone.now()
    match.reversed_by = actor if getattr(actor, "pk", None) else None
    match.save(update_fields=["reversal", "reversed_reason", "reversed_at", "reversed_by"])
    line.status = LineStatus.OPEN
    line.save(update_fields=["status"])
    if match.remittance_id:
        Remittance.objects.filter(pk=match.remittance_id, status=RemittanceStatus.MATCHED).update(
            status=RemittanceStatus.PENDING)
    audit_record(actor=actor, action="finance.bank.match_reversed", target=match, dealer_id=match.dealer_id,
                 reason=reason, before={"status": "matched", "entry": match.entry_id},
                 after={"status": "reversed", "reversal": match.reversal_id})
    return match
