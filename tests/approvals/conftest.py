"""Fixtures of the approval tests: the ordering store (tests/ordering/conftest.py) with its dealer moved under
a region, and brand staff on every side of the chain."""


import pytest

from tests.factories.approvals import WorkflowFactory, two_steps
from tests.factories.approvals import people as make_people
from tests.factories.ordering import OrderFactory
from tests.factories.ordering import store as make_store

__all__ = ["make_people", "two_steps"]


@pytest.fixture
def chain(tenant_a, in_tenant):
    """A store, its people, and a two-step workflow (regional manager, then HQ sales) for every order."""
    with in_tenant(tenant_a):
        made = make_people(make_store())
        made.tenant = tenant_a
        made.workflow = WorkflowFactory(actor=made.admin, name="两级审批", steps=two_steps())
        made.submit = lambda quantity=10, sku=None: OrderFactory(
            actor=made.buyer, dealer=made.dealer, lines=[(sku or made.sku, quantity)])
        yield made


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = make_people(make_store())
        made.tenant = tenant_a
        made.submit = lambda quantity=10: OrderFactory(actor=made.buyer, dealer=made.dealer,
                                                       lines=[(made.sku, quantity)])
        yield made
