"""Approval workflows, and the brand staff on every side of an approval chain."""

from __future__ import annotations

import factory

from tenant_apps.approvals import services
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.approvals.services import APPROVER_ROLES, StepSpec
from tenant_apps.dealers import services as dealers
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory
from tests.factories.dealers import RegionFactory, headquarters


class WorkflowFactory(ServiceFactory):
    """One HQ step that every role able to approve may decide, unless `steps` are given."""

    class Meta:
        model = ApprovalWorkflow

    _service = staticmethod(services.workflow_create)
    name = factory.Sequence(lambda n: f"审批 {n}")
    steps = factory.LazyFunction(lambda: [StepSpec(name="总部", approver_roles=list(APPROVER_ROLES), scope="hq")])


def two_steps(**kw) -> list[StepSpec]:
    """The regional manager of the dealer's region, then HQ sales."""
    return [StepSpec(name="区域经理", approver_roles=["regional_manager"], scope="region"),
            StepSpec(name="总部销售", approver_roles=["sales_rep", "admin"], scope="hq", **kw)]


def people(made, tag: str = ""):
    """On the store of `tests.factories.ordering.store`: its dealer moved under region 华东大区 (a 西部大区
    beside it), regional managers of both, an admin, finance, the dealer's sales rep, warehouse and analyst."""
    hq = headquarters()
    east = RegionFactory(parent=hq, name="华东大区", code=f"R-EAST{tag}")
    west = RegionFactory(parent=hq, name="西部大区", code=f"R-WEST{tag}")
    dealers.node_move(actor=None, node=made.dealer.node, new_parent=east)
    made.dealer.refresh_from_db()
    made.dealer.node.refresh_from_db()

    def person(name, role, **kw):
        return UserFactory(email=f"{name}{tag}@brand.test", role=role, full_name=name, **kw)

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
