"""Invoices (发票) to dealers: the dealer's tax details, its requests for an invoice of an order or a statement, and
their issuing by the e-invoicing provider (finance.fapiao) in a task: the provider's number, date and PDF come back
onto the request. States (models/invoices.py) move through INVOICE_MACHINE only; every move is audited
(finance.invoice.<action>)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_saas.fapiao import CONTROL, tax_id_errors, tax_id_normalize
from tenant_apps.audit.services import audit_record
from tenant_apps.core.money import tenant_currency
from tenant_apps.core.states import Move, StateMachine
from tenant_apps.finance import fapiao
from tenant_apps.finance.errors import FinanceInvalid, InvoiceConflict, TaxProfileMissing
from tenant_apps.finance.models import (
    DealerTaxProfile,
    EntryKind,
    InvoiceKind,
    InvoiceRequest,
    InvoiceStatus,
    InvoiceSubject,
    LedgerEntry,
)
from tenant_apps.finance.services import clean_amount, clean_currency

logger = logging.getLogger(__name__)

S = InvoiceStatus
INVOICE_MACHINE = StateMachine(
    name="finance.invoice", states=InvoiceStatus, error=InvoiceConflict,
    moves={"issue": Move([S.REQUESTED], S.ISSUING, audited_as="issuing"),
           "retry": Move([S.FAILED, S.ISSUING], S.ISSUING, audited_as="retried"),
           "issued": Move([S.ISSUING], S.ISSUED),
           "fail": Move([S.ISSUING], S.FAILED, audited_as="failed"),
           "cancel": Move([S.REQUESTED, S.FAILED], S.CANCELLED, audited_as="cancelled")},
    labels={"issue": gettext_lazy("issued"), "retry": gettext_lazy("tried again"),
            "cancel": gettext_lazy("cancelled")})
ITEM_NAME = "*经销商货款*商品销售"  # the line the invoice prints (the brand's goods; not translated)
ORDER_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/]{0,39}")
STATEMENT_REFERENCE = re.compile(r"ST-[0-9]{6}-[A-Za-z0-9\-]{1,30}")
RETRY_AFTER = timedelta(minutes=5)  # a failed request the provider could not take is tried again after this
STUCK_AFTER = timedelta(minutes=15)  # an "issuing" request whose task died is taken up again after this
MAX_ATTEMPTS = 8
GOODS_TAX_RATE = Decimal("0.13")  # goods: 13 % VAT


# --- the dealer's tax details --------------------------------------------------------------------------------


def _text(value, most: int, field: str, errors: dict) -> str:
    value = " ".join(str(value or "").split())
    if CONTROL.search(value):
        errors[field] = [_("Remove the control characters from this field.")]
    elif len(value) > most:
        errors[field] = [_("Keep this to %(most)s characters (it has %(count)s).") % {"most": most,
                                                                                     "count": len(value)}]
    return value


def _profile_clean(*, kind, title, tax_id, bank_name, bank_account, address, phone, email) -> dict:
    errors: dict[str, list[str]] = {}
    if kind not in InvoiceKind.values:
        errors["kind"] = [_("Choose an ordinary or a special VAT invoice.")]
    found = {"kind": kind, "title": _text(title, 100, "title", errors),
             "bank_name": _text(bank_name, 100, "bank_name", errors),
             "bank_account": _text(bank_account, 64, "bank_account", errors),
             "address": _text(address, 150, "address", errors), "phone": _text(phone, 40, "phone", errors),
             "email": _text(email, 254, "email", errors)}
    if not found["title"] and "title" not in errors:
        errors["title"] = [_("Enter the buyer's name as registered.")]
    tax = tax_id_normalize(str(tax_id or ""))[:64]
    problems = tax_id_errors(tax)
    if problems:
        errors["tax_id"] = problems
    found["tax_id"] = tax
    if kind == InvoiceKind.SPECIAL:
        for field, message in [("bank_name", _("A special invoice needs the buyer's bank.")),
                               ("bank_account", _("A special invoice needs the buyer's bank account number.")),
                               ("address", _("A special invoice needs the buyer's registered address.")),
                               ("phone", _("A special invoice needs the buyer's registered phone."))]:
            if not found[field] and field not in errors:
                errors[field] = [message]
    if "email" not in errors:
        try:
            validate_email(found["email"])
        except ValidationError:
            errors["email"] = [_("Enter the email the e-invoices are sent to.")]
    if errors:
        raise FinanceInvalid(_("Check the tax details."), fields=errors)
    return found


def _profile_state(profile: DealerTaxProfile) -> dict:
    return {"kind": profile.kind, "title": profile.title, "tax_id": profile.tax_id, "bank_name": profile.bank_name,
            "bank_account": f"****{profile.bank_account_last4}" if profile.bank_account_last4 else "",
            "address": profile.address, "phone": profile.phone, "email": profile.email}


@transaction.atomic
def tax_profile_set(*, actor, dealer, kind: str, title: str, tax_id: str, email: str, bank_name: str = "",
                    bank_account: str = "", address: str = "", phone: str = "") -> DealerTaxProfile:
    """Replace the dealer's tax details (the taxpayer ID's check character verified; a special invoice needs the
    bank and registered address and phone). Requests made before keep the details they were made with."""
    fields = _profile_clean(kind=kind, title=title, tax_id=tax_id, bank_name=bank_name, bank_account=bank_account,
                            address=address, phone=phone, email=email)
    profile = DealerTaxProfile.objects.select_for_update().filter(dealer=dealer).first()
    before = _profile_state(profile) if profile else {}
    profile = profile or DealerTaxProfile(dealer=dealer)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.bank_account_last4 = fields["bank_account"][-4:]
    profile.updated_by = actor if getattr(actor, "pk", None) else None
    profile.save()
    audit_record(actor=actor, action="finance.tax_profile.saved", target=profile, dealer_id=dealer.pk,
                 before=before, after=_profile_state(profile))
    return profile


# --- requests ------------------------------------------------------------------------------------------------


def _state(invoice: InvoiceRequest) -> dict:
    return {"reference": invoice.reference, "amount": str(invoice.amount), "status": invoice.status,
            "number": invoice.number, "error": invoice.error}


@transaction.atomic
def invoice_request_create(*, actor, dealer, subject: str, reference: str, amount,
                           currency: str | None = None) -> InvoiceRequest:
    """Ask for an invoice of `amount` for an order (its number) or a statement ("ST-202611-001"), made out to
    the dealer's tax details as they are now. One open request per reference (InvoiceConflict, 409);
    TaxProfileMissing (409) without tax details. Brand finance issues it (invoice_request_issue)."""
    currency = clean_currency(currency or tenant_currency())
    errors: dict[str, list[str]] = {}
    reference = str(reference or "").strip().upper() if subject == InvoiceSubject.STATEMENT \
        else str(reference or "").strip()
    if subject not in InvoiceSubject.values:
        errors["subject"] = [_("Choose an order or a statement.")]
    elif subject == InvoiceSubject.ORDER and not ORDER_REFERENCE.fullmatch(reference):
        errors["reference"] = [_("Enter the order number.")]
    elif subject == InvoiceSubject.STATEMENT and not STATEMENT_REFERENCE.fullmatch(reference):
        errors["reference"] = [_("Enter the statement number, such as ST-202611-001.")]
    try:
        amount = clean_amount(amount, currency)
    except FinanceInvalid as invalid:
        errors.update(invalid.fields)
    if not errors and subject == InvoiceSubject.ORDER:
        supplier = _owed_to_supplier(dealer, reference)
        if supplier:  # S2B2B: a sale the brand did not make is not the brand's to invoice
            errors["reference"] = [_("Order %(number)s is owed to your supplier, %(supplier)s: ask it for the "
                                     "invoice.") % {"number": reference, "supplier": supplier}]
    if errors:
        raise FinanceInvalid(_("Check the invoice request."), fields=errors)
    profile = DealerTaxProfile.objects.filter(dealer=dealer).first()
    if profile is None:
        raise TaxProfileMissing(_("Enter the company's tax details before asking for an invoice."))
    address_phone = " ".join(part for part in (profile.address, profile.phone) if part)
    bank = " ".join(part for part in (profile.bank_name, profile.bank_account) if part)
    try:
        with transaction.atomic():
            invoice = InvoiceRequest.objects.create(
                dealer=dealer, subject=subject, reference=reference, amount=amount, currency=currency,
                kind=profile.kind, title=profile.title, tax_id=profile.tax_id, address_phone=address_phone[:200],
                bank_account=bank, email=profile.email, requested_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        message = _("An invoice for %(reference)s has been requested already.") % {"reference": reference}
        raise InvoiceConflict(message, fields={"reference": [message]}) from None
    audit_record(actor=actor, action="finance.invoice.requested", target=invoice, dealer_id=dealer.pk,
                 after=_state(invoice) | {"subject": subject, "tax_id": invoice.tax_id})
    return invoice


def _owed_to_supplier(dealer, reference: str) -> str:
    """The name of the supplier an order of the dealer's is charged to (its ledger says whom it is owed), or ""."""
    return LedgerEntry.objects.filter(dealer=dealer, reference=reference, kind=EntryKind.ORDER_CHARGE,
                                      creditor__isnull=False).values_list("creditor__name", flat=True).first() or ""


def _schedule(invoice_id: int) -> None:
    def send():
        from tenant_apps.finance.tasks import invoice_issue

        invoice_issue.delay(invoice_id)

    transaction.on_commit(send, robust=True)


def invoice_request_issue(*, actor, invoice: InvoiceRequest) -> InvoiceRequest:
    """Send a requested invoice (or try a failed one again) to the provider: it becomes `issuing` and a task asks
    the provider after commit (invoice_issue_run)."""
    action = "retry" if invoice.status == InvoiceStatus.FAILED else "issue"

    def effects(locked, _before):
        locked.attempts, locked.error, locked.retryable = locked.attempts + 1, "", False
        return ["attempts", "error", "retryable", "updated_at"]

    with transaction.atomic():
        locked = INVOICE_MACHINE.move(actor=actor, obj=invoice, action=action, audit=audit_record, effects=effects)
        _schedule(locked.pk)
    return locked


def invoice_request_cancel(*, actor, invoice: InvoiceRequest, reason: str = "") -> InvoiceRequest:
    return INVOICE_MACHINE.move(actor=actor, obj=invoice, action="cancel", audit=audit_record,
                                reason=" ".join(str(reason or "").split())[:255])


def _order(invoice: InvoiceRequest) -> fapiao.FapiaoOrder:
    buyer = fapiao.TaxDetails(kind=invoice.kind, title=invoice.title, tax_id=invoice.tax_id,
                              address_phone=invoice.address_phone, bank_account=invoice.bank_account,
                              email=invoice.email)
    # the provider's idempotency key: unique across tenants (one provider account serves them all)
    key = f"dms-{connection.schema_name}-dealer-invoice-{invoice.pk}-{invoice.created_at:%Y%m%d%H%M%S%f}"
    return fapiao.FapiaoOrder(reference=key, buyer=buyer, amount=invoice.amount, currency=invoice.currency,
                              lines=[fapiao.FapiaoLine(name=f"{ITEM_NAME}（{invoice.reference}）",
                                                       amount=invoice.amount, tax_rate=GOODS_TAX_RATE)])


def invoice_issue_run(*, invoice_id: int, invoicer: fapiao.DealerInvoicer | None = None) -> InvoiceRequest | None:
    """The task's work: ask the provider to issue an `issuing` request (outside any lock: `issuing` is the
    claim), then record the answer: issued with its number, date and PDF, or failed with the reason (retryable
    when the provider could not be reached). A request in another state is left as it is."""
    invoice = InvoiceRequest.objects.filter(pk=invoice_id).first()
    if invoice is None or invoice.status != InvoiceStatus.ISSUING:
        return invoice
    provider = invoicer if invoicer is not None else fapiao.invoicer()
    number, issued_at, pdf, error, retryable = "", None, b"", "", False
    if provider is None:
        error, retryable = _("No invoicing service is set up yet."), True
    else:
        try:
            issued = provider.issue(_order(invoice))
            number, issued_at = issued.number, issued.issued_at or timezone.now()
            pdf = provider.pdf(number)
        except fapiao.FapiaoRefused as refused:
            error = str(refused)
        except fapiao.FapiaoUnavailable as unavailable:
            error, retryable = str(unavailable), True

    def guard(locked):
        if locked.status != InvoiceStatus.ISSUING:
            raise InvoiceConflict(_("The request moved meanwhile."))

    if number and pdf:
        def effects(locked, _before):
            locked.number, locked.issued_at, locked.error = number, issued_at, ""
            locked.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
            return ["number", "issued_at", "error", "pdf", "updated_at"]
        action = "issued"
    else:
        def effects(locked, _before):
            locked.error, locked.retryable = error[:300], retryable
            if number:  # issued, but its PDF could not be had: the retry gets the same number (idempotency)
                locked.number = number
            return ["error", "retryable", "number", "updated_at"]
        action = "fail"
    try:
        invoice = INVOICE_MACHINE.move(actor=None, obj=invoice, action=action, audit=audit_record, guard=guard,
                                       effects=effects, reason=error[:255])
    except InvoiceConflict:
        return InvoiceRequest.objects.get(pk=invoice_id)
    logger.info("finance.invoice.%s", action, extra={"invoice": invoice.pk, "status": invoice.status})
    return invoice


def invoices_retry(*, now: datetime | None = None) -> int:
    """The periodic task's work: take up again the requests the provider could not take (failed, retryable,
    not tried for a while, fewer than MAX_ATTEMPTS) and those left `issuing` by a task that died. Returns how
    many were sent again."""
    now = now or timezone.now()
    due = (InvoiceRequest.objects.filter(status=InvoiceStatus.FAILED, retryable=True, attempts__lt=MAX_ATTEMPTS,
                                         updated_at__lte=now - RETRY_AFTER)
           | InvoiceRequest.objects.filter(status=InvoiceStatus.ISSUING, updated_at__lte=now - STUCK_AFTER))
    count = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        try:
            invoice_request_issue(actor=None, invoice=InvoiceRequest(pk=pk, status=InvoiceStatus.FAILED))
        except InvoiceConflict:
            continue
        count += 1
    return count
