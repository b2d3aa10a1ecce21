"""A supplier's approvers (S2B2B: its own dealer users of the step's roles, holding supplier.orders) are told that a
sub-dealer's order waits for them, on the usual channels, and led to the supplier console; never headquarters'
staff, never a sibling agent's people, never the supplier's people of another role; a constant number of queries
for a batch of such events."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.approvals.services import StepSpec, workflow_update
from tenant_apps.events.services import event_record
from tenant_apps.notifications.models import Delivery, Notification
from tenant_apps.notifications.selectors import render
from tenant_apps.notifications.services import recipients_of
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories.ordering import store as make_store
from tests.factories.suppliers import chain as make_chain
from tests.notifications.conftest import relay


@pytest.fixture
def chain(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        yield make_chain(make_store(), tenant_a)


def _told(order) -> set[str]:
    return set(Notification.objects.filter(kind="approval.waiting", event__subject_id=str(order.pk))
               .values_list("recipient__email", flat=True))


def _order(chain, agent):
    return order_submit(actor=agent.sub_buyer, dealer=agent.sub,
                        lines=[SubmitLine(chain.store.sku.pk, None, 4)]).order


def test_the_agents_approvers_are_told_and_led_to_the_supplier_console(chain):
    js, zj = chain.js, chain.zj
    order = _order(chain, js)
    assert order.status == "in_approval"
    relay()
    # the agent's owner (its step's role); not its buyer (another role), not the sibling agent's owner, not
    # headquarters' staff (owner@acme.test and the store's approvers cannot decide an agent's order)
    assert _told(order) == {js.owner.email}
    assert set(Delivery.objects.filter(notification__kind="approval.waiting", channel="email")
               .values_list("notification__recipient__email", flat=True)) == {js.owner.email}
    item = Notification.objects.get(kind="approval.waiting", recipient=js.owner)
    assert render(item, reader=js.owner).url == f"/supplier/orders/{order.pk}/"
    assert zj.owner.email not in set(Notification.objects.values_list("recipient__email", flat=True))


def test_a_step_for_the_agents_buyers_tells_them_and_never_the_siblings(chain):
    js, zj = chain.js, chain.zj
    for agent in (js, zj):
        workflow_update(actor=None, workflow=agent.workflow, steps=[
            StepSpec(name="采购确认", approver_roles=["dealer_buyer", "dealer_owner"], scope="hq")])
    order = _order(chain, js)
    relay()
    assert _told(order) == {js.owner.email, js.buyer.email}


def test_a_batch_of_supplier_steps_costs_the_queries_of_one(chain):
    js, zj = chain.js, chain.zj

    def batch(size: int) -> list:
        return [event_record(kind="approval.waiting", subject_id=n + 1, dealer_id=agent.sub.pk, payload={
            "step_roles": ["dealer_owner"], "step_scope": "hq", "seller": agent.node.pk})
            for n in range(size) for agent in (js, zj)]

    one, ten = batch(1), batch(10)
    with CaptureQueriesContext(connection) as small:
        told_one = recipients_of(one)
    with CaptureQueriesContext(connection) as large:
        told_ten = recipients_of(ten)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert [set(told_one[event.id]) for event in one] == [{js.owner.pk}, {zj.owner.pk}]
    assert sum(len(people) for people in told_ten.values()) == 20
