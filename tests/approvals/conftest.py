"""Fixtures of the approval tests: the ordering store (tests/ordering/conftest.py) with its dealer moved under
a region, and brand staff on every side of the chain."""


import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.approvals import services
from tenant_apps.approvals.services import StepSpec
from tenant_apps.dealers import services as dealers
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories import DEFAULT_PASSWORD
from tests.ordering.conftest import make_store


def make_people(made, tag: str = ""):
    hq = dealers.headquarters_ensure(name="HQ")
    east = dealers.region_create(actor=None, parent=hq, name="华东大区", code=f"R-EAST{tag}")
    west = dealers.region_create(actor=None, parent=hq, name="西部大区", code=f"R-WEST{tag}")
    dealers.node_move(actor=None, node=made.dealer.node, new_parent=east)
    made.dealer.refresh_from_db()
    made.dealer.node.refresh_from_db()

    def person(name, role, **kw):
        return user_create(actor=None, email=f"{name}{tag}@brand.test", password=DEFAULT_PASSWORD, role=role,
                           full_name=name, **kw)

    made.region_east, made.region_west = east, west
    made.rm_east = person("rm.east", "regional_manager", scope_node=east)
    made.rm_west = person("rm.west", "regional_manager", scope_node=west)
    made.admin = person("admin", "admin")
    made.finance = person("finance", "finance")
    made.rep = person("rep", "sales_rep")
    dealers.dealer_update(actor=None, dealer=made.dealer, sales_rep=made.rep)
    made.warehouse = person("warehouse", "warehouse")
    made.analyst = person("analyst", "analyst")
    return made


def two_steps(**kw):
    return [StepSpec(name="区域经理", approver_roles=["regional_manager"], scope="region"),
            StepSpec(name="总部销售", approver_roles=["sales_rep", "admin"], scope="hq", **kw)]


@pytest.fixture
def chain(tenant_a, in_tenant):
    """A store, its people, and a two-step workflow (regional manager, then HQ sales) for every order."""
    with in_tenant(tenant_a):
        made = make_people(make_store())
        made.tenant = tenant_a
        made.workflow = services.workflow_create(actor=made.admin, name="两级审批", steps=two_steps())
        made.submit = lambda quantity=10, sku=None: order_submit(
            actor=made.buyer, dealer=made.dealer, lines=[SubmitLine((sku or made.sku).pk, None, quantity)]).order
        yield made


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = make_people(make_store())
        made.tenant = tenant_a
        made.submit = lambda quantity=10: order_submit(
            actor=made.buyer, dealer=made.dealer, lines=[SubmitLine(made.sku.pk, None, quantity)]).order
        yield made


