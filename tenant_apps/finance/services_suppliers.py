"""A supplier's side of finance (S2B2B, docs/dev/multi-tier.md): the terms it gives each of its sub-dealers and the
payments it receives from them, on the sub-dealer's account with it (DealerAccount.creditor = the supplier's node).

The orders a sub-dealer places with its supplier are charged to that account by ordering (lifecycle.order_charge
passes the order's seller to services.credit_hold), under the supplier's terms: without a SupplierTerms row, cash
on delivery (owed without a credit check, due 30 days after first shipment); with one, the supplier's mode, credit
limit and net days. Headquarters' terms, rebates, statements and overdue block never apply to it.

The callers (the supplier console and its API) look the sub-dealer up in the supplier's scope first
(dealers.selectors.supplier_dealer_get: 404 for any other); these services check it again."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.audit.services import audit_record
from tenant_apps.core.money import tenant_currency
from tenant_apps.dealers.models import Dealer
from tenant_apps.finance.errors import FinanceInvalid
from tenant_apps.finance.models import EntryKind, LedgerEntry, SettlementMode, SupplierTerms
from tenant_apps.finance.services import Settlement, _clean_terms, payment_record

DEFAULT_TERMS_DAYS = SupplierTerms._meta.get_field("terms_days").default
METHODS = {"bank_transfer": gettext_lazy("Bank transfer"), "cash": gettext_lazy("Cash")}


def _invalid(field: str, message: str) -> FinanceInvalid:
    return FinanceInvalid(message, fields={field: [message]})


def _node_id(creditor) -> int:
    return getattr(creditor, "pk", creditor)


def _buys_from(dealer, creditor_id: int) -> None:
    """Refused unless the dealer buys from the supplier now (read from the database, not the caller's object)."""
    if not Dealer.objects.filter(pk=getattr(dealer, "pk", dealer), supplier_id=creditor_id).exists():
        raise _invalid("dealer", _("This dealer does not buy from you."))


def supplier_settlement_for(*, dealer, creditor) -> Settlement:
    """What `creditor` (a supplier node) gives `dealer`: its SupplierTerms row, else cash on delivery."""
    row = SupplierTerms.objects.filter(dealer=dealer, creditor_id=_node_id(creditor)).first()
    if row is None:
        return Settlement(mode=SettlementMode.COD, credit_limit=Decimal("0.00"), terms_days=DEFAULT_TERMS_DAYS,
                          currency=tenant_currency())
    return Settlement(mode=row.mode, credit_limit=row.credit_limit, terms_days=row.terms_days,
                      currency=tenant_currency())


def supplier_terms_days(*, dealer_id: int, creditor_id: int) -> int:
    """The net days the supplier gives the dealer (a receivable's due date: services_receivables)."""
    days = SupplierTerms.objects.filter(dealer_id=dealer_id, creditor_id=creditor_id).values_list(
        "terms_days", flat=True).first()
    return DEFAULT_TERMS_DAYS if days is None else days


@transaction.atomic
def supplier_terms_set(*, actor, creditor, dealer, mode: str = "", credit_limit=None,
                       terms_days: int | None = None) -> SupplierTerms:
    """Replace what the supplier gives its sub-dealer: settlement mode (blank: cash on delivery), credit limit in the
    brand's currency (None: 0) and net days (None: 30). A new order over what is available then is refused at
    submission (finance.CreditShort, 409), as headquarters' limit refuses. Audited."""
    creditor_id = _node_id(creditor)
    _buys_from(dealer, creditor_id)
    changes = _clean_terms(mode or None, credit_limit, terms_days, tenant_currency())
    row, _created = SupplierTerms.objects.select_for_update().get_or_create(dealer=dealer, creditor_id=creditor_id)
    before = {"mode": row.mode, "credit_limit": str(row.credit_limit), "terms_days": row.terms_days}
    row.mode = changes.get("mode", SettlementMode.COD)
    row.credit_limit = changes.get("credit_limit", Decimal("0.00"))
    row.terms_days = changes.get("terms_days", DEFAULT_TERMS_DAYS)
    row.save()
    audit_record(actor=actor, action="finance.supplier_terms.set", target=row, dealer_id=dealer.pk, before=before,
                 after={"mode": row.mode, "credit_limit": str(row.credit_limit), "terms_days": row.terms_days,
                        "creditor": creditor_id})
    return row


def supplier_payment_record(*, actor, creditor, dealer, amount, method: str, reference: str = "",
                            note: str = "") -> LedgerEntry:
    """Money the supplier received from its sub-dealer offline (a bank transfer, cash): a PAYMENT on the
    sub-dealer's account with the supplier, through the ledger (services.payment_record: what it owes on credit
    first, the rest becomes prepaid balance with the supplier). `reference` names what it pays (an order number
    settles that order first). Field errors (400) for a bad method, amount or reference; nothing written then."""
    creditor_id = _node_id(creditor)
    if method not in METHODS:
        raise _invalid("method", _("Choose bank transfer or cash."))
    reference = str(reference or "").strip()
    if len(reference) > 100:
        raise _invalid("reference", _("At most 100 characters."))
    note = str(note or "").strip()[:200]
    _buys_from(dealer, creditor_id)
    reason = f"{METHODS[method]}: {note}" if note else str(METHODS[method])
    return payment_record(actor=actor, dealer=dealer, amount=amount, currency=tenant_currency(),
                          reference=reference, reason=reason, kind=EntryKind.PAYMENT, creditor=creditor_id)
