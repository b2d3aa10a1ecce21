"""The operator's subscription actions on a tenant's page: extend the trial, give periods free, change the plan.
Each needs a reason, is recorded in the subscription's history and the operator audit log (one transaction), and
bad input shows the dialog again with its errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing_saas.models import Plan, Subscription, SubscriptionChange
from billing_saas.services import add_interval
from shared_apps.operator_console.models import OperatorAuditLog
from tenant_apps.accounts.services import user_create
from tenants.models import Tenant
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def _post(client, tenant, action, **data):
    return client.post(f"/operator/tenants/{tenant.pk}/subscription/{action}/", data)


def _subscription(tenant) -> Subscription:
    return Subscription.objects.select_related("plan").get(tenant=tenant)


def _changes(tenant) -> list[str]:
    return list(SubscriptionChange.objects.filter(subscription__tenant=tenant).values_list("action", flat=True))


def test_the_tenant_page_shows_the_subscription_its_usage_against_limits_and_history(tenant_a, operator_client):
    body = operator_client.get(f"/operator/tenants/{tenant_a.pk}/").content.decode()
    section = body.split('id="subscription"')[1].split('id="usage"')[0]
    assert 'id="subscription-state">Trial</span>' in section
    # the test workspaces are on growth (tests/conftest.py)
    assert "Growth" in section.split('id="subscription-plan"')[1] and "CN¥6,999.00 / monthly" in section
    limits = section.split('id="usage-limits"')[1]
    assert '<tr data-resource="users"><td>Users</td><td class="num">1</td>' in limits
    assert '<td class="num">200</td>' in limits and ">0%</span>" in limits  # one user of 200
    history = section.split('id="subscription-history"')[1]
    assert "Trial started" in history and "billing.subscription." not in history
    for dialog in ("dlg-trial", "dlg-comp", "dlg-plan"):
        assert f'data-open="{dialog}"' in body and f'<dialog id="{dialog}">' in body


def test_extend_the_trial_with_a_reason(tenant_a, operator_client):
    ends = _subscription(tenant_a).trial_ends_at
    response = _post(operator_client, tenant_a, "trial-extend", days=14, reason="Pilot with 3 provinces")
    assert response.status_code == 302 and response["Location"] == f"/operator/tenants/{tenant_a.pk}/"
    subscription = _subscription(tenant_a)
    assert subscription.trial_ends_at == ends + timedelta(days=14)
    assert Tenant.objects.get(pk=tenant_a.pk).trial_ends_at == subscription.trial_ends_at  # mirrored
    change = SubscriptionChange.objects.filter(subscription=subscription).first()
    assert (change.action, change.actor, change.reason) == (
        "billing.subscription.trial_extended", "ops@platform.test", "Pilot with 3 provinces")
    entry = OperatorAuditLog.objects.get()
    assert (entry.action, entry.actor_email, entry.tenant_slug, entry.reason, entry.after["days"]) == (
        "operator.subscription.trial_extended", "ops@platform.test", "acme", "Pilot with 3 provinces", 14)
    assert entry.before["trial_ends_at"] == ends.isoformat()
    page = operator_client.get(response["Location"]).content.decode()
    assert "Trial extended." in page and "Extended the trial" in page.split('id="operator-audit"')[1]
    assert "Pilot with 3 provinces" in page.split('id="subscription-history"')[1]


def test_give_periods_free_makes_the_subscription_active(tenant_a, operator_client):
    before = timezone.now()
    _post(operator_client, tenant_a, "comp", periods=2, reason="Compensation for the outage")
    subscription = _subscription(tenant_a)
    assert subscription.state == "active"
    assert add_interval(before, "month", 2) <= subscription.current_period_end <= add_interval(
        timezone.now(), "month", 2)
    entry = OperatorAuditLog.objects.get()
    assert (entry.action, entry.reason, entry.before["state"], entry.after["state"], entry.after["periods"]) == (
        "operator.subscription.comped", "Compensation for the outage", "trialing", "active", 2)
    assert _changes(tenant_a)[0] == "billing.subscription.activated"


def test_change_the_plan(tenant_a, operator_client):
    _post(operator_client, tenant_a, "plan", plan="enterprise", reason="Signed the 2027 framework contract")
    assert _subscription(tenant_a).plan.code == "enterprise"
    assert Tenant.objects.get(pk=tenant_a.pk).plan.code == "enterprise"  # the limits follow at once
    entry = OperatorAuditLog.objects.get()
    assert (entry.action, entry.before["plan"], entry.after["plan"]) == ("operator.subscription.plan_set",
                                                                         "growth", "enterprise")
    history = operator_client.get(f"/operator/tenants/{tenant_a.pk}/").content.decode().split(
        'id="subscription-history"')[1]
    assert "Plan set by the operator" in history and "Plan: Growth → Enterprise" in history


def _assert_nothing_changed(tenant, subscription):
    assert not OperatorAuditLog.objects.exists()
    assert _changes(tenant) == ["billing.subscription.started"]
    now = _subscription(tenant)
    assert (now.state, now.plan_id, now.trial_ends_at, now.current_period_end) == (
        subscription.state, subscription.plan_id, subscription.trial_ends_at, subscription.current_period_end)


@pytest.mark.parametrize(("action", "data", "dialog", "field", "message"), [
    ("trial-extend", {"days": 14, "reason": "  "}, "dlg-trial", "reason", "This field is required."),
    ("trial-extend", {"days": 500, "reason": "Pilot"}, "dlg-trial", "days",
     "Ensure this value is less than or equal to 90."),
    ("trial-extend", {"days": "soon", "reason": "Pilot"}, "dlg-trial", "days", "Enter a whole number."),
    ("comp", {"periods": 0, "reason": "Outage"}, "dlg-comp", "periods",
     "Ensure this value is greater than or equal to 1."),
    ("comp", {"periods": 1}, "dlg-comp", "reason", "This field is required."),
    ("plan", {"plan": "platinum", "reason": "Deal"}, "dlg-plan", "plan", "Select a valid choice."),
    ("plan", {"plan": "growth", "reason": "Deal"}, "dlg-plan", "plan", "Choose another plan."),  # its own
])
def test_bad_input_shows_the_dialog_again_with_its_errors(action, data, dialog, field, message, tenant_a,
                                                          operator_client):
    subscription = _subscription(tenant_a)
    response = _post(operator_client, tenant_a, action, **data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'<dialog id="{dialog}" data-show>' in body
    shown = body.split(f'<dialog id="{dialog}"')[1].split("</dialog>")[0].split(f'id="field-{field}"')[1]
    assert f"<li>{message}" in shown.split("</ul>")[0]
    _assert_nothing_changed(tenant_a, subscription)


def test_a_trial_can_only_be_extended_in_the_trial(tenant_a, operator_client):
    _post(operator_client, tenant_a, "comp", periods=1, reason="Deal")
    subscription = _subscription(tenant_a)
    response = _post(operator_client, tenant_a, "trial-extend", days=7, reason="Pilot")
    assert response.status_code == 400
    assert "Not in a trial." in response.content.decode().split('<dialog id="dlg-trial"')[1]
    assert _subscription(tenant_a).trial_ends_at == subscription.trial_ends_at
    assert OperatorAuditLog.objects.count() == 1  # the comp only


def test_an_unknown_action_is_not_found(tenant_a, operator_client):
    assert _post(operator_client, tenant_a, "refund", reason="x").status_code == 404


@pytest.fixture
def non_operator_client(db, public_client):
    user_create(actor=None, email="someone@platform.test", password=DEFAULT_PASSWORD)
    assert public_client.post("/accounts/login/", {"username": "someone@platform.test",
                                                    "password": DEFAULT_PASSWORD}).status_code == 302
    return public_client


@pytest.mark.parametrize(("action", "data"), [
    ("trial-extend", {"days": 14}), ("comp", {"periods": 1}), ("plan", {"plan": "enterprise"})])
def test_non_operators_are_refused_and_nothing_changes(action, data, tenant_a, non_operator_client):
    subscription = _subscription(tenant_a)
    assert _post(non_operator_client, tenant_a, action, reason="x", **data).status_code == 403
    anonymous = _post(host_client("localhost"), tenant_a, action, reason="x", **data)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert _post(host_client("acme.localhost"), tenant_a, action, reason="x", **data).status_code == 404
    _assert_nothing_changed(tenant_a, subscription)


def test_the_plans_offered_are_every_plan(tenant_a, operator_client):
    Plan.objects.create(code="custom", name="Custom deal", is_public=False, sort_order=9)
    form = operator_client.get(f"/operator/tenants/{tenant_a.pk}/").context["plan_form"]
    assert [label for _code, label in form.fields["plan"].choices] == ["Starter", "Growth", "Enterprise",
                                                                      "Custom deal"]
