"""Orders and the dealer's account: submission charges the order atomically with its stock reservation, by the
dealer's settlement mode; cancel, reject, revision and returns give back through the same ledger."""

import uuid
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.db import connection

from tenant_apps.finance import selectors, services
from tenant_apps.finance.errors import CreditShort
from tenant_apps.finance.models import DealerAccount, LedgerEntry
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.lifecycle import order_cancel, order_transition
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.submission import SubmitLine, order_revise, order_submit
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.factories.fulfillment import ship_everything
from tests.ordering.conftest import make_store, store  # noqa: F401 - the ordering fixture
from tests.ordering.test_submit import _clean
from tests.racing import at_once


def _account(dealer) -> DealerAccount:
    return DealerAccount.objects.get(dealer=dealer, currency="CNY")


def _cans(made, quantity: int):
    return [SubmitLine(made.sku.pk, None, quantity)]  # 5.00 a can


@pytest.fixture
def finance_person(store):  # noqa: F811
    return UserFactory(email="money@brand.test", role="finance")


def test_a_brand_that_never_set_terms_takes_orders_owed_cash_on_delivery(store):  # noqa: F811
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 4)).order
    account = _account(store.dealer)
    assert (account.credit_used, account.balance) == (D("20.00"), D("0.00"))
    [entry] = account.entries.all()
    assert (entry.kind, entry.amount, entry.reference) == ("order_charge", D("-20.00"), order.number)


def test_prepay_needs_the_balance_and_the_refusal_writes_nothing(store, finance_person):  # noqa: F811
    services.dealer_settlement_set(actor=finance_person, dealer=store.dealer, mode="prepay")
    services.top_up_record(actor=finance_person, dealer=store.dealer, amount="30.00", reference="BANK-1")
    order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 4))  # 20.00 of 30.00
    reserved = Stock.objects.get(sku=store.sku, warehouse=store.east).reserved
    with pytest.raises(CreditShort) as short:
        order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 3))  # 15.00 > 10.00 left
    assert short.value.status == 409 and short.value.code == "credit_insufficient"
    assert "10.00 CNY available, 15.00 CNY needed" in str(short.value.detail)
    assert Order.objects.filter(dealer=store.dealer).count() == 1  # no order, no reservation, no charge
    assert Stock.objects.get(sku=store.sku, warehouse=store.east).reserved == reserved
    assert _account(store.dealer).balance == D("10.00")
    assert selectors.ledger_mismatches() == []


def test_the_api_says_why_an_order_is_refused_for_credit(store, finance_person, tenant_a, in_tenant):  # noqa: F811
    from tests.conftest import host_client
    from tests.factories import token_for

    services.dealer_settlement_set(actor=finance_person, dealer=store.dealer, mode="credit", credit_limit="12.00")
    api = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token_for(store.buyer)}")
    refused = api.post("/api/v1/orders/", {"lines": [{"sku": store.sku.pk, "quantity": 3}]},
                       content_type="application/json")
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["code"] == "credit_insufficient" and (body["available"], body["needed"]) == ("12.00", "15.00")
    assert "12.00 CNY available, 15.00 CNY needed" in body["detail"]
    with in_tenant(tenant_a):
        assert not Order.objects.filter(dealer=store.dealer).exists()


def test_cancel_and_reject_give_back_what_the_order_took(store, finance_person):  # noqa: F811
    services.dealer_settlement_set(actor=finance_person, dealer=store.dealer, mode="mixed", credit_limit="100")
    services.top_up_record(actor=finance_person, dealer=store.dealer, amount="30.00")
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 10)).order  # 30 cash + 20 credit
    account = _account(store.dealer)
    assert (account.balance, account.credit_used) == (D("0.00"), D("20.00"))
    order_cancel(actor=store.buyer, order=order, reason="ordered twice")
    account = _account(store.dealer)
    assert (account.balance, account.credit_used) == (D("30.00"), D("0.00"))
    assert services.held_for(dealer=store.dealer, currency="CNY", reference=order.number) == 0
    assert selectors.ledger_mismatches() == []


def test_a_rejected_order_is_released(store, finance_person):  # noqa: F811
    from tenant_apps.approvals.models import ApprovalWorkflow

    ApprovalWorkflow.objects.filter(pk__in=store.workflows_off).update(active=True)  # orders wait for approval
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 2)).order
    assert _account(store.dealer).credit_used == D("10.00")
    order_transition(actor=finance_person, order=Order.objects.get(pk=order.pk), action="reject", reason="no")
    assert _account(store.dealer).credit_used == D("0.00")


def test_a_revision_is_charged_again_and_refused_whole_when_credit_is_short(store, finance_person):  # noqa: F811
    services.dealer_settlement_set(actor=finance_person, dealer=store.dealer, mode="credit", credit_limit="50")
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 4)).order  # 20
    order = order_revise(actor=store.buyer, order=order, lines=_cans(store, 8))  # 40
    assert _account(store.dealer).credit_used == D("40.00")
    with pytest.raises(CreditShort):
        order_revise(actor=store.buyer, order=order, lines=_cans(store, 11))  # 55 > 50
    order.refresh_from_db()
    assert order.total == D("40.00") and _account(store.dealer).credit_used == D("40.00")  # nothing changed
    assert [line.quantity for line in order.lines.all()] == [8]
    assert selectors.ledger_mismatches() == []


def test_returned_goods_are_credited_at_their_net_price_paid_or_not(store, finance_person):  # noqa: F811
    warehouse = UserFactory(email="wh@brand.test", role="warehouse")
    sales = UserFactory(email="sales@brand.test", role="sales_rep")
    people = SimpleNamespace(warehouse=warehouse)
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 10)).order  # 50.00 owed
    order = fulfillment.order_allocate(actor=warehouse, order=order)
    ship_everything(order, people)
    services.payment_record(actor=finance_person, dealer=store.dealer, amount="50.00", currency="CNY",
                            reference=order.number)  # paid in full
    line = order.lines.get()
    rma = fulfillment.return_request_create(actor=store.buyer, order=order, reason_code="damaged",
                                            reason_text="破损", lines={line.pk: 4})
    fulfillment.return_decide(actor=sales, rma=rma, approve=True)
    fulfillment.return_receive(actor=warehouse, rma=rma)
    account = _account(store.dealer)
    assert (account.credit_used, account.balance) == (D("0.00"), D("20.00"))  # paid: back as prepaid balance
    release = LedgerEntry.objects.get(dealer=store.dealer, kind="order_release")
    assert (release.amount, release.reference) == (D("20.00"), order.number)
    assert rma.number in release.reason
    assert selectors.ledger_mismatches() == []


def test_the_rebate_pool_pays_up_to_the_brands_share(store, finance_person):  # noqa: F811
    services.finance_settings_update(actor=finance_person, settlement_mode="credit", credit_limit="1000")
    account = services._locked(store.dealer, "CNY")
    services.ledger_post(actor=finance_person, account=account, kind="rebate", rebate_delta=D("3.00"),
                         reference="REB-1")
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=_cans(store, 4)).order  # 20.00, 10% = 2
    account = _account(store.dealer)
    assert (account.rebate_balance, account.credit_used) == (D("1.00"), D("18.00"))
    order_cancel(actor=store.buyer, order=order, reason="x")
    account = _account(store.dealer)
    assert (account.rebate_balance, account.credit_used) == (D("3.00"), D("0.00"))


def test_thirty_two_concurrent_submits_take_exactly_the_ten_orders_the_credit_covers(django_db_blocker):
    """32 submits of one dealer at the same moment, each on its own connection, against credit for 10 orders."""
    racers, covered = 32, 10
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        made = make_store(tag=tag, stock_east=1000, stock_west=0)
        services.dealer_settlement_set(actor=None, dealer=made.dealer, mode="credit", credit_limit="50.00")
        connection.set_schema_to_public()

    def racer(index):
        try:
            order_submit(actor=made.buyer, dealer=made.dealer, lines=[SubmitLine(made.sku.pk, None, 1)],
                         idempotency_key=f"{tag}-{index}")  # 5.00
            return "ordered"
        except CreditShort as short:
            assert "0.00 CNY available, 5.00 CNY needed" in str(short.detail)
            return f"refused {short.status}"

    with django_db_blocker.unblock():
        outcomes = at_once(tenant, racers, racer)
        connection.set_tenant(tenant)
        try:
            assert sorted(outcomes) == ["ordered"] * covered + ["refused 409"] * (racers - covered)
            assert Order.objects.filter(dealer=made.dealer).count() == covered
            account = _account(made.dealer)
            assert account.credit_used == D("50.00")
            entries = list(account.entries.all())
            assert len(entries) == covered and all(e.credit_used_after <= D("50.00") for e in entries)
            assert Stock.objects.get(sku=made.sku, warehouse=made.east).reserved == covered
            assert selectors.ledger_mismatches() == []
        finally:
            _clean(made)
            connection.set_schema_to_public()
