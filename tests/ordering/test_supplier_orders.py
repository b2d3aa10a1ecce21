"""A sub-dealer's order goes to its supplier (S2B2B, tenant_apps/ordering/submission.py): the order's seller is the
agent, priced by the agent's own list, reserved from the agent's own warehouse, approved through the agent's own
workflow by the agent's people; headquarters' direct dealers are served exactly as before; the submission reads
the same number of queries whoever sells."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.approvals.errors import NotYourStep
from tenant_apps.approvals.services import approval_decide, workflow_update
from tenant_apps.dealers import services as dealers
from tenant_apps.fulfillment.services import supplier_order_ship
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.submission import SubmitLine, order_revise, order_submit
from tests.factories.suppliers import chain as make_chain


@pytest.fixture
def chain(store, in_tenant):
    with in_tenant(store.tenant):
        yield make_chain(store, store.tenant)


def _stock(warehouse, sku) -> tuple[int, int]:
    row = Stock.objects.get(warehouse=warehouse, sku=sku)
    return row.on_hand, row.reserved


def _submit(buyer, dealer, sku, quantity):
    return order_submit(actor=buyer, dealer=dealer, lines=[SubmitLine(sku.pk, None, quantity)]).order


@pytest.mark.parametrize("one_statement", [True, False])
def test_a_sub_dealers_order_is_placed_with_its_agent_priced_reserved_and_approved_by_the_agent(
        chain, settings, one_statement):
    settings.ORDERING_ONE_STATEMENT = one_statement
    store, js = chain.store, chain.js
    hq_stock = (_stock(store.east, store.sku), _stock(store.west, store.sku))
    order = _submit(js.sub_buyer, js.sub, store.sku, 10)
    order.refresh_from_db()
    assert (order.seller_id, order.status, str(order.total)) == (js.node.pk, "in_approval", "55.00")
    line = order.lines.get()
    assert (str(line.unit_price), line.price_list_id) == ("5.5000", js.prices.pk)
    assert list(order.reservations.values_list("warehouse_id", "quantity")) == [(js.warehouse.pk, 10)]
    assert _stock(js.warehouse, store.sku) == (40, 10)
    assert (_stock(store.east, store.sku), _stock(store.west, store.sku)) == hq_stock  # headquarters' untouched
    step = order.approvals.get(status="pending")
    assert (step.workflow_id, step.name) == (js.workflow.pk, "代理商确认")
    # headquarters' staff and the sibling agent's owner cannot decide it; the agent's owner does
    with pytest.raises(NotYourStep):
        approval_decide(actor=chain.zj.owner, order=order, decision="approve")
    approved = approval_decide(actor=js.owner, order=order, decision="approve")
    assert approved.status == "approved"


def test_headquarters_direct_dealers_are_served_as_before(chain):
    store = chain.store
    order = _submit(store.buyer, store.dealer, store.sku, 10)
    order.refresh_from_db()
    assert (order.seller_id, order.status, str(order.total)) == (None, "approved", "50.00")
    assert {w for w, in order.reservations.values_list("warehouse_id")} <= {store.east.pk, store.west.pk}
    assert _stock(chain.js.warehouse, store.sku) == (40, 0)


def test_an_agent_buying_from_headquarters_gets_headquarters_prices_and_stock(chain):
    store, js = chain.store, chain.js
    dealers.address_add(actor=None, dealer=js.dealer, kind="shipping", recipient="周", phone="13700000000",
                        territory=store.shanghai, line="南京路 1 号", is_default=True)
    order = _submit(js.buyer, js.dealer, store.sku, 10)
    assert (order.seller_id, str(order.total)) == (None, "50.00")
    assert js.warehouse.pk not in set(order.reservations.values_list("warehouse_id", flat=True))


def test_a_sub_dealer_is_never_served_from_headquarters_stock_when_its_agent_is_short(chain):
    """The agent holds 40, headquarters 150: an order for 41 is placed with the agent (never refused for the
    agent's stock, whatever the brand's shortage policy), 40 reserved in the agent's warehouse and one waiting
    for the agent to source; headquarters' stock is untouched."""
    store, js = chain.store, chain.js
    hq_stock = (_stock(store.east, store.sku), _stock(store.west, store.sku))
    order = _submit(js.sub_buyer, js.sub, store.sku, 41)
    line = order.lines.get()
    assert (order.seller_id, line.base_quantity, line.reserved_base) == (js.node.pk, 41, 40)
    assert list(order.reservations.values_list("warehouse_id", "quantity")) == [(js.warehouse.pk, 40)]
    assert _stock(js.warehouse, store.sku) == (40, 40)
    assert (_stock(store.east, store.sku), _stock(store.west, store.sku)) == hq_stock


def test_the_agent_ships_what_it_holds_and_the_rest_when_its_stock_comes(chain):
    from tenant_apps.inventory.services import stock_receive

    store, js = chain.store, chain.js
    order = approval_decide(actor=js.owner, order=_submit(js.sub_buyer, js.sub, store.sku, 45), decision="approve")
    first = supplier_order_ship(actor=js.owner, order=order, warehouse=js.warehouse)
    order.refresh_from_db()
    assert (first.lines.get().quantity, order.status) == (40, "partially_shipped")
    stock_receive(actor=js.owner, sku_id=store.sku.pk, warehouse_id=js.warehouse.pk, quantity=10, reference="GRN")
    second = supplier_order_ship(actor=js.owner, order=order, warehouse=js.warehouse)
    order.refresh_from_db()
    assert (second.lines.get().quantity, order.status) == (5, "shipped")
    assert _stock(js.warehouse, store.sku) == (5, 0)


def test_a_sub_dealer_given_back_to_headquarters_orders_from_headquarters_again(chain):
    store, js = chain.store, chain.js
    dealers.dealer_update(actor=None, dealer=js.sub, supplier=dealers.selectors.headquarters())
    dealers.supplier_undesignate(actor=None, supplier=js.supplier, open_orders=0)
    order = _submit(js.sub_buyer, js.sub, store.sku, 5)
    assert (order.seller_id, str(order.total)) == (None, "25.00")
    assert js.warehouse.pk not in set(order.reservations.values_list("warehouse_id", flat=True))


def test_a_revision_keeps_the_orders_seller_its_prices_and_its_warehouse(chain):
    store, js = chain.store, chain.js
    order = _submit(js.sub_buyer, js.sub, store.sku, 10)
    revised = order_revise(actor=js.sub_buyer, order=order, lines=[SubmitLine(store.sku.pk, None, 12)])
    assert (revised.seller_id, str(revised.total)) == (js.node.pk, "66.00")
    assert _stock(js.warehouse, store.sku) == (40, 12)


def test_the_agent_ships_from_its_own_warehouse(chain):
    store, js = chain.store, chain.js
    order = _submit(js.sub_buyer, js.sub, store.sku, 10)
    order = approval_decide(actor=js.owner, order=order, decision="approve")
    shipment = supplier_order_ship(actor=js.owner, order=order, warehouse=js.warehouse)
    order.refresh_from_db()
    assert (shipment.warehouse_id, shipment.status, order.status) == (js.warehouse.pk, "shipped", "shipped")
    assert _stock(js.warehouse, store.sku) == (30, 0)


@pytest.mark.parametrize("one_statement", [True, False])
def test_a_submission_reads_as_many_queries_for_a_sub_dealer_as_for_a_direct_dealer(chain, settings, one_statement):
    settings.ORDERING_ONE_STATEMENT = one_statement
    store, js = chain.store, chain.js
    workflow_update(actor=None, workflow=js.workflow, active=False)  # both approved at once: the same work
    _submit(store.buyer, store.dealer, store.sku, 1)  # warm: prepared statements, caches
    _submit(js.sub_buyer, js.sub, store.sku, 1)
    with CaptureQueriesContext(connection) as direct:
        _submit(store.buyer, store.dealer, store.sku, 2)
    with CaptureQueriesContext(connection) as sub:
        _submit(js.sub_buyer, js.sub, store.sku, 2)
    assert len(sub.captured_queries) == len(direct.captured_queries)


def test_promotions_apply_to_the_sales_of_their_owner_only(chain):
    from tests.factories.promotions import PromotionFactory

    store, js = chain.store, chain.js
    PromotionFactory(code="HQ10", rule={"percent": "10"}, published=True)  # headquarters': its own sales
    PromotionFactory(code="JS20", rule={"percent": "20"}, owner=js.node, published=True)  # the agent's
    direct = _submit(store.buyer, store.dealer, store.sku, 10)
    sub = _submit(js.sub_buyer, js.sub, store.sku, 10)
    assert ([p["name"] for p in direct.breakdown["promotions"]], str(direct.total)) == (["HQ10"], "45.00")
    assert ([p["name"] for p in sub.breakdown["promotions"]], str(sub.total)) == (["JS20"], "44.00")
