from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.errors import AccountNotFound, AdjustmentNotFound
from tenant_apps.finance.models import Adjustment, DealerAccount, EntryKind, LedgerEntry

ZERO = Decimal("0.00")


def ledger_mismatches() -> list[dict]:
    """Accounts whose balance or credit used differ from the sum of their ledger (should be none)."""
    sums = {
        row["account"]: row
        for row in LedgerEntry.objects.order_by().values("account").annotate(
            balance=Coalesce(Sum("balance_delta"), ZERO), credit_used=Coalesce(Sum("credit_delta"), ZERO),
            rebate_balance=Coalesce(Sum("rebate_delta"), ZERO))
    }
    problems = []
    empty = {"balance": ZERO, "credit_used": ZERO, "rebate_balance": ZERO}
    for account in DealerAccount.objects.order_by("pk").only("id", "balance", "credit_used", "rebate_balance"):
        ledger = sums.get(account.pk, empty)
        if (account.balance, account.credit_used, account.rebate_balance) != (
                ledger["balance"], ledger["credit_used"], ledger["rebate_balance"]):
            problems.append({"account": account.pk, "balance": str(account.balance),
                             "ledger_balance": str(ledger["balance"]), "credit_used": str(account.credit_used),
                             "ledger_credit_used": str(ledger["credit_used"]),
                             "rebate_balance": str(account.rebate_balance),
                             "ledger_rebate_balance": str(ledger["rebate_balance"])})
    return problems


# What an order still owes, from its ledger rows filed under its number: the credit its charges took less what its
# releases gave back, less what payments filed under it paid (net of their reversals and of refunds paid back).
OWED_CREDIT_KINDS = (EntryKind.ORDER_CHARGE, EntryKind.ORDER_RELEASE)
OWED_PAID_KINDS = (EntryKind.PAYMENT, EntryKind.PAYMENT_REVERSAL, EntryKind.REFUND)


def owed_by_reference(entries: QuerySet[LedgerEntry]) -> QuerySet:
    """Of `entries`, one row per order charged (dealer_id, currency, reference) with what it still `owed` (below
    zero when overpaid: the excess went to the balance). The one definition the pay page and bank matching use."""
    return (entries.filter(kind__in=OWED_CREDIT_KINDS + OWED_PAID_KINDS).exclude(reference="").order_by()
            .values("dealer_id", "currency", "reference")
            .annotate(charged=Count("id", filter=Q(kind=EntryKind.ORDER_CHARGE)),
                      owed=Coalesce(Sum("credit_delta", filter=Q(kind__in=OWED_CREDIT_KINDS)), ZERO)
                      - Coalesce(Sum("amount", filter=Q(kind__in=OWED_PAID_KINDS)), ZERO))
            .filter(charged__gt=0))


def accounts_visible_to(user) -> QuerySet[DealerAccount]:
    """Headquarters' accounts (creditor NULL) of the dealers in the user's data scope (a dealer's staff: their own
    company's). A sub-dealer's account with its supplier is the supplier's (selectors_suppliers), never listed here."""
    return (DealerAccount.objects.filter(dealer__in=dealers_visible_to(user), creditor__isnull=True)
            .select_related("dealer"))


def account_get_for(*, actor, account_id) -> DealerAccount:
    """The account, if the actor may see its dealer; AccountNotFound (404) otherwise, existing or not."""
    account = None
    if str(account_id).isdigit() and len(str(account_id)) < 19:
        account = accounts_visible_to(actor).filter(pk=int(account_id)).first()
    if account is None:
        raise AccountNotFound(_("No such account."))
    return account


def adjustments_visible_to(user) -> QuerySet[Adjustment]:
    """The adjustments of the dealers in the user's data scope, newest first."""
    return Adjustment.objects.filter(dealer__in=dealers_visible_to(user)).select_related("dealer")


def adjustment_get_for(*, actor, adjustment_id) -> Adjustment:
    """The adjustment, if the actor may see its dealer; AdjustmentNotFound (404) otherwise, existing or not."""
    adjustment = None
    if str(adjustment_id).isdigit() and len(str(adjustment_id)) < 19:
        adjustment = adjustments_visible_to(actor).filter(pk=int(adjustment_id)).first()
    if adjustment is None:
        raise AdjustmentNotFound(_("No such adjustment."))
    return adjustment
