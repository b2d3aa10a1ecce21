"""The ledger knows the creditor (S2B2B): an order a sub-dealer places with its supplier is charged to its account
with that supplier, never to its account with headquarters; headquarters' finance reads only its own accounts; the
supplier's credit limit refuses an order as headquarters' does; cancel and reject give back on the right account;
being overdue with one creditor never blocks orders to the other."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tenant_apps.approvals.services import approval_decide
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import Dealer
from tenant_apps.finance import selectors, selectors_accounts, selectors_receivables, services
from tenant_apps.finance import services_suppliers as suppliers
from tenant_apps.finance.errors import CreditShort, FinanceInvalid
from tenant_apps.finance.models import DealerAccount, LedgerEntry, Receivable
from tenant_apps.finance.services_receivables import receivable_shipped
from tenant_apps.fulfillment.services import supplier_order_ship
from tenant_apps.ordering.errors import OrderRefused
from tenant_apps.ordering.lifecycle import order_cancel
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories import UserFactory
from tests.factories.suppliers import chain as make_chain
from tests.ordering.conftest import store  # noqa: F401 - the ordering fixture


@pytest.fixture
def chain(store, in_tenant):  # noqa: F811
    with in_tenant(store.tenant):
        yield make_chain(store, store.tenant)


def _submit(buyer, dealer, sku, quantity) -> Order:
    return order_submit(actor=buyer, dealer=dealer, lines=[SubmitLine(sku.pk, None, quantity)]).order


def _accounts(dealer) -> dict:
    """{creditor node id or None: (credit used, balance)} of the dealer's accounts."""
    return {a.creditor_id: (a.credit_used, a.balance) for a in DealerAccount.objects.filter(dealer=dealer)}


def test_a_sub_dealers_order_is_charged_to_its_account_with_the_supplier_not_headquarters(chain):
    shop, js = chain.store, chain.js
    order = _submit(js.sub_buyer, js.sub, shop.sku, 10)  # 55.00 at the agent's price
    assert _accounts(js.sub) == {js.node.pk: (D("55.00"), D("0.00"))}  # cash on delivery: owed without a check
    [entry] = LedgerEntry.objects.filter(dealer=js.sub)
    assert (entry.kind, entry.amount, entry.creditor_id, entry.reference) == (
        "order_charge", D("-55.00"), js.node.pk, order.number)
    # headquarters' finance sees nothing of it: accounts, ledger, receivables, the dealer's credit summary
    finance = UserFactory(email="money@brand.test", role="finance")
    assert not selectors.accounts_visible_to(finance).filter(dealer=js.sub).exists()
    assert list(selectors_accounts.ledger_of(js.sub)) == []
    assert selectors_accounts.dealer_figures(js.sub, services.settlement_for(js.sub))[0].credit_used == D("0")
    assert selectors_receivables.open_items(dealers=Dealer.objects.filter(pk=js.sub.pk)) == []
    assert js.sub.pk not in {row.dealer.pk for row in selectors_receivables.ageing(actor=finance).dealers}
    assert selectors_receivables.credit_summary(js.sub).used == D("0")
    # ... and the supplier's receivables do
    [item] = selectors_receivables.open_items(dealers=Dealer.objects.filter(pk=js.sub.pk), creditor=js.node.pk)
    assert (item.reference, item.open, item.due_on) == (order.number, D("55.00"), None)
    assert selectors.ledger_mismatches() == []


def test_a_direct_dealers_order_is_charged_to_headquarters_as_before(chain):
    shop = chain.store
    order = _submit(shop.buyer, shop.dealer, shop.sku, 10)
    assert _accounts(shop.dealer) == {None: (D("50.00"), D("0.00"))}
    [item] = selectors_receivables.open_items(dealers=Dealer.objects.filter(pk=shop.dealer.pk))
    assert (item.reference, item.open) == (order.number, D("50.00"))


def test_the_supplier_limit_refuses_an_order_over_it_and_headquarters_terms_do_not_apply(chain):
    shop, js = chain.store, chain.js
    services.dealer_settlement_set(actor=None, dealer=js.sub, mode="credit", credit_limit="1000.00")  # HQ's: ignored
    suppliers.supplier_terms_set(actor=js.owner, creditor=js.node, dealer=js.sub, mode="credit", credit_limit="60.00")
    _submit(js.sub_buyer, js.sub, shop.sku, 10)  # 55.00 of 60.00
    with pytest.raises(CreditShort) as short:
        _submit(js.sub_buyer, js.sub, shop.sku, 1)  # 5.50 > 5.00 left
    assert short.value.status == 409 and "5.00 CNY available, 5.50 CNY needed" in str(short.value.detail)
    assert Order.objects.filter(dealer=js.sub).count() == 1
    assert _accounts(js.sub) == {js.node.pk: (D("55.00"), D("0.00"))}
    # a payment received by the supplier frees its credit again
    suppliers.supplier_payment_record(actor=js.owner, creditor=js.node, dealer=js.sub, amount="20.00",
                                      method="bank_transfer", reference="TT-1")
    _submit(js.sub_buyer, js.sub, shop.sku, 1)
    assert _accounts(js.sub) == {js.node.pk: (D("40.50"), D("0.00"))}


def test_reject_and_cancel_give_back_on_the_supplier_account(chain):
    shop, js = chain.store, chain.js
    rejected = _submit(js.sub_buyer, js.sub, shop.sku, 10)
    cancelled = _submit(js.sub_buyer, js.sub, shop.sku, 4)
    assert _accounts(js.sub) == {js.node.pk: (D("77.00"), D("0.00"))}
    approval_decide(actor=js.owner, order=rejected, decision="reject", reason="缺货")
    assert _accounts(js.sub) == {js.node.pk: (D("22.00"), D("0.00"))}
    order_cancel(actor=js.sub_buyer, order=cancelled, reason="不要了")
    assert _accounts(js.sub) == {js.node.pk: (D("0.00"), D("0.00"))}
    assert selectors.ledger_mismatches() == []


def test_a_shipped_supplier_order_falls_due_by_the_suppliers_days(chain):
    shop, js = chain.store, chain.js
    suppliers.supplier_terms_set(actor=js.owner, creditor=js.node, dealer=js.sub, mode="cod", terms_days=7)
    order = approval_decide(actor=js.owner, order=_submit(js.sub_buyer, js.sub, shop.sku, 10), decision="approve")
    supplier_order_ship(actor=js.owner, order=order, warehouse=js.warehouse)
    receivable = Receivable.objects.get(reference=order.number)
    assert (receivable.due_on - receivable.shipped_on, receivable.terms) == (timedelta(days=7), "net:7")


def _overdue(dealer, creditor, reference: str) -> None:
    """`dealer` owes 30.00 to `creditor` (None: headquarters) on `reference`, shipped 200 days ago."""
    services.credit_hold(actor=None, dealer=dealer, amount="30.00", currency="CNY", reference=reference,
                         creditor=creditor)
    receivable_shipped(reference=reference, dealer=dealer, shipped_on=timezone.localdate() - timedelta(days=200))


def test_overdue_with_headquarters_does_not_block_orders_to_the_supplier(chain):
    shop, js = chain.store, chain.js
    _overdue(js.sub, None, "OLD-HQ-1")  # from before it bought from the agent
    assert selectors_receivables.order_block_reason(js.sub) is None  # its orders go to the agent: no block shown
    assert selectors_receivables.credit_summary(js.sub).overdue == D("30.00")  # but the debt is shown
    order = _submit(js.sub_buyer, js.sub, shop.sku, 2)
    assert order.seller_id == js.node.pk
    # given back to headquarters, its orders go to headquarters again, and the block applies
    dealers.dealer_update(actor=None, dealer=js.sub, supplier=dealers.selectors.headquarters())
    js.sub.refresh_from_db()
    assert "Orders are blocked" in selectors_receivables.order_block_reason(js.sub)
    with pytest.raises(OrderRefused) as refused:
        _submit(js.sub_buyer, js.sub, shop.sku, 2)
    assert refused.value.code == "overdue_block"


def test_overdue_with_the_supplier_does_not_block_with_headquarters(chain):
    js = chain.js
    _overdue(js.sub, js.node.pk, "OLD-JS-1")
    assert selectors_receivables.order_block_reason(js.sub) is None
    summary = selectors_receivables.credit_summary(js.sub)
    assert (summary.used, summary.overdue) == (D("0"), D("0"))
    [item] = selectors_receivables.open_items(dealers=Dealer.objects.filter(pk=js.sub.pk), creditor=js.node.pk)
    assert (item.reference, item.days_overdue) == ("OLD-JS-1", 170)


def test_a_supplier_payment_refuses_bad_input_and_other_dealers_writing_nothing(chain):
    shop, js = chain.store, chain.js
    record = {"actor": js.owner, "creditor": js.node, "amount": "10.00", "method": "cash"}
    for changes, field in [({"method": "cheque"}, "method"), ({"amount": "-1"}, "amount"),
                           ({"amount": "1.001"}, "amount"), ({"reference": "x" * 101}, "reference")]:
        with pytest.raises(FinanceInvalid) as bad:
            suppliers.supplier_payment_record(**{**record, "dealer": js.sub, **changes})
        assert list(bad.value.fields) == [field]
    for other in (chain.zj.sub, shop.dealer):  # the sibling agent's sub-dealer; a direct dealer
        with pytest.raises(FinanceInvalid):
            suppliers.supplier_payment_record(**record, dealer=other)
    assert not LedgerEntry.objects.exists()


def test_the_suppliers_receivables_read_three_queries_whatever_the_number_of_sub_dealers(chain):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenant_apps.finance.selectors_suppliers import supplier_receivables
    from tests.factories.dealers import DealerFactory, address

    shop, js = chain.store, chain.js
    _submit(js.sub_buyer, js.sub, shop.sku, 2)
    with CaptureQueriesContext(connection) as one:
        assert [row.dealer.pk for row in supplier_receivables(node_id=js.node.pk)] == [js.sub.pk]
    more = DealerFactory(code="JS-SUB2", legal_name="江苏省代下级二", parent=js.node, supplier=js.node,
                         status="active", territories=[shop.shanghai], tier=shop.tier)
    address(dealer=more, territory=shop.shanghai)
    buyer = UserFactory(email="buyer@js-sub2.test", role="dealer_buyer", dealer=more, full_name="")
    _submit(buyer, more, shop.sku, 1)
    with CaptureQueriesContext(connection) as two:
        rows = supplier_receivables(node_id=js.node.pk)
    assert [(row.dealer.pk, str(row.figures.credit_used)) for row in rows] == [(js.sub.pk, "11.00"),
                                                                                (more.pk, "5.50")]
    assert len(one) == len(two) == 3


def test_an_order_owed_to_the_supplier_is_not_the_brands_to_invoice(chain):
    """The brand's fapiao is for its own sales: a sub-dealer asking it for an invoice of an order placed with its
    supplier is told to ask the supplier (400 on the reference, nothing written); its order page offers none."""
    from tenant_apps.finance.models import InvoiceRequest
    from tenant_apps.finance.services_invoices import invoice_request_create, tax_profile_set

    shop, js = chain.store, chain.js
    order = _submit(js.sub_buyer, js.sub, shop.sku, 4)
    tax_profile_set(actor=js.sub_buyer, dealer=js.sub, kind="ordinary", title="江苏省代下级有限公司",
                    tax_id="9144030071526726XG", email="fapiao@sub.test")
    with pytest.raises(FinanceInvalid) as refused:
        invoice_request_create(actor=js.sub_buyer, dealer=js.sub, subject="order", reference=order.number,
                               amount="22.00")
    assert js.node.name in refused.value.fields["reference"][0]
    assert not InvoiceRequest.objects.exists()
    # headquarters' own sale to a direct dealer is invoiced as before
    direct = _submit(shop.buyer, shop.dealer, shop.sku, 2)
    tax_profile_set(actor=shop.buyer, dealer=shop.dealer, kind="ordinary", title="上海经销商有限公司",
                    tax_id="9144030071526726XG", email="fapiao@sh.test")
    assert invoice_request_create(actor=shop.buyer, dealer=shop.dealer, subject="order", reference=direct.number,
                                  amount="10.00").reference == direct.number


def test_a_sub_dealers_order_page_offers_neither_the_brands_payment_nor_its_invoice(chain):
    from tests.conftest import host_client
    from tests.factories import DEFAULT_PASSWORD

    shop, js = chain.store, chain.js
    order = _submit(js.sub_buyer, js.sub, shop.sku, 4)
    direct = _submit(shop.buyer, shop.dealer, shop.sku, 2)
    sub_owner = UserFactory(email="owner@js-sub.test", role="dealer_owner", dealer=js.sub)
    direct_owner = UserFactory(email="owner@sh-1.test", role="dealer_owner", dealer=shop.dealer)
    for user, placed, offered in ((sub_owner, order, False), (direct_owner, direct, True)):
        page = host_client("acme.localhost")
        assert page.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
        answer = page.get(f"/orders/{placed.pk}/")
        html = answer.content.decode()
        assert answer.status_code == 200
        # the brand's own sale: owed on cash on delivery, payable here and invoiced by the brand
        assert ('id="pay-order"' in html, "Ask for an invoice" in html) == (offered, offered), user.email
