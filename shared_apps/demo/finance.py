"""The demo's dealer finance: the brand's terms and a dealer in each settlement mode (before the demo orders, which
are charged by them), then money received, an overdue dealer, a rebate and last month's statements, through the
finance services as finance staff would record them; and the brand's Stripe connected to the local fake in test mode.

    SH-A01 (the demo dealer)  credit, 30 days, its orders owed and some paid; last month's statement to confirm
    the next dealers          prepay (topped up), mixed (a little balance, then credit), cash on delivery
    JS-A01 (an agent)         credit, an order shipped 75 days ago and never paid: overdue, blocked from ordering;
                              its finance clerk (cashier@<brand>.test) records bank transfers

Idempotent: each part is written once (the seed runs again on every `make run`). Last month's ledger history is
written only into a fresh demo (see `_back_date`): statements chain the ledger by id, so history can only come
before this month's entries.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import stripe
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shared_apps.demo.fulfillment import say, ship_demo_order
from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.models import User
from tenant_apps.approvals.services import approval_decide
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.core.money import tenant_currency
from tenant_apps.dealers import services as dealer_services
from tenant_apps.dealers.models import Dealer, Tier
from tenant_apps.finance import services as finance
from tenant_apps.finance import services_rebates as rebates
from tenant_apps.finance import services_receivables as receivables
from tenant_apps.finance import services_statements as statements
from tenant_apps.finance.models import (
    DealerAccount,
    EntryKind,
    LedgerEntry,
    ProviderAccount,
    RebateRule,
)
from tenant_apps.inventory.selectors import availability_for
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing.selectors import dealer_prices

OVERDUE_CODE = "JS-A01"
OVERDUE_DAYS_AGO = 75  # shipped this long ago on 30 days' terms: 45 days late, past the brand's 30-day block


def _people(brand_slug: str):
    return (Dealer.objects.filter(users__email=f"dealer@{brand_slug}.test").first(),
            User.objects.filter(email=f"finance@{brand_slug}.test").first())


def demo_dealers(brand_slug: str) -> dict[str, Dealer]:
    """The demo dealer and three more, one per settlement mode."""
    main, _finance = _people(brand_slug)
    if main is None:
        return {}
    others = list(Dealer.objects.exclude(pk=main.pk).exclude(code=OVERDUE_CODE).filter(status="active")
                  .order_by("code")[:3])
    return {"credit": main, **dict(zip(("prepay", "mixed", "cod"), others, strict=False))}


def finance_lines(*, slug: str, password: str) -> list[str]:
    """Sign-in lines of the finance demo's people."""
    return [f"  brand finance            finance@{slug}.test / {password}",
            f"  dealer finance ({OVERDUE_CODE}, overdue)  cashier@{slug}.test / {password}"]


# --- last month, for the statements --------------------------------------------------------------------------


def _back_date(entry: LedgerEntry, moment) -> None:
    """DEMO ONLY: move a ledger row the seed has just written through the services to `moment` of last month, so
    that the fresh demo has a previous period to issue a statement for. Rows are otherwise never changed (the
    model and its queryset refuse), and no service takes a date: this raw UPDATE is the demo's alone. Its sums
    and running balances are untouched (only created_at moves); the audit entry keeps the real time of seeding.
    Called only before any other row of the account exists, so ids and times keep the same order."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE finance_ledgerentry SET created_at = %s WHERE id = %s", [moment, entry.pk])


def _last_month():
    """(period, starts_at) of the latest ended statement period."""
    cutoff = finance.finance_settings().statement_cutoff_day
    period = statements.period_last_ended(cutoff=cutoff)
    return period, statements.period_bounds(period, cutoff)[0]


@transaction.atomic
def seed_finance_terms(*, brand_slug: str) -> None:
    """The brand's terms and each demo dealer's mode, with the prepaid money their orders need, received last
    month; and last month's statements of those dealers."""
    main, person = _people(brand_slug)
    if main is None or person is None or DealerAccount.objects.exists():
        return
    finance.finance_settings_update(actor=person, settlement_mode="credit", credit_limit="200000.00", terms_days=30,
                                    overdue_block_days=30, adjustment_threshold="10000.00")
    dealers = demo_dealers(brand_slug)
    period, start = _last_month()
    at = lambda day, hour: start + timedelta(days=day, hours=hour)  # noqa: E731 - a moment of last month
    finance.dealer_settlement_set(actor=person, dealer=dealers["credit"], mode="credit", credit_limit="2000000.00",
                                  terms_days=30)
    # the demo dealer's deposit and an early payment last month: its statement to confirm
    _back_date(finance.top_up_record(actor=person, dealer=main, amount="20000.00", reference="BANK-DEMO-0",
                                     reason=say("保证金转预付款", "Deposit turned into prepayment")), at(2, 10))
    _back_date(finance.payment_record(actor=person, dealer=main, amount="8000.00", currency=tenant_currency(),
                                      reference="BANK-DEMO-00", reason=say("银行转账", "Bank transfer")),
               at(15, 15))
    if "prepay" in dealers:
        finance.dealer_settlement_set(actor=person, dealer=dealers["prepay"], mode="prepay")
        _back_date(finance.top_up_record(actor=person, dealer=dealers["prepay"], amount="80000.00",
                                         reference="BANK-DEMO-1", reason=say("年初预付款", "Prepayment for the year")),
                   at(3, 11))
    if "mixed" in dealers:
        finance.dealer_settlement_set(actor=person, dealer=dealers["mixed"], mode="mixed", credit_limit="50000.00")
        _back_date(finance.top_up_record(actor=person, dealer=dealers["mixed"], amount="5000.00",
                                         reference="BANK-DEMO-2"), at(9, 14))
    if "cod" in dealers:
        finance.dealer_settlement_set(actor=person, dealer=dealers["cod"], mode="cod")
    statements.statements_generate(actor=person, period=period)


# --- after the orders ----------------------------------------------------------------------------------------


@transaction.atomic
def seed_finance_payments(*, brand_slug: str) -> None:
    """Money received for the demo dealer's delivered and completed orders: the completed one paid in full by
    bank transfer, the delivered one in part."""
    main, person = _people(brand_slug)
    done = LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exclude(reference__startswith="BANK-DEMO")
    if main is None or person is None or done.exists():
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


@transaction.atomic
def seed_finance_overdue(*, brand_slug: str, password: str) -> None:
    """JS-A01, a tier-A agent on the brand's credit terms (30 days), with a small order (approved at once) shipped
    75 days ago and never paid: 45 days overdue, so the overdue block stops its next order. Its finance clerk
    (cashier@) is made here too."""
    dealer = Dealer.objects.filter(code=OVERDUE_CODE).first()
    buyer = User.objects.filter(email=f"dealer@{brand_slug}.test").first()
    if dealer is None or buyer is None:
        return
    owner = (User.objects.filter(dealer=dealer, role="dealer_owner").first()
             or account_services.user_create(actor=None, email=f"owner.{OVERDUE_CODE.lower()}@{brand_slug}.test",
                                             password=password, full_name=say("江苏总代 周老板", "Joe Zhou"),
                                             role="dealer_owner", dealer=dealer))
    if not User.objects.filter(email=f"cashier@{brand_slug}.test").exists():
        account_services.user_create(actor=None, email=f"cashier@{brand_slug}.test", password=password,
                                     full_name=say("江苏总代 出纳 陈静", "Jane Chen (cashier)"),
                                     role="dealer_finance", dealer=dealer)
    if Order.objects.filter(dealer=dealer).exists():
        return
    if not dealer.addresses.filter(kind="shipping").exists():
        dealer_services.address_add(actor=None, dealer=dealer, kind="shipping", recipient=owner.full_name,
                                    phone="13800138000", territory=dealer.territories.order_by("path").first(),
                                    line=say("南京市江宁区胜太路 66 号", "66 Shengtai Road, Nanjing"),
                                    label=say("仓库", "Warehouse"), is_default=True)
    candidates = list(sku_search(dealer=dealer).order_by("code")[:60])
    prices = dealer_prices(dealer, [sku.pk for sku in candidates])
    stock = availability_for([sku.pk for sku in candidates])
    small = Decimal("1500") if brand_slug == "acme" else Decimal("15000")  # below the tier-A auto-approval

    def quantity_of(sku) -> int:
        """Whole steps worth about `small`, 0 when not priced or not in stock (a backorder would split it)."""
        if sku.pk not in prices:
            return 0
        step = max(sku.min_order_qty, sku.order_step, 1)
        quantity = step * int(small / max(prices[sku.pk].unit_price * step, Decimal("0.01")))
        return quantity if 0 < quantity <= stock.get(sku.pk, (0, 0))[0] else 0

    sku = next((s for s in candidates if quantity_of(s)), None)
    if sku is None:
        return
    quantity = quantity_of(sku)
    order = order_submit(actor=owner, dealer=dealer, lines=[SubmitLine(sku.pk, None, quantity)]).order
    for who in ("rm.east", "admin", "finance"):  # not auto-approved after all: through the chain
        order.refresh_from_db()
        approver = User.objects.filter(email=f"{who}@{brand_slug}.test").first()
        if order.status == OrderStatus.IN_APPROVAL and approver is not None:
            approval_decide(actor=approver, order=order, decision="approve")
    order.refresh_from_db()
    if order.status not in (OrderStatus.APPROVED, OrderStatus.ALLOCATED):
        return
    # DEMO ONLY, honestly: the receivable's clock starts at the first shipment (fulfillment's shipment_ship calls
    # receivable_shipped with today). Recording this order's receivable first, as shipped 75 days ago, makes that
    # call a no-op (it is idempotent: the first shipment's date stays), so the demo has an old, unpaid order.
    receivables.receivable_shipped(reference=order.number, dealer=dealer,
                                   shipped_on=timezone.localdate() - timedelta(days=OVERDUE_DAYS_AGO))
    ship_demo_order(order=order)


@transaction.atomic
def seed_finance_rebate(*, brand_slug: str) -> None:
    """A quarterly volume rebate for tier-A dealers, and last quarter's rebate credited to the demo dealer's pool
    (after its orders, so the pool is there for the next one)."""
    main, person = _people(brand_slug)
    if main is None or person is None or RebateRule.objects.exists():
        return
    today = timezone.localdate()
    start, end = rebates.last_closed_period("quarter", today)
    rule = rebates.rebate_rule_create(
        actor=person, name=say("A 级经销商季度返利", "Quarterly volume rebate, tier A"), period="quarter",
        mode="whole", active_from=start,
        tiers=[{"threshold": "100000.00", "rate": "1.5"}, {"threshold": "300000.00", "rate": "3"}],
        dealer_tiers=list(Tier.objects.filter(code="A")))
    # last quarter's purchases came before the demo's data: the credit is recorded as finance would book a
    # rebate agreed outside a run, at the rule's rate of the tier the dealer reached
    rebate = rebates.rebate_compute(mode=rule.mode, tiers=rule.tiers, basis=Decimal("320000.00"),
                                    currency=rule.currency)
    rebates.rebate_credit(actor=person, dealer=main, amount=rebate.amount, currency=rule.currency,
                          reference=f"RB-DEMO-{start:%Y}Q{(start.month - 1) // 3 + 1}",
                          reason=say(f"{rule.name} {start}–{end}", f"{rule.name} {start}–{end}"))


def seed_finance_statements(*, brand_slug: str) -> None:
    """The statements of the latest ended period, as the daily task issues them (a demo seeded before this month
    gets last month's from its real entries; issued ones are skipped)."""
    _main, person = _people(brand_slug)
    if person is not None:
        statements.statements_generate(actor=person)


def seed_finance_bank(*, brand_slug: str) -> None:
    """The brand's receiving account, shown to dealers who pay by transfer (once: an edited one is kept)."""
    from tenant_apps.finance.bank import services as bank

    _main, person = _people(brand_slug)
    if person is None or bank.bank_settings().account_number:
        return
    bank.bank_settings_update(actor=person, account_name=say("Acme 饮料集团有限公司", "Globex Tiles Ltd."),
                              bank_name=say("招商银行上海张江支行", "China Merchants Bank, Shenzhen Futian"),
                              account_number="1219 0000 0000 0018" if brand_slug == "acme" else "7559 0000 0000 0026",
                              note=say("请在附言中写上付款码。", "Please write your payment code in the remark."))


# --- online payments: the brand's Stripe, test mode ----------------------------------------------------------


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def _stripe_fake_up():
    """In development with no Stripe key, the local fake runs in gunicorn's master (dms/gunicorn_conf.py), which
    starts after the seed. If it is not running, one is started here for the moment, on its port and with its
    state file: the connected account and webhook endpoint made now are in that file, and the server's fake
    loads them when it starts."""
    if not settings.STRIPE_FAKE or _listening(settings.STRIPE_FAKE_PORT):
        yield
        return
    from billing_saas.stripe_fake import FakeStripe

    data = Path(os.environ.get("DMS_DATA_DIR") or settings.BASE_DIR / ".data")
    data.mkdir(parents=True, exist_ok=True)
    fake = FakeStripe(webhook_secret=settings.STRIPE_WEBHOOK_SECRET, delivery="hold",
                      port=settings.STRIPE_FAKE_PORT, state_file=data / "stripe_fake.json").start()
    try:
        yield
    finally:
        fake.stop()


def seed_finance_stripe(*, brand_slug: str, brand_url: str) -> str:
    """The brand's Stripe connected in test mode (the local fake in development), its events going to the brand's
    webhook URL; a few words for the seed's output. Not with a live key, nor when already connected."""
    from tenant_apps.finance.payments.base import ProviderError
    from tenant_apps.finance.payments.connect import stripe_test_connect

    _main, person = _people(brand_slug)
    if ProviderAccount.objects.filter(code="stripe").exists():
        return "Stripe connected"
    if not settings.STRIPE_SECRET_KEY.startswith("sk_test_"):
        return "Stripe not connected (no test key): connect it on /console/finance/providers/"
    try:
        with _stripe_fake_up():
            stripe_test_connect(actor=person, webhook_url=f"{brand_url}/finance/payments/webhook/stripe/",
                                name=brand_slug)
    except (ProviderError, OSError, stripe.StripeError) as error:  # not the fake on that port, or it refused
        return f"Stripe not connected ({error})"
    return "Stripe connected (test mode)"
