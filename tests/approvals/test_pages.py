"""Console pages of the approval chain: who may open them, the inbox in constant queries, deciding on the
order page (confirm, reasons), bulk approval, and configuring workflows, steps and auto-approval rules."""

from __future__ import annotations

import pytest

from tenant_apps.approvals.models import ApprovalWorkflow, AutoApprovalRule, OrderApproval
from tenant_apps.approvals.services import approval_decide
from tenant_apps.audit.models import AuditEntry
from tenant_apps.ordering.models import OrderStatus
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def login(user, language="en"):
    client = host_client("acme.localhost", language=language)
    response = client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("who", ["buyer", "warehouse", "analyst"])
def test_people_who_cannot_approve_get_403_on_the_inbox(chain, who):
    client = login(getattr(chain, who))
    assert client.get("/console/approvals/").status_code == 403
    assert client.post("/console/approvals/bulk-approve/", {"orders": ["1"]}).status_code == 403
    assert client.get("/console/approvals/workflows/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(chain):
    response = host_client("acme.localhost").get("/console/approvals/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_warehouse_user_sees_the_order_but_cannot_approve_it(chain, in_tenant):
    order = chain.submit()
    client = login(chain.warehouse)
    page = client.get(f"/console/approvals/orders/{order.pk}/")
    assert page.status_code == 200 and b'id="approve"' not in page.content
    assert client.post(f"/console/approvals/orders/{order.pk}/approve/").status_code == 403
    with in_tenant(chain.tenant):
        assert OrderApproval.objects.get(order=order).status == "pending"


def test_the_inbox_shows_my_orders_in_constant_queries(chain, in_tenant, count_queries):
    first = chain.submit()
    client = login(chain.rm_east)
    with in_tenant(chain.tenant), count_queries() as one:
        page = client.get("/console/approvals/")
    assert page.status_code == 200
    assert [row["order"].pk for row in page.context["rows"]] == [first.pk]
    assert first.number.encode() in page.content and chain.dealer.code.encode() in page.content
    assert b"Approvals" in page.content  # navigation entry
    with in_tenant(chain.tenant):
        for _ in range(5):
            chain.submit()
    with in_tenant(chain.tenant), count_queries() as six:
        page = client.get("/console/approvals/")
    assert len(page.context["rows"]) == 6
    assert len(six.sql) == len(one.sql)
    assert login(chain.rm_west).get("/console/approvals/").context["rows"] == []


def test_another_regions_manager_gets_404_on_the_order(chain):
    order = chain.submit()
    client = login(chain.rm_west)
    assert client.get(f"/console/approvals/orders/{order.pk}/").status_code == 404
    assert client.post(f"/console/approvals/orders/{order.pk}/approve/").status_code == 404


def test_approving_on_the_order_page_moves_to_the_next_step(chain, in_tenant):
    order = chain.submit()
    client = login(chain.rm_east)
    page = client.get(f"/console/approvals/orders/{order.pk}/")
    assert page.status_code == 200
    for part in (b'id="approve"', b"data-confirm", b'id="reject-dialog"', b'id="send-back-dialog"', b"RB-250",
                 "区域经理".encode()):
        assert part in page.content
    done = client.post(f"/console/approvals/orders/{order.pk}/approve/", follow=True)
    assert messages_of(done) == [f"Order {order.number} approved at your step."]
    with in_tenant(chain.tenant):
        assert list(OrderApproval.objects.filter(order=order).values_list("name", "status")) == [
            ("区域经理", "approved"), ("总部销售", "pending")]
    # Done with their step: the page no longer offers a decision to them, but to HQ sales.
    assert b'id="approve"' not in client.get(f"/console/approvals/orders/{order.pk}/").content
    assert b'id="approve"' in login(chain.rep).get(f"/console/approvals/orders/{order.pk}/").content


def test_rejecting_without_a_reason_changes_nothing(chain, in_tenant):
    order = chain.submit()
    client = login(chain.rm_east)
    response = client.post(f"/console/approvals/orders/{order.pk}/reject/", {"reason": ""}, follow=True)
    assert messages_of(response) == ["Give a reason. A reason is required for this decision."]
    with in_tenant(chain.tenant):
        order.refresh_from_db()
        assert order.status == OrderStatus.IN_APPROVAL
    response = client.post(f"/console/approvals/orders/{order.pk}/send-back/", {"reason": "改数量"}, follow=True)
    assert messages_of(response) == [f"Order {order.number} sent back to the dealer."]
    with in_tenant(chain.tenant):
        order.refresh_from_db()
        assert (order.status, order.revision) == (OrderStatus.DRAFT, 2)


def test_bulk_approve_on_the_inbox_reports_each_order(chain, in_tenant):
    mine, theirs = chain.submit(), chain.submit()
    with in_tenant(chain.tenant):
        approval_decide(actor=chain.rm_east, order=theirs, decision="approve")
    response = login(chain.rm_east).post("/console/approvals/bulk-approve/",
                                         {"orders": [str(mine.pk), str(theirs.pk)]}, follow=True)
    assert messages_of(response) == [
        "1 orders approved at your step.",
        f"Order {theirs.pk}: Order {theirs.number} is waiting for someone else: 总部销售."]


def test_configuring_a_workflow_with_steps(chain, in_tenant):
    client = login(chain.admin)
    page = client.get("/console/approvals/workflows/")
    assert page.status_code == 200 and "两级审批".encode() in page.content
    bad = client.post("/console/approvals/workflows/new/", {"name": "大单", "priority": "1", "min_total": "500",
                                                           "max_total": "100"})
    assert bad.status_code == 200 and bad.context["form"].errors == {
        "max_total": ["The upper bound is below the lower bound."]}
    made = client.post("/console/approvals/workflows/new/", {"name": "大单", "priority": "1", "active": "on",
                                                            "min_total": "50000", "tiers": [str(chain.tier.pk)]})
    with in_tenant(chain.tenant):
        workflow = ApprovalWorkflow.objects.get(name="大单")
    assert made.status_code == 302 and made["Location"] == f"/console/approvals/workflows/{workflow.pk}/"
    path = f"/console/approvals/workflows/{workflow.pk}/"
    missing_roles = client.post(path, {"name": "财务", "scope": "hq", "on_timeout": "wait"})
    assert missing_roles.context["form"].errors == {"approver_roles": ["Choose at least one role."]}
    for name, roles in (("区域经理", ["regional_manager"]), ("财务", ["finance"])):
        assert client.post(path, {"name": name, "scope": "hq", "approver_roles": roles,
                                  "on_timeout": "wait"}).status_code == 302
    assert client.post(f"{path}steps/2/up/").status_code == 302
    with in_tenant(chain.tenant):
        assert list(workflow.steps.values_list("position", "name")) == [(1, "财务"), (2, "区域经理")]
    client.post(f"{path}steps/1/remove/")
    with in_tenant(chain.tenant):
        assert list(workflow.steps.values_list("name", flat=True)) == ["区域经理"]
        assert AuditEntry.objects.filter(action="approvals.workflow.updated", target_id=str(workflow.pk)).count() == 4
    detail = client.get(path)
    assert detail.status_code == 200 and "区域经理".encode() in detail.content
    assert client.post(f"{path}delete/").status_code == 302
    with in_tenant(chain.tenant):
        assert not ApprovalWorkflow.objects.filter(pk=workflow.pk).exists()


def test_auto_approval_rules_on_the_workflows_page(chain, in_tenant):
    client = login(chain.admin)
    response = client.post("/console/approvals/rules/", {"name": "A 级小单", "max_total": "5000",
                                                         "tiers": [str(chain.tier.pk)]}, follow=True)
    assert messages_of(response) == ["Auto-approval rule added."]
    assert "A 级小单".encode() in response.content
    with in_tenant(chain.tenant):
        rule = AutoApprovalRule.objects.get()
        assert chain.submit().status == OrderStatus.APPROVED
    client.post(f"/console/approvals/rules/{rule.pk}/delete/")
    with in_tenant(chain.tenant):
        assert not AutoApprovalRule.objects.exists()


def test_a_regional_manager_cannot_configure_workflows(chain):
    client = login(chain.rm_east)
    assert client.get("/console/approvals/workflows/").status_code == 403
    assert client.post("/console/approvals/workflows/new/", {"name": "x", "priority": "1"}).status_code == 403


def test_pages_in_chinese(chain):
    order = chain.submit()
    client = login(chain.rm_east, language="zh-hans")
    assert client.get("/console/approvals/").status_code == 200
    assert client.get(f"/console/approvals/orders/{order.pk}/").status_code == 200
    assert login(chain.admin, language="zh-hans").get("/console/approvals/workflows/").status_code == 200
