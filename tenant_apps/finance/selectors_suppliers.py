"""Reads of a supplier's receivables (S2B2B): what each of its sub-dealers owes it, on their accounts with it
(DealerAccount.creditor = the supplier's node). Its scope is dealers.selectors.supplier_dealers (the dealers buying
from it); headquarters' accounts never show here, and these never show on headquarters' pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenant_apps.core.money import tenant_currency
from tenant_apps.dealers.models import Dealer
from tenant_apps.dealers.selectors import supplier_dealers
from tenant_apps.finance.models import LedgerEntry, SettlementMode, SupplierTerms
from tenant_apps.finance.selectors_accounts import MONEY, Figures, figures
from tenant_apps.finance.selectors_receivables import _AGEING, DUE_SOON_DAYS, Item, _fetch, _items_query, open_items
from tenant_apps.finance.services import Settlement
from tenant_apps.finance.services_suppliers import supplier_settlement_for

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SubDealerRow:
    dealer: Dealer
    figures: Figures
    settlement: Settlement
    owed: Decimal  # open items in total
    overdue: Decimal  # open, past its due date
    oldest_due: date | None  # the oldest due date among the overdue items
    items: int

    @property
    def mode_label(self) -> str:
        return str(SettlementMode(self.settlement.mode).label)


def _accounts(node_id: int) -> QuerySet[Dealer]:
    currency = tenant_currency()
    return (supplier_dealers(node_id=node_id)
            .annotate(sup_account=FilteredRelation("finance_accounts", condition=Q(
                finance_accounts__currency=currency, finance_accounts__creditor_id=node_id)))
            .annotate(sup_balance=Coalesce(F("sup_account__balance"), Value(ZERO), output_field=MONEY),
                      sup_credit_used=Coalesce(F("sup_account__credit_used"), Value(ZERO), output_field=MONEY)))


def supplier_receivables(*, node_id: int, today: date | None = None) -> list[SubDealerRow]:
    """Every sub-dealer of the supplier with its balance, credit used and limit with the supplier, what it owes
    on open items and how much of it is overdue; those owing most overdue first. Three queries whatever their
    number (the dealers with their accounts, the supplier's terms, the items' ageing)."""
    today = today or timezone.localdate()
    currency = tenant_currency()
    dealers = list(_accounts(node_id))
    terms = {row.dealer_id: row for row in SupplierTerms.objects.filter(creditor_id=node_id)}
    items_sql, params = _items_query(supplier_dealers(node_id=node_id), currency, node_id)
    ageing = {row["dealer_id"]: row for row in _fetch(_AGEING.replace("{items}", items_sql), {
        **params, "today": today, "week": today + timedelta(days=DUE_SOON_DAYS)})}
    rows = []
    for dealer in dealers:
        own = terms.get(dealer.pk)
        settlement = (Settlement(mode=own.mode, credit_limit=own.credit_limit, terms_days=own.terms_days,
                                 currency=currency) if own is not None else _default_settlement(currency))
        age = ageing.get(dealer.pk, {})
        overdue = sum((age.get(name) or ZERO for name in ("d1_30", "d31_60", "d61_90", "d90_plus")), ZERO)
        owed = overdue + (age.get("current") or ZERO)
        rows.append(SubDealerRow(
            dealer=dealer, settlement=settlement, owed=owed, overdue=overdue, oldest_due=age.get("oldest_due"),
            items=age.get("items") or 0,
            figures=figures(currency=currency, balance=dealer.sup_balance, credit_used=dealer.sup_credit_used,
                            rebate=ZERO, settlement=settlement)))
    rows.sort(key=lambda row: (-row.overdue, -row.figures.credit_used, row.dealer.code))
    return rows


def _default_settlement(currency: str) -> Settlement:
    default = SupplierTerms()
    return Settlement(mode=default.mode, credit_limit=ZERO, terms_days=default.terms_days, currency=currency)


@dataclass(frozen=True)
class SubDealerAccount:
    dealer: Dealer
    figures: Figures
    settlement: Settlement
    items: list[Item]
    entries: list[LedgerEntry]


def supplier_receivable(*, node_id: int, dealer: Dealer, today: date | None = None,
                        entries: int = 20) -> SubDealerAccount:
    """One sub-dealer's account with the supplier (the caller found it in the supplier's scope): figures, terms,
    open items with their due dates and the latest ledger rows."""
    currency = tenant_currency()
    settlement = supplier_settlement_for(dealer=dealer, creditor=node_id)
    row = _accounts(node_id).get(pk=dealer.pk)
    ledger = list(LedgerEntry.objects.filter(dealer=dealer, creditor_id=node_id).order_by("-created_at", "-id")
                  [:entries])
    return SubDealerAccount(
        dealer=dealer, settlement=settlement,
        figures=figures(currency=currency, balance=row.sup_balance, credit_used=row.sup_credit_used, rebate=ZERO,
                        settlement=settlement),
        items=open_items(dealers=Dealer.objects.filter(pk=dealer.pk), today=today, currency=currency,
                         creditor=node_id),
        entries=ledger)


@dataclass(frozen=True)
class OwedToSupplier:
    """The dealer's account with one supplier, as its own finance page shows it."""

    supplier_name: str
    figures: Figures
    settlement: Settlement
    due_soon: Decimal
    overdue: Decimal


def owed_to_suppliers(dealer: Dealer, *, today: date | None = None) -> list[OwedToSupplier]:
    """The dealer's accounts with the suppliers it buys (or bought) from, apart from its account with headquarters:
    what it owes each, its terms with it, what is due soon and overdue. Empty for a dealer that never ordered from a
    supplier (one query then)."""
    from tenant_apps.finance.models import DealerAccount

    today = today or timezone.localdate()
    currency = tenant_currency()
    accounts = list(DealerAccount.objects.filter(dealer=dealer, currency=currency, creditor__isnull=False)
                    .select_related("creditor__dealer").order_by("creditor_id"))
    found = []
    week = today + timedelta(days=DUE_SOON_DAYS)
    for account in accounts:
        settlement = supplier_settlement_for(dealer=dealer, creditor=account.creditor_id)
        items = open_items(dealers=Dealer.objects.filter(pk=dealer.pk), today=today, currency=currency,
                           creditor=account.creditor_id)
        creditor = account.creditor
        name = creditor.dealer.display_name if hasattr(creditor, "dealer") else creditor.name
        found.append(OwedToSupplier(
            supplier_name=name, settlement=settlement,
            figures=figures(currency=currency, balance=account.balance, credit_used=account.credit_used,
                            rebate=ZERO, settlement=settlement),
            due_soon=sum((i.open for i in items if i.due_on and today <= i.due_on < week), ZERO),
            overdue=sum((i.open for i in items if i.due_on and i.due_on < today), ZERO)))
    return found
