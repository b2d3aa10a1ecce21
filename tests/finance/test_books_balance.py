"""The books balance whatever happens: after a random mix of orders, cancels, returns, payments, refunds, rebates
and adjustments across two months, each month's statement opens where the last one closed, the last one closes at
the ledger's figure, and the check command finds nothing."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.finance import selectors, services
from tenant_apps.finance.errors import CreditShort, FinanceInvalid
from tenant_apps.finance.models import DealerAccount, Statement
from tenant_apps.finance.services_rebates import rebate_credit
from tenant_apps.finance.services_statements import statements_generate
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.ordering.errors import IllegalOrderTransition
from tenant_apps.ordering.lifecycle import order_cancel
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories import UserFactory
from tests.factories.fulfillment import ship_everything
from tests.ordering.conftest import store  # noqa: F401 - the ordering fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")
STEP = st.tuples(st.sampled_from(["order", "cancel", "return", "pay", "refund", "rebate", "adjust"]),
                 st.integers(min_value=1, max_value=12))


def _month_after(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _net(dealer) -> D:
    account = DealerAccount.objects.get(dealer=dealer, currency="CNY")
    return account.balance + account.rebate_balance - account.credit_used


def _apply(world, name: str, n: int) -> None:
    dealer, person = world.store.dealer, world.finance
    try:
        if name == "order":
            world.orders.append(order_submit(actor=world.store.buyer, dealer=dealer,
                                             lines=[SubmitLine(world.store.sku.pk, None, n)]).order)
        elif name == "cancel" and world.orders:
            order = Order.objects.get(pk=world.orders[n % len(world.orders)].pk)
            order_cancel(actor=world.store.buyer, order=order, reason="hypothesis")
        elif name == "return" and world.orders:
            order = Order.objects.get(pk=world.orders[n % len(world.orders)].pk)
            if order.status == OrderStatus.APPROVED:
                order = fulfillment.order_allocate(actor=world.warehouse, order=order)
                ship_everything(order, world)
            line = order.lines.first()
            if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and line.shipped_base > line.returned_base:
                rma = fulfillment.return_request_create(actor=world.store.buyer, order=order, reason_code="damaged",
                                                        reason_text="x", lines={line.pk: 1})
                fulfillment.return_decide(actor=world.warehouse_boss, rma=rma, approve=True)
                fulfillment.return_receive(actor=world.warehouse, rma=rma)
        elif name == "pay":
            services.payment_record(actor=person, dealer=dealer, amount=D(n) * 3, currency="CNY", reference="BANK")
        elif name == "refund":
            services.refund_record(actor=person, dealer=dealer, amount=D(n), currency="CNY", reference="BANK")
        elif name == "rebate":
            rebate_credit(actor=person, dealer=dealer, amount=D(n) / 2, currency="CNY",
                          reference=f"RB-{len(world.orders)}-{n}-{D(n)}-{id(world)}-{world.step}")
        elif name == "adjust":
            services.adjustment_request(actor=person, dealer=dealer, amount=D(n) - 6, reason="hypothesis")
    except (CreditShort, FinanceInvalid, IllegalOrderTransition):
        pass  # refused whole: nothing written


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(november=st.lists(STEP, min_size=1, max_size=8), december=st.lists(STEP, min_size=1, max_size=8))
def test_statements_chain_and_close_at_the_ledger_after_any_mix(store, november, december):  # noqa: F811
    Statement.objects.all().delete()
    world = SimpleNamespace(store=store, orders=[], step=0,
                            finance=UserFactory(email=f"f{id(november)}@brand.test", role="finance"),
                            warehouse=UserFactory(email=f"w{id(november)}@brand.test", role="warehouse"),
                            warehouse_boss=UserFactory(email=f"s{id(november)}@brand.test", role="sales_rep"))
    services.dealer_settlement_set(actor=world.finance, dealer=store.dealer, mode="mixed", credit_limit="500")
    # the two months after this one: the store's prices are valid from the day it was made (today), not before
    first = _month_after(datetime.now(SHANGHAI).date())
    second, third = _month_after(first), _month_after(_month_after(first))
    for month, steps in ((first, november), (second, december)):
        with time_machine.travel(datetime(month.year, month.month, 10, 10, tzinfo=SHANGHAI), tick=True):
            for world.step, (name, n) in enumerate(steps):
                _apply(world, name, n)
    with time_machine.travel(datetime(second.year, second.month, 2, 9, tzinfo=SHANGHAI), tick=False):
        statements_generate(actor=None, period=f"{first:%Y-%m}")
    with time_machine.travel(datetime(third.year, third.month, 2, 9, tzinfo=SHANGHAI), tick=False):
        statements_generate(actor=None, period=f"{second:%Y-%m}")
    [nov, dec] = Statement.objects.filter(dealer=store.dealer).order_by("ends_at")
    assert nov.opening == 0 and dec.opening == nov.closing
    for statement in (nov, dec):
        assert statement.opening + sum((line.amount for line in statement.lines.all()), D(0)) == statement.closing
    assert dec.closing == _net(store.dealer)
    assert selectors.ledger_mismatches() == []
    call_command("finance_check", tenant="acme")  # raises CommandError on any mismatch
