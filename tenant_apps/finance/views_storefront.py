"""The dealer's finance pages on the storefront (/account/finance/): its accounts with the brand (prepaid balance,
credit limit and use, what it may spend now, rebate pool), its settlement terms in words, the latest ledger lines
and the whole ledger. Dealer staff with FINANCE_VIEW_OWN, their own company only (brand staff have none: 404).
Other finance areas add blocks (due soon, overdue) and action links (pay, top up, statements) through
finance.storefront_blocks; this page knows none of them. Mobile first."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_VIEW_OWN
from tenant_apps.core.money import format_money
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.models import Dealer
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.dealers.views_storefront import account_tabs
from tenant_apps.finance import selectors_accounts, selectors_suppliers, services, storefront_blocks
from tenant_apps.finance.models import SettlementMode
from tenant_apps.finance.services import Settlement

RECENT = 20
PER_PAGE = 25


def _own_dealer(request) -> Dealer:
    """The signed-in user's company, through the scoped lookup; without one: 404."""
    if not request.user.dealer_id:
        raise Http404
    try:
        return dealer_get_for(actor=request.user, dealer_id=request.user.dealer_id)
    except DealerNotFound:
        raise Http404 from None


def terms_in_words(settlement: Settlement) -> str:
    limit = format_money(settlement.credit_limit, settlement.currency)
    days = settlement.terms_days
    if settlement.mode == SettlementMode.CREDIT:
        return _("Your orders are charged to your credit line of %(limit)s; each is due %(days)s days after it "
                 "is charged.") % {"limit": limit, "days": days}
    if settlement.mode == SettlementMode.MIXED:
        return _("Your orders are paid from your prepaid balance first, and the rest is charged to your credit line "
                 "of %(limit)s, due %(days)s days after it is charged.") % {"limit": limit, "days": days}
    if settlement.mode == SettlementMode.COD:
        return _("You pay for each order when it is delivered.")
    return _("Your orders are paid from your prepaid balance: top it up before you order.")


def _context(request, dealer: Dealer, settlement: Settlement) -> dict:
    return {"dealer": dealer, "tabs": account_tabs(request, "finance"), "settlement": settlement,
            "mode": SettlementMode(settlement.mode).label if settlement.mode in SettlementMode.values else "",
            "terms": terms_in_words(settlement)}


@requires(FINANCE_VIEW_OWN)
@require_GET
def home(request):
    dealer = _own_dealer(request)
    settlement = services.settlement_for(dealer)
    entries = list(selectors_accounts.ledger_of(dealer)[:RECENT + 1])
    return render(request, "finance/storefront/home.html", {
        **_context(request, dealer, settlement),
        "figures": selectors_accounts.dealer_figures(dealer, settlement),
        "entries": entries[:RECENT], "more": len(entries) > RECENT,
        "blocks": storefront_blocks.blocks.render_list(request, dealer),
        "actions": storefront_blocks.actions.render_list(request),
    })


@requires(FINANCE_VIEW_OWN)
@require_GET
def ledger(request):
    dealer = _own_dealer(request)
    settlement = services.settlement_for(dealer)
    page = listing(request, selectors_accounts.ledger_of(dealer), sorts={"created": "created_at"},
                   default="-created", per_page=PER_PAGE)
    return render(request, "finance/storefront/ledger.html", {**_context(request, dealer, settlement),
                                                              "listing": page})


def _suppliers_context(request, dealer) -> dict | None:
    """What the dealer owes the supplier(s) it orders from (S2B2B), apart from its account with the brand."""
    accounts = selectors_suppliers.owed_to_suppliers(dealer)
    if not accounts:
        return None
    return {"accounts": [{"account": account, "terms": terms_in_words(account.settlement),
                          "mode": SettlementMode(account.settlement.mode).label} for account in accounts]}


storefront_blocks.register_block("suppliers", "finance/storefront/_suppliers.html", _suppliers_context,
                                 slot="figures", order=20)
