"""Every legal and illegal transition of an order, and what cancelling gives back."""

import pytest

from tenant_apps.inventory import selectors as stock_selectors
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering import lifecycle
from tenant_apps.ordering.models import Order, OrderEvent, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import building_in, fresh, rolled_back
from tests.ordering.conftest import make_store

# Written out by hand (not read from the state machine), so a wrong transition in the model fails here.
LEGAL = {
    "start_approval": {"submitted"},
    "approve": {"submitted", "in_approval"},
    "reject": {"submitted", "in_approval"},
    "send_back": {"submitted", "in_approval", "approved"},
    "allocate": {"approved"},
    "ship_part": {"allocated", "partially_shipped"},
    "ship_all": {"allocated", "partially_shipped"},
    "deliver": {"shipped"},
    "complete": {"delivered"},
    "cancel": {"draft", "submitted", "awaiting_dealer", "in_approval", "approved", "allocated"},
    "dealer_confirm": {"awaiting_dealer"},  # an order placed on the dealer's behalf (ordering.on_behalf)
}
TARGET = {"start_approval": "in_approval", "approve": "approved", "reject": "rejected", "send_back": "draft",
          "allocate": "allocated", "ship_part": "partially_shipped", "ship_all": "shipped", "deliver": "delivered",
          "complete": "completed", "cancel": "cancelled", "dealer_confirm": "submitted"}


@pytest.fixture(scope="module")
def _store(django_db_setup, django_db_blocker):
    """tests/ordering/conftest.py's store, built once for the module (each test runs in a savepoint rolled back
    after it: tests/conftest.py `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            made = make_store()
            made.tenant = tenant
        yield made


@pytest.fixture
def store(_store, db, in_tenant):
    with in_tenant(_store.tenant):
        yield fresh(_store)


@pytest.fixture
def order(store):
    return order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 10)]).order


@pytest.mark.parametrize("state", OrderStatus.values)
@pytest.mark.parametrize("action", list(LEGAL))
def test_each_action_from_each_state(order, store, state, action):
    Order.objects.filter(pk=order.pk).update(status=state)
    order.refresh_from_db()
    events = OrderEvent.objects.filter(order=order).count()
    if state in LEGAL[action]:
        done = lifecycle.order_transition(actor=store.buyer, order=order, action=action, reason="because")
        assert done.status == TARGET[action]
        assert OrderEvent.objects.filter(order=order).count() == events + 1
    else:
        with pytest.raises(lifecycle.IllegalOrderTransition) as illegal:
            lifecycle.order_transition(actor=store.buyer, order=order, action=action, reason="because")
        assert illegal.value.status == 409
        assert str(OrderStatus(state).label) in illegal.value.detail
        order.refresh_from_db()
        assert order.status == state and OrderEvent.objects.filter(order=order).count() == events


def test_the_actions_offered_are_exactly_the_legal_ones(order):
    for state in OrderStatus.values:
        order.status = state
        assert set(lifecycle.legal_actions(order)) == {a for a, states in LEGAL.items() if state in states}


def test_cancelling_gives_the_stock_back_and_needs_a_reason(order, store):
    with pytest.raises(lifecycle.OrderActionInvalid):
        lifecycle.order_cancel(actor=store.buyer, order=order, reason=" ")
    assert Stock.objects.get(sku=store.sku, warehouse=store.east).reserved == 10
    lifecycle.order_cancel(actor=store.buyer, order=order, reason="ordered twice")
    assert Stock.objects.get(sku=store.sku, warehouse=store.east).reserved == 0
    assert order.status == "cancelled" and order.closed_at is not None
    assert stock_selectors.ledger_mismatches() == []
    with pytest.raises(lifecycle.IllegalOrderTransition):
        lifecycle.order_cancel(actor=store.buyer, order=order, reason="again")
