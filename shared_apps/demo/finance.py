"""The demo's dealer finance: the brand's terms and a dealer in each settlement mode (before the demo orders, which
are charged by them), then money received, through the finance services as finance staff would record it.

    SH-A01 (the demo dealer)  credit, 30 days, its orders owed and some paid
    the next dealers          prepay (topped up), mixed (a little balance, then credit), cash on delivery
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from shared_apps.demo.fulfillment import say
from tenant_apps.accounts.models import User
from tenant_apps.dealers.models import Dealer
from tenant_apps.finance import services as finance
from tenant_apps.finance.models import DealerAccount, EntryKind, LedgerEntry
from tenant_apps.ordering.models import Order, OrderStatus


def _people(brand_slug: str):
    return (Dealer.objects.filter(users__email=f"dealer@{brand_slug}.test").first(),
            User.objects.filter(email=f"finance@{brand_slug}.test").first())


def demo_dealers(brand_slug: str) -> dict[str, Dealer]:
    """The demo dealer and three more, one per settlement mode."""
    main, _finance = _people(brand_slug)
    if main is None:
        return {}
    others = list(Dealer.objects.exclude(pk=main.pk).filter(status="active").order_by("code")[:3])
    return {"credit": main, **dict(zip(("prepay", "mixed", "cod"), others, strict=False))}


@transaction.atomic
def seed_finance_terms(*, brand_slug: str) -> None:
    """The brand's terms and each demo dealer's mode, with the prepaid money their orders need."""
    main, person = _people(brand_slug)
    if main is None or person is None or DealerAccount.objects.exists():
        return
    finance.finance_settings_update(actor=person, settlement_mode="credit", credit_limit="200000.00", terms_days=30,
                                    overdue_block_days=30, adjustment_threshold="10000.00")
    dealers = demo_dealers(brand_slug)
    finance.dealer_settlement_set(actor=person, dealer=dealers["credit"], mode="credit", credit_limit="2000000.00",
                                  terms_days=30)
    if "prepay" in dealers:
        finance.dealer_settlement_set(actor=person, dealer=dealers["prepay"], mode="prepay")
        finance.top_up_record(actor=person, dealer=dealers["prepay"], amount="80000.00", reference="BANK-DEMO-1",
                              reason=say("年初预付款", "Prepayment for the year"))
    if "mixed" in dealers:
        finance.dealer_settlement_set(actor=person, dealer=dealers["mixed"], mode="mixed", credit_limit="50000.00")
        finance.top_up_record(actor=person, dealer=dealers["mixed"], amount="5000.00", reference="BANK-DEMO-2")
    if "cod" in dealers:
        finance.dealer_settlement_set(actor=person, dealer=dealers["cod"], mode="cod")


@transaction.atomic
def seed_finance_payments(*, brand_slug: str) -> None:
    """Money received for the demo dealer's delivered and completed orders: the completed one paid in full by
    bank transfer, the delivered one in part."""
    main, person = _people(brand_slug)
    if main is None or person is None or LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists():
        return
    paid = Order.objects.filter(dealer=main, status=OrderStatus.COMPLETED).order_by("id").first()
    if paid is not None:
        owed = finance.held_for(dealer=main, currency=paid.currency, reference=paid.number)
        if owed > 0:
            finance.payment_record(actor=person, dealer=main, amount=owed, currency=paid.currency,
                                   reference=paid.number, reason=say("银行转账", "Bank transfer"))
    part = Order.objects.filter(dealer=main, status=OrderStatus.DELIVERED).order_by("id").first()
    if part is not None:
        half = (part.total / 2).quantize(Decimal("0.01"))
        if half > 0:
            finance.payment_record(actor=person, dealer=main, amount=half, currency=part.currency,
                                   reference=part.number, reason=say("部分付款", "Part payment"))
