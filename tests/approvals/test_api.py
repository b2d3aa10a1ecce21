"""The approvals API: access by role (denied writes change nothing), decisions with their status codes
(404 outside scope, 403 not your step, 400 without a reason, 409 not waiting), bulk approval, workflow
CRUD with field errors, and an inbox in constant queries."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import APPROVALS_CONFIGURE, MATRIX, ORDERS_APPROVE, Role
from tenant_apps.accounts.services import user_create
from tenant_apps.approvals.models import ApprovalWorkflow, OrderApproval
from tenant_apps.ordering.models import OrderStatus
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def token_client(tenant, user):
    with schema_context(tenant.schema_name):
        key = Token.objects.get_or_create(user=user)[0].key
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}")


WORKFLOW = {"name": "大单审批", "priority": 5, "min_total": "1000.00", "steps": [
    {"name": "区域经理", "approver_roles": ["regional_manager"], "scope": "region", "timeout_hours": 24,
     "on_timeout": "escalate", "escalate_roles": ["admin"]},
    {"name": "财务", "approver_roles": ["finance"], "skip_below": "50000.00"}]}


@pytest.mark.parametrize("role", [None, *[role.value for role in Role]])
def test_each_role_gets_what_the_matrix_grants(role, chain, in_tenant):
    user = None
    if role == Role.OWNER:
        user = User.objects.get(email="owner@acme.test")
    elif role:
        user = user_create(actor=None, email=f"{role}@api.test", password=DEFAULT_PASSWORD, role=role,
                           dealer=chain.dealer if role.startswith("dealer") else None)
    client = token_client(chain.tenant, user) if user else host_client("acme.localhost")
    order = chain.submit()
    granted = MATRIX.get(role, frozenset()) if role else frozenset()

    def expect(capability, success):
        return 401 if role is None else success if capability in granted else 403

    with in_tenant(chain.tenant):
        assert client.get("/api/v1/approvals/inbox/").status_code == expect(ORDERS_APPROVE, 200)
        response = client.post("/api/v1/approvals/bulk-approve/", {"orders": [order.pk]},
                               content_type="application/json")
        assert response.status_code == expect(ORDERS_APPROVE, 200)
        assert client.get("/api/v1/approval-workflows/").status_code == expect(APPROVALS_CONFIGURE, 200)
        response = client.post("/api/v1/approval-workflows/", WORKFLOW, content_type="application/json")
        assert response.status_code == expect(APPROVALS_CONFIGURE, 201)
        response = client.post(f"/api/v1/orders/{order.pk}/approve/", {}, content_type="application/json")
        # Nobody but the dealer's regional manager may take the first step; these users are not that.
        assert response.status_code == {None: 401}.get(role, 403 if ORDERS_APPROVE not in granted or
                                                         role in ("owner", "admin", "finance", "support") else 404)
    with in_tenant(chain.tenant):
        assert ApprovalWorkflow.objects.filter(active=True).count() == (2 if APPROVALS_CONFIGURE in granted else 1)
        assert list(OrderApproval.objects.filter(order=order).values_list("status", flat=True)) == ["pending"]


def test_decisions_answer_with_clear_status_codes(chain, in_tenant):
    order = chain.submit()
    path = f"/api/v1/orders/{order.pk}"
    west = token_client(chain.tenant, chain.rm_west).post(f"{path}/approve/", {}, content_type="application/json")
    assert (west.status_code, west.json()["code"]) == (404, "order_not_found")
    assert token_client(chain.tenant, chain.warehouse).post(f"{path}/approve/").status_code == 403
    assert token_client(chain.tenant, chain.buyer).post(f"{path}/approve/").status_code == 403
    admin = token_client(chain.tenant, chain.admin).post(f"{path}/approve/", {}, content_type="application/json")
    assert (admin.status_code, admin.json()["code"]) == (403, "not_your_step")
    east = token_client(chain.tenant, chain.rm_east)
    no_reason = east.post(f"{path}/reject/", {"reason": ""}, content_type="application/json")
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"] == {"reason": ["A reason is required for this decision."]}
    approved = east.post(f"{path}/approve/", {"reason": "同意"}, content_type="application/json")
    assert approved.status_code == 200
    assert approved.json() == {"id": order.pk, "number": order.number, "status": "in_approval", "revision": 1,
                               "waiting_for": "总部销售"}
    back = token_client(chain.tenant, chain.rep).post(f"{path}/send-back/", {"reason": "少了一箱"},
                                                      content_type="application/json")
    assert back.status_code == 200 and back.json()["status"] == "draft" and back.json()["revision"] == 2
    again = token_client(chain.tenant, chain.rep).post(f"{path}/approve/", {}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")
    assert "Draft" in again.json()["detail"]
    assert token_client(chain.tenant, chain.rep).post("/api/v1/orders/abc/approve/").status_code == 404
    with in_tenant(chain.tenant):
        assert token_client(chain.tenant, chain.rep).post("/api/v1/orders/99999999/approve/").status_code == 404


def test_rejecting_through_the_api_closes_the_order(chain, in_tenant):
    order = chain.submit()
    response = token_client(chain.tenant, chain.rm_east).post(f"/api/v1/orders/{order.pk}/reject/",
                                                              {"reason": "价格不对"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    with in_tenant(chain.tenant):
        order.refresh_from_db()
        assert order.status == OrderStatus.REJECTED and order.reservations.filter(quantity__gt=0).count() == 0


def test_bulk_approve_reports_each_order(chain, in_tenant):
    mine, theirs = chain.submit(), chain.submit()
    with in_tenant(chain.tenant):
        from tenant_apps.approvals.services import approval_decide

        approval_decide(actor=chain.rm_east, order=theirs, decision="approve")
    response = token_client(chain.tenant, chain.rm_east).post("/api/v1/approvals/bulk-approve/",
                                                              {"orders": [mine.pk, theirs.pk]},
                                                              content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["approved"] == 1
    assert [(r["order_id"], r["ok"], r["code"]) for r in body["results"]] == [
        (mine.pk, True, ""), (theirs.pk, False, "not_your_step")]
    bad = token_client(chain.tenant, chain.rm_east).post("/api/v1/approvals/bulk-approve/", {"orders": []},
                                           content_type="application/json")
    assert bad.status_code == 400 and "orders" in bad.json()["fields"]


def test_the_inbox_lists_my_orders_in_constant_queries(chain, in_tenant, count_queries):
    client = token_client(chain.tenant, chain.rm_east)
    first = chain.submit()
    with in_tenant(chain.tenant), count_queries() as one:
        response = client.get("/api/v1/approvals/inbox/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["order_id"], row["number"], row["dealer_code"], row["total"], row["lines"], row["step"]) == (
        first.pk, first.number, chain.dealer.code, "50.00", 1, "区域经理")
    with in_tenant(chain.tenant):
        for _ in range(4):
            chain.submit()
    with in_tenant(chain.tenant), count_queries() as five:
        response = client.get("/api/v1/approvals/inbox/")
    assert response.json()["count"] == 5
    assert len(five.sql) == len(one.sql)


def test_workflow_crud_with_field_errors(chain, in_tenant):
    client = token_client(chain.tenant, chain.admin)
    created = client.post("/api/v1/approval-workflows/", {**WORKFLOW, "tiers": [chain.tier.pk]},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["min_total"], body["tiers"]) == ("大单审批", "1000.00", [chain.tier.pk])
    assert [(s["position"], s["name"], s["on_timeout"]) for s in body["steps"]] == [
        (1, "区域经理", "escalate"), (2, "财务", "wait")]
    wid = body["id"]
    bad = client.post("/api/v1/approval-workflows/", {**WORKFLOW, "tiers": [999999], "steps": [
        {"name": "仓库", "approver_roles": ["warehouse"]}, {"name": "某人", "scope": "user", "approver": 999999}]},
        content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"tiers": ["Unknown ids: 999999."], "steps.2.approver": ["No such person."]}
    bad = client.post("/api/v1/approval-workflows/", {**WORKFLOW, "steps": [
        {"name": "仓库", "approver_roles": ["warehouse"]}]}, content_type="application/json")
    assert bad.json()["fields"] == {"steps.1.approver_roles": ["These roles cannot approve orders: warehouse."]}
    changed = client.patch(f"/api/v1/approval-workflows/{wid}/", {"active": False, "steps": [
        {"name": "财务", "approver_roles": ["finance"]}]}, content_type="application/json")
    assert changed.status_code == 200
    assert (changed.json()["active"], changed.json()["name"], [s["name"] for s in changed.json()["steps"]]) == (
        False, "大单审批", ["财务"])
    assert client.get(f"/api/v1/approval-workflows/{wid}/").json()["active"] is False
    assert client.delete(f"/api/v1/approval-workflows/{wid}/").status_code == 204
    assert client.get(f"/api/v1/approval-workflows/{wid}/").status_code == 404
    with in_tenant(chain.tenant):
        assert list(ApprovalWorkflow.objects.filter(active=True)) == [chain.workflow]


def test_schema_lists_the_approval_endpoints(chain):
    owner = User.objects.get(email="owner@acme.test")
    schema = token_client(chain.tenant, owner).get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/approvals/inbox/", "/api/v1/approvals/bulk-approve/", "/api/v1/orders/{id}/approve/",
            "/api/v1/orders/{id}/reject/", "/api/v1/orders/{id}/send-back/", "/api/v1/approval-workflows/",
            "/api/v1/approval-workflows/{id}/"} <= set(schema["paths"])


def test_another_brand_never_reaches_these_orders_or_workflows(chain, tenant_b, in_tenant):
    order = chain.submit()
    with in_tenant(tenant_b):
        other_owner = User.objects.get(email="owner@globex.test")
    on_b = token_client(tenant_b, other_owner)
    on_b.defaults["HTTP_HOST"] = "globex.localhost"
    assert on_b.post(f"/api/v1/orders/{order.pk}/approve/").status_code == 404
    assert on_b.get(f"/api/v1/approval-workflows/{chain.workflow.pk}/").status_code == 404
    assert on_b.get("/api/v1/approvals/inbox/").json()["count"] == 0
    # A token of brand A is worthless on brand B's host.
    a_on_b = token_client(chain.tenant, chain.rm_east)
    a_on_b.defaults["HTTP_HOST"] = "globex.localhost"
    assert a_on_b.get("/api/v1/approvals/inbox/").status_code == 401
    with in_tenant(chain.tenant):
        assert OrderApproval.objects.get(order=order).status == "pending"
