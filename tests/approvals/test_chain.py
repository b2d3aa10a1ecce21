"""The approval chain through its services: which workflow applies, steps in order, who may decide,
rejection, sending back, auto-approval, timeouts, bulk approval and restarts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tenant_apps.approvals import selectors, services
from tenant_apps.approvals.errors import ApprovalInvalid, NotYourStep
from tenant_apps.approvals.models import ApprovalWorkflow, OrderApproval
from tenant_apps.approvals.services import StepSpec
from tenant_apps.audit.models import AuditEntry
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.errors import IllegalOrderTransition, OrderNotFound
from tenant_apps.ordering.models import OrderStatus
from tenant_apps.ordering.selectors import order_get_for


def available(sku) -> int:
    return sum(on_hand - reserved for on_hand, reserved in Stock.objects.filter(sku=sku).values_list(
        "on_hand", "reserved"))


def steps_of(order):
    return [(a.name, a.status, a.decided_by_id) for a in OrderApproval.objects.filter(order=order).order_by("id")]


def test_without_any_workflow_an_order_is_approved_at_submission(people):
    order = people.submit()
    assert order.status == OrderStatus.APPROVED and order.approved_at is not None
    assert [e.to_status for e in order.events.filter(kind="transition")] == ["submitted", "approved"]
    assert order.events.get(to_status="approved").message == "No approval workflow applies to this order."


def test_two_steps_are_approved_in_order_by_their_approvers(chain):
    order = chain.submit()
    assert order.status == OrderStatus.IN_APPROVAL
    assert steps_of(order) == [("区域经理", "pending", None)]
    # HQ sales cannot take the regional manager's step, even though the order is in their scope.
    with pytest.raises(NotYourStep) as not_mine:
        services.approval_decide(actor=chain.admin, order=order, decision="approve")
    assert not_mine.value.status == 403
    services.approval_decide(actor=chain.rm_east, order=order, decision="approve", reason="ok")
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_APPROVAL
    assert steps_of(order) == [("区域经理", "approved", chain.rm_east.pk), ("总部销售", "pending", None)]
    with pytest.raises(NotYourStep):
        services.approval_decide(actor=chain.rm_east, order=order, decision="approve")
    services.approval_decide(actor=chain.rep, order=order, decision="approve")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED and order.approved_at is not None
    assert steps_of(order) == [("区域经理", "approved", chain.rm_east.pk), ("总部销售", "approved", chain.rep.pk)]
    assert [(e.kind, e.to_status or e.data.get("status")) for e in order.events.all()] == [
        ("transition", "submitted"), ("transition", "in_approval"), ("approval", "pending"),
        ("approval", "approved"), ("approval", "pending"), ("approval", "approved"), ("transition", "approved")]
    assert list(AuditEntry.objects.filter(action__startswith="approvals.step.").order_by("id")
                .values_list("action", "actor_id")) \
        == [("approvals.step.approved", chain.rm_east.pk), ("approvals.step.approved", chain.rep.pk)]
    # Nothing waits any more: a further decision is a conflict.
    with pytest.raises(IllegalOrderTransition) as late:
        services.approval_decide(actor=chain.rep, order=order, decision="approve")
    assert late.value.status == 409 and "Approved" in late.value.detail


def test_a_regional_manager_of_another_region_does_not_see_the_order(chain):
    order = chain.submit()
    with pytest.raises(OrderNotFound) as missing:
        order_get_for(actor=chain.rm_west, order_id=order.pk)
    assert missing.value.status == 404
    assert list(selectors.approval_inbox(actor=chain.rm_west)) == []
    assert [a.order_id for a in selectors.approval_inbox(actor=chain.rm_east)] == [order.pk]
    # The first step is not theirs even if they were handed the order.
    with pytest.raises(NotYourStep):
        services.approval_decide(actor=chain.rm_west, order=order, decision="approve")


def test_the_inbox_lists_what_waits_for_each_person(chain):
    first, second = chain.submit(), chain.submit(5)
    services.approval_decide(actor=chain.rm_east, order=first, decision="approve")
    assert [a.order_id for a in selectors.approval_inbox(actor=chain.rm_east)] == [second.pk]
    assert [a.order_id for a in selectors.approval_inbox(actor=chain.rep)] == [first.pk]
    assert [a.order_id for a in selectors.approval_inbox(actor=chain.admin)] == [first.pk]
    assert list(selectors.approval_inbox(actor=chain.finance)) == []
    assert list(selectors.approval_inbox(actor=chain.warehouse)) == []


def test_rejection_needs_a_reason_and_gives_the_stock_back(chain):
    before = available(chain.sku)
    order = chain.submit(30)
    assert available(chain.sku) == before - 30
    with pytest.raises(ApprovalInvalid) as no_reason:
        services.approval_decide(actor=chain.rm_east, order=order, decision="reject", reason="  ")
    assert no_reason.value.fields == {"reason": ["A reason is required for this decision."]}
    services.approval_decide(actor=chain.rm_east, order=order, decision="reject", reason="价格不对")
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED and order.closed_at is not None
    assert available(chain.sku) == before
    assert steps_of(order) == [("区域经理", "rejected", chain.rm_east.pk)]
    assert OrderApproval.objects.get(order=order).reason == "价格不对"
    assert order.events.get(to_status="rejected").message == "价格不对"


def test_send_back_returns_a_draft_of_a_new_revision(chain):
    order = chain.submit()
    services.approval_decide(actor=chain.rm_east, order=order, decision="approve")
    services.approval_decide(actor=chain.admin, order=order, decision="send_back", reason="改数量")
    order.refresh_from_db()
    assert (order.status, order.revision) == (OrderStatus.DRAFT, 2)
    assert steps_of(order)[-1] == ("总部销售", "sent_back", chain.admin.pk)
    assert list(selectors.approval_inbox(actor=chain.admin)) == []


def test_an_auto_approval_rule_approves_small_orders_of_its_tiers(chain):
    services.auto_rule_create(actor=chain.admin, name="A 级小单", max_total="100.00", tiers=[chain.tier])
    small, large = chain.submit(20), chain.submit(21)  # 100.00 and 105.00
    assert small.status == OrderStatus.APPROVED
    assert steps_of(small) == [("A 级小单", "approved", None)]
    assert small.events.get(to_status="approved").data == {"auto_rule": OrderApproval.objects.get(
        order=small).order.events.get(to_status="approved").data["auto_rule"]}
    assert large.status == OrderStatus.IN_APPROVAL


def test_an_auto_approval_rule_for_other_tiers_does_not_apply(chain):
    from tenant_apps.dealers.services import tier_create

    other = tier_create(actor=None, code="B", name="B")
    services.auto_rule_create(actor=chain.admin, name="B 级小单", max_total="1000", tiers=[other])
    assert chain.submit().status == OrderStatus.IN_APPROVAL


def test_the_first_matching_workflow_by_priority_applies(chain):
    from tenant_apps.dealers.services import tier_create

    other_tier = tier_create(actor=None, code="B", name="B")
    finance = [StepSpec(name="财务", approver_roles=["finance"])]
    services.workflow_update(actor=chain.admin, workflow=chain.workflow, priority=50)
    services.workflow_create(actor=chain.admin, name="大单", priority=10, min_total="200", steps=finance)
    services.workflow_create(actor=chain.admin, name="B 级", priority=1, tiers=[other_tier], steps=finance)
    services.workflow_create(actor=chain.admin, name="西部", priority=2, nodes=[chain.region_west], steps=finance)
    services.workflow_create(actor=chain.admin, name="停用", priority=3, active=False, steps=finance)
    east = services.workflow_create(actor=chain.admin, name="华东区域", priority=20, max_total="100",
                                    nodes=[chain.region_east], steps=finance)
    chosen = {quantity: services.workflow_for(chain.submit(quantity))[1].name for quantity in (10, 30, 50)}
    assert chosen == {10: "华东区域", 30: "两级审批", 50: "大单"}  # 50, 150 and 250 yuan
    services.workflow_update(actor=chain.admin, workflow=east, nodes=[], territories=[chain.shanghai])
    assert services.workflow_for(chain.submit(10))[1].name == "华东区域"
    from tenant_apps.catalog.services import category_create

    other = category_create(actor=None, parent=None, code="OTHER", name="其他")
    services.workflow_update(actor=chain.admin, workflow=east, categories=[other])
    assert services.workflow_for(chain.submit(10))[1].name == "两级审批"
    services.workflow_update(actor=chain.admin, workflow=east, categories=[chain.sku.product.category])
    assert services.workflow_for(chain.submit(10))[1].name == "华东区域"


def test_choosing_the_workflow_costs_one_query_however_many_workflows(chain, count_queries):
    finance = [StepSpec(name="财务", approver_roles=["finance"]), StepSpec(name="总部", approver_roles=["admin"])]
    for number in range(5):
        services.workflow_create(actor=chain.admin, name=f"大单 {number}", priority=number + 1,
                                 min_total="100000", steps=finance)
    order = order_get_for(actor=chain.admin, order_id=chain.submit().pk)
    with count_queries() as queries:  # the auto-approval rules and the active workflows (without their steps)
        rule, workflow = services.workflow_for(order)
    assert len(queries.sql) == 1
    assert (rule, workflow.name) == (None, "两级审批")


def test_a_step_is_skipped_below_its_amount(chain):
    services.workflow_update(actor=chain.admin, workflow=chain.workflow, steps=[
        *[services._step_spec(s) for s in chain.workflow.steps.all()],
        StepSpec(name="财务", approver_roles=["finance"], skip_below=Decimal("200"))])
    small, large = chain.submit(10), chain.submit(50)  # 50 and 250 yuan
    for order in (small, large):
        services.approval_decide(actor=chain.rm_east, order=order, decision="approve")
        services.approval_decide(actor=chain.rep, order=order, decision="approve")
    small.refresh_from_db()
    large.refresh_from_db()
    assert small.status == OrderStatus.APPROVED and steps_of(small)[-1] == ("财务", "skipped", None)
    assert large.status == OrderStatus.IN_APPROVAL and steps_of(large)[-1] == ("财务", "pending", None)
    services.approval_decide(actor=chain.finance, order=large, decision="approve")
    large.refresh_from_db()
    assert large.status == OrderStatus.APPROVED


def test_an_overdue_step_is_escalated_once_by_the_periodic_task(chain):
    from tenant_apps.approvals.tasks import approvals_escalate_due

    services.workflow_update(actor=chain.admin, workflow=chain.workflow, steps=[
        StepSpec(name="区域经理", approver_roles=["regional_manager"], scope="region", timeout_hours=24,
                 on_timeout="escalate", escalate_roles=["finance"]),
        StepSpec(name="总部销售", approver_roles=["sales_rep"])])
    order = chain.submit()
    pending = OrderApproval.objects.get(order=order)
    assert pending.due_at is not None
    later = timezone.now() + timedelta(hours=23)
    assert approvals_escalate_due.delay(later.isoformat()).get() == 0
    later = timezone.now() + timedelta(hours=25)
    assert approvals_escalate_due.delay(later.isoformat()).get() == 1
    assert approvals_escalate_due.delay(later.isoformat()).get() == 0  # idempotent
    assert steps_of(order) == [("区域经理", "escalated", None), ("区域经理 (escalated)", "pending", None)]
    assert [a.order_id for a in selectors.approval_inbox(actor=chain.finance)] == [order.pk]
    assert list(selectors.approval_inbox(actor=chain.rm_east)) == []
    assert order.events.filter(kind="approval", data__status="escalated").count() == 1
    services.approval_decide(actor=chain.finance, order=order, decision="approve")
    assert steps_of(order)[-1] == ("总部销售", "pending", None)


def test_an_overdue_step_can_approve_itself(chain):
    services.workflow_update(actor=chain.admin, workflow=chain.workflow, steps=[
        StepSpec(name="区域经理", approver_roles=["regional_manager"], scope="region", timeout_hours=48,
                 on_timeout="auto_approve")])
    order = chain.submit()
    assert services.approvals_escalate_due(now=timezone.now() + timedelta(hours=49)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert steps_of(order) == [("区域经理", "approved", None)]


def test_a_step_without_a_timeout_action_is_left_waiting(chain):
    services.workflow_update(actor=chain.admin, workflow=chain.workflow, steps=[
        StepSpec(name="区域经理", approver_roles=["regional_manager"], scope="region", timeout_hours=1)])
    order = chain.submit()
    assert services.approvals_escalate_due(now=timezone.now() + timedelta(hours=2)) == 0
    assert steps_of(order) == [("区域经理", "pending", None)]


def test_bulk_approve_reports_each_order(chain):
    mine, other_step, gone = chain.submit(), chain.submit(), chain.submit()
    services.approval_decide(actor=chain.rm_east, order=other_step, decision="approve")
    services.approval_decide(actor=chain.rm_east, order=gone, decision="reject", reason="no")
    results = services.approval_bulk_approve(actor=chain.rm_east, order_ids=[mine.pk, other_step.pk, gone.pk,
                                                                             999999])
    assert [(r.order_id, r.ok, r.code) for r in results] == [
        (mine.pk, True, ""), (other_step.pk, False, "not_your_step"), (gone.pk, False, "illegal_transition"),
        (999999, False, "order_not_found")]
    assert steps_of(mine)[0] == ("区域经理", "approved", chain.rm_east.pk)
    with pytest.raises(ApprovalInvalid):
        services.approval_bulk_approve(actor=chain.rm_east, order_ids=[])


def test_restarting_after_an_edit(chain):
    order = chain.submit()
    services.approval_decide(actor=chain.rm_east, order=order, decision="approve")
    services.approval_restart(actor=chain.admin, order=order, reason="改了数量")
    assert order.status == OrderStatus.IN_APPROVAL
    assert steps_of(order) == [("区域经理", "approved", chain.rm_east.pk), ("总部销售", "superseded", None),
                               ("区域经理", "pending", None)]
    services.approval_decide(actor=chain.rm_east, order=order, decision="approve")
    services.approval_decide(actor=chain.rep, order=order, decision="approve")
    order.refresh_from_db()
    services.approval_restart(actor=chain.admin, order=order, reason="改了地址")
    order.refresh_from_db()
    assert (order.status, order.revision) == (OrderStatus.DRAFT, 2)


def test_bad_workflows_are_refused_with_field_errors_and_nothing_saved(chain):
    with pytest.raises(ApprovalInvalid) as bad:
        services.workflow_create(actor=chain.admin, name="", priority=0, min_total="500", max_total="100", steps=[
            StepSpec(name="", approver_roles=["warehouse"]),
            StepSpec(name="指定人", scope="user"),
            StepSpec(name="超时", approver_roles=["finance"], on_timeout="escalate"),
        ])
    assert bad.value.fields == {
        "name": ["Give the workflow a name."], "priority": ["Enter a number from 1 to 10000."],
        "max_total": ["The upper bound is below the lower bound."],
        "steps.1.name": ["Give the step a name."],
        "steps.1.approver_roles": ["These roles cannot approve orders: warehouse."],
        "steps.2.approver": ["Choose the person who approves."],
        "steps.3.timeout_hours": ["Set a timeout for this to happen."],
        "steps.3.escalate_roles": ["Choose the roles or the person to escalate to."],
    }
    with pytest.raises(ApprovalInvalid) as bad_person:
        services.workflow_create(actor=chain.admin, name="x", steps=[
            StepSpec(name="仓库", scope="user", approver=chain.warehouse)])
    assert bad_person.value.fields == {"steps.1.approver": ["This person cannot approve orders."]}
    assert list(ApprovalWorkflow.objects.filter(active=True)) == [chain.workflow]  # beside sign-up's, turned off


def test_workflow_changes_are_audited(chain):
    services.workflow_update(actor=chain.admin, workflow=chain.workflow, name="两级", active=False)
    entry = AuditEntry.objects.filter(action="approvals.workflow.updated", target_id=str(chain.workflow.pk)).get()
    assert (entry.before["name"], entry.after["name"], entry.after["active"]) == ("两级审批", "两级", False)
    assert [s["name"] for s in entry.after["steps"]] == ["区域经理", "总部销售"]
    services.workflow_delete(actor=chain.admin, workflow=chain.workflow)
    assert AuditEntry.objects.filter(action="approvals.workflow.deleted").count() == 1


def test_the_demo_seed_builds_the_three_step_chain_and_an_auto_rule_once(people):
    from shared_apps.demo.approvals import seed_approvals
    from tenant_apps.approvals.models import AutoApprovalRule
    from tenant_apps.dealers.services import tier_create

    seed_approvals(brand_slug="acme")
    seed_approvals(brand_slug="acme")
    workflow = ApprovalWorkflow.objects.get(active=True)  # sign-up's confirmation step was turned off
    assert [(s.name, s.approver_roles, s.scope, s.skip_below) for s in workflow.steps.all()] == [
        ("区域经理审批", ["regional_manager"], "region", None), ("总部销售审批", ["sales_rep", "admin"], "hq", None),
        ("财务审批", ["finance"], "hq", Decimal("50000.00"))]
    rule = AutoApprovalRule.objects.get()
    assert (rule.max_total, [t.code for t in rule.tiers.all()]) == (Decimal("2000.00"), ["A"])
    assert people.submit().status == OrderStatus.APPROVED  # the store's dealer is of tier A: a small order
    from tenant_apps.dealers.services import dealer_update

    dealer_update(actor=None, dealer=people.dealer, tier=tier_create(actor=None, code="B", name="B 级"))
    people.dealer.refresh_from_db()
    order = people.submit()
    assert order.status == OrderStatus.IN_APPROVAL
    assert [a.name for a in selectors.approval_inbox(actor=people.rm_east)] == ["区域经理审批"]
