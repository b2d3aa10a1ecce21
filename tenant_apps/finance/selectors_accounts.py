"""Reads of the finance pages: the dealer accounts list (one row per dealer in the reader's scope, with its account
in the brand's currency and its settlement terms in effect, in one query per page), the section's summary figures,
one dealer's accounts and ledger. Writes: finance.services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, FilteredRelation, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from tenant_apps.core.money import tenant_currency
from tenant_apps.dealers.models import Dealer
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.models import Adjustment, AdjustmentStatus, DealerAccount, LedgerEntry, SettlementMode
from tenant_apps.finance.selectors import adjustments_visible_to
from tenant_apps.finance.services import Settlement, available, finance_settings

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)


@dataclass(frozen=True)
class Figures:
    """One account as the pages show it: prepaid balance, credit limit (only in the brand's currency), credit used,
    what a new order may take now (by the settlement mode: services.available) and the rebate pool."""

    currency: str
    balance: Decimal
    credit_limit: Decimal
    credit_used: Decimal
    available: Decimal
    rebate: Decimal
    has_credit: bool  # the limit applies to this currency (the brand's)


def figures(*, currency: str, balance, credit_used, rebate, settlement: Settlement) -> Figures:
    account = DealerAccount(currency=currency, balance=balance, credit_used=credit_used, rebate_balance=rebate)
    cash, credit = available(account, settlement)
    own = currency == settlement.currency
    return Figures(currency=currency, balance=balance, credit_used=credit_used, rebate=rebate,
                   credit_limit=settlement.credit_limit if own else ZERO, available=cash + credit, has_credit=own)


def account_rows(*, actor, q: str = "", mode: str = "") -> QuerySet[Dealer]:
    """The dealers in the actor's scope, each annotated with its account in the brand's currency (`fin_balance`,
    `fin_credit_used`, `fin_rebate`: zero without an account yet) and its terms in effect (`fin_mode`,
    `fin_limit`, `fin_terms`: its own override, else the brand's default). `q` searches code and names; `mode`
    keeps one settlement mode. One query (a LEFT JOIN each on the account and the override), whatever the size."""
    brand = finance_settings()
    rows = (
        dealers_visible_to(actor)
        .annotate(fin_account=FilteredRelation("finance_accounts",
                                               condition=Q(finance_accounts__currency=tenant_currency(),
                                                           finance_accounts__creditor__isnull=True)))
        .annotate(
            fin_balance=Coalesce(F("fin_account__balance"), Value(ZERO), output_field=MONEY),
            fin_credit_used=Coalesce(F("fin_account__credit_used"), Value(ZERO), output_field=MONEY),
            fin_rebate=Coalesce(F("fin_account__rebate_balance"), Value(ZERO), output_field=MONEY),
            fin_mode=Coalesce(NullIf(F("settlement__mode"), Value("")), Value(brand.settlement_mode)),
            fin_limit=Coalesce(F("settlement__credit_limit"), Value(brand.credit_limit), output_field=MONEY),
            fin_terms=Coalesce(F("settlement__terms_days"), Value(brand.terms_days)),
        )
    )
    q = (q or "").strip()[:100]
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(legal_name__icontains=q))
    if mode in SettlementMode.values:
        rows = rows.filter(fin_mode=mode)
    return rows


def row_figures(dealer: Dealer) -> Figures:
    """The Figures of an `account_rows` row (no query)."""
    currency = tenant_currency()
    settlement = Settlement(mode=dealer.fin_mode, credit_limit=dealer.fin_limit, terms_days=dealer.fin_terms,
                            currency=currency)
    return figures(currency=currency, balance=dealer.fin_balance, credit_used=dealer.fin_credit_used,
                   rebate=dealer.fin_rebate, settlement=settlement)


def finance_summary(*, actor) -> list[dict]:
    """Per currency (the brand's first) the accounts in the actor's scope: how many (in the brand's currency: the
    dealers, as the accounts list shows them), total prepaid balances, total credit used, total rebate pool. Two
    queries."""
    rows = list(
        DealerAccount.objects.filter(dealer__in=dealers_visible_to(actor), creditor__isnull=True).order_by()
        .values("currency")
        .annotate(accounts=Count("id"), balance=Coalesce(Sum("balance"), ZERO, output_field=MONEY),
                  credit_used=Coalesce(Sum("credit_used"), ZERO, output_field=MONEY),
                  rebate=Coalesce(Sum("rebate_balance"), ZERO, output_field=MONEY))
    )
    own = tenant_currency()
    if not any(row["currency"] == own for row in rows):
        rows.append({"currency": own, "accounts": 0, "balance": ZERO, "credit_used": ZERO, "rebate": ZERO})
    for row in rows:
        if row["currency"] == own:  # every dealer has an account in the brand's currency, empty until it moves
            row["accounts"] = dealers_visible_to(actor).count()
    return sorted(rows, key=lambda row: (row["currency"] != own, row["currency"]))


def dealer_figures(dealer: Dealer, settlement: Settlement) -> list[Figures]:
    """The dealer's accounts with headquarters, the brand's currency first (an empty one when it has none yet).
    One query."""
    accounts = {account.currency: account
                for account in DealerAccount.objects.filter(dealer=dealer, creditor__isnull=True)}
    accounts.setdefault(settlement.currency, DealerAccount(currency=settlement.currency))
    return [figures(currency=account.currency, balance=account.balance, credit_used=account.credit_used,
                    rebate=account.rebate_balance, settlement=settlement)
            for account in sorted(accounts.values(), key=lambda a: (a.currency != settlement.currency, a.currency))]


def ledger_of(dealer: Dealer) -> QuerySet[LedgerEntry]:
    """The dealer's ledger with headquarters, all currencies, newest first (no joins: the row carries its actor's
    label)."""
    return LedgerEntry.objects.filter(dealer=dealer, creditor__isnull=True).order_by("-created_at", "-id")


def adjustments_waiting(*, actor) -> QuerySet[Adjustment]:
    """Adjustments in the actor's scope waiting for a second person, oldest first."""
    return (adjustments_visible_to(actor).filter(status=AdjustmentStatus.PENDING)
            .select_related("requested_by").order_by("created_at", "id"))


def adjustments_decided(*, actor) -> QuerySet[Adjustment]:
    return (adjustments_visible_to(actor).exclude(status=AdjustmentStatus.PENDING)
            .select_related("requested_by", "approved_by"))
