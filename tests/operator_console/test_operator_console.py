"""The operator console: operator staff only; every action needs a reason and is audited."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from shared_apps.operator_console.models import OperatorAuditLog
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_create
from tenants import services as tenant_services
from tenants.models import Tenant
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def non_operator_client(db, public_client):
    user_create(actor=None, email="someone@platform.test", password=DEFAULT_PASSWORD)
    assert public_client.post("/accounts/login/", {"username": "someone@platform.test",
                                                    "password": DEFAULT_PASSWORD}).status_code == 302
    return public_client


@pytest.fixture
def brand_owner_client(tenant_a):
    """The owner of tenant A, signed in on A's host."""
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/",
                       {"username": "owner@acme.test", "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _post(client, tenant, action, **data):
    return client.post(f"/operator/tenants/{tenant.pk}/{action}/", data)


PAGES = ["/operator/", "/operator/audit/", "/operator/tenants/{pk}/"]


@pytest.mark.parametrize("page", PAGES)
def test_console_refuses_everyone_but_operators(page, tenant_a, public_client, non_operator_client, operator_client):
    url = page.format(pk=tenant_a.pk)
    anonymous = host_client("localhost").get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert non_operator_client.get(url).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_console_serves_operators(page, tenant_a, operator_client):
    assert operator_client.get(page.format(pk=tenant_a.pk)).status_code == 200


def test_console_does_not_exist_on_tenant_hosts(tenant_a, brand_owner_client):
    assert brand_owner_client.get("/operator/").status_code == 404


def test_tenant_list_search_filter_and_sort(tenant_a, tenant_b, operator_client):
    tenant_services.tenant_suspend(actor="test", tenant=tenant_b, reason="setup")
    rows = lambda response: [t.slug for t in response.context["listing"].page.object_list]  # noqa: E731
    assert rows(operator_client.get("/operator/", {"sort": "name"})) == ["acme", "globex"]
    assert rows(operator_client.get("/operator/", {"sort": "-name"})) == ["globex", "acme"]
    assert rows(operator_client.get("/operator/", {"q": "glob"})) == ["globex"]
    assert rows(operator_client.get("/operator/", {"q": "acme.localhost"})) == ["acme"]
    assert rows(operator_client.get("/operator/", {"status": "suspended"})) == ["globex"]
    assert rows(operator_client.get("/operator/", {"status": "active", "sort": "nonsense"})) == ["acme"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    empty = operator_client.get("/operator/", {"created_from": tomorrow})
    assert rows(empty) == [] and "No tenants match" in empty.content.decode()


def test_tenant_detail_shows_usage_domains_and_history(tenant_a, operator_client):
    page = operator_client.get(f"/operator/tenants/{tenant_a.pk}/")
    usage = page.context["usage"]
    assert usage["users"] == 1
    assert (usage["dealers"], usage["skus"], usage["orders_this_month"]) == (0, 0, 0)
    assert usage["database_bytes"] > 0
    body = page.content.decode()
    assert "acme.localhost" in body
    assert "Workspace created" in body and "tenants.tenant.provisioned" not in body  # a label, not the code


def test_suspend_and_restore_from_the_console_are_audited(tenant_a, operator_client):
    assert _post(operator_client, tenant_a, "suspend", reason="Invoice 2026-11 unpaid").status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).status == "suspended"
    assert host_client("acme.localhost").get("/").status_code == 403
    entry = OperatorAuditLog.objects.get()
    assert (entry.action, entry.actor_email, entry.tenant_slug, entry.reason) == (
        "operator.tenant.suspended", "ops@platform.test", "acme", "Invoice 2026-11 unpaid")
    assert (entry.before["status"], entry.after["status"]) == ("active", "suspended")

    _post(operator_client, tenant_a, "restore", reason="Paid")
    assert Tenant.objects.get(pk=tenant_a.pk).status == "active"
    assert list(OperatorAuditLog.objects.values_list("action", flat=True)) == [
        "operator.tenant.restored", "operator.tenant.suspended"]


def test_history_and_audit_read_as_words_in_chinese(tenant_a, operator_client):
    """Operator history and audit entries show translated labels, never dotted codes or status codes."""
    _post(operator_client, tenant_a, "suspend", reason="欠费")
    audit = operator_client.get("/operator/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "停用了工作台" in audit and "正常 → 已停用" in audit
    assert "operator.tenant.suspended" not in audit and "active → suspended" not in audit
    detail = operator_client.get(f"/operator/tenants/{tenant_a.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "工作台已开通" in detail and "已停用" in detail
    assert "tenants.tenant." not in detail and "(pool)" not in detail and "(clone)" not in detail


def test_an_action_without_a_reason_changes_nothing(tenant_a, operator_client):
    response = _post(operator_client, tenant_a, "suspend", reason="  ")
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).status == "active"
    assert not OperatorAuditLog.objects.exists()
    followed = operator_client.get(response["Location"])
    assert "Give a reason for this action." in followed.content.decode()


@pytest.mark.parametrize("action", ["suspend", "restore", "delete", "support", "support-end", "backup"])
def test_actions_are_refused_to_non_operators_and_change_nothing(action, tenant_a, non_operator_client,
                                                                 django_capture_on_commit_callbacks):
    from tenants.models import TenantBackup

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = _post(non_operator_client, tenant_a, action, reason="x", minutes=60)
    assert response.status_code == 403
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.status, tenant.support_until, tenant.purge_after) == ("active", None, None)
    assert not OperatorAuditLog.objects.exists()
    assert not queued and not TenantBackup.objects.exists()


def test_schedule_deletion_backs_the_data_up_and_purges_after_the_grace_period_and_the_backup_brings_it_back(
    tenant_a, operator_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tenants.models import TenantBackup
    from tenants.services_backup import tenant_backup_restore_new

    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    with schema_context("t_acme"):
        user_create(actor=None, email="stays@acme.test", password=DEFAULT_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        _post(operator_client, tenant_a, "delete", reason="Customer left")
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert tenant.status == "deleted"
    assert tenant.purge_after.date() == (timezone.now() + timedelta(days=30)).date()
    [backup] = TenantBackup.objects.filter(tenant=tenant)
    assert (tmp_path / backup.storage_name).exists()
    assert tenant.status_changes.filter(action="tenants.tenant.exported", reason=backup.storage_name).exists()
    assert host_client("acme.localhost").get("/").status_code == 404

    assert tenant_services.tenants_purge_due() == []  # still within the grace period
    assert tenant_services.tenants_purge_due(now=timezone.now() + timedelta(days=31)) == ["t_acme"]
    assert not schema_exists("t_acme")
    # the archive outlives the purge, and the brand's data comes back from it as a new workspace
    again = tenant_backup_restore_new(actor="ops", source=TenantBackup.objects.get().storage_name, slug="acme-back")
    with schema_context(again.schema_name):
        assert User.objects.filter(email="stays@acme.test").exists()


def test_support_access_is_time_limited_audited_and_shown_to_the_tenant(tenant_a, operator_client, brand_owner_client):
    entering_closed = operator_client.post(f"/operator/tenants/{tenant_a.pk}/support/enter/")
    assert entering_closed["Location"] == f"/operator/tenants/{tenant_a.pk}/"

    _post(operator_client, tenant_a, "support", reason="Ticket #4711: prices look wrong", minutes=60)
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert tenant.support_operator == "ops@platform.test"
    assert timedelta(minutes=59) < tenant.support_until - timezone.now() <= timedelta(minutes=60)
    # the owner reads the console in their own language (zh-Hans, chosen at sign-up)
    banner = '<div class="banner support" role="status">平台技术支持（ops@platform.test）'
    assert banner in brand_owner_client.get("/console/").content.decode()

    entered = operator_client.post(f"/operator/tenants/{tenant_a.pk}/support/enter/")
    assert entered["Location"].startswith("http://acme.localhost/accounts/handoff/")
    support = host_client("acme.localhost")
    console = support.get(entered["Location"].removeprefix("http://acme.localhost"), follow=True)
    assert console.redirect_chain[-1][0] == "/console/"
    assert console.context["user"].is_support is True
    assert list(OperatorAuditLog.objects.values_list("action", flat=True)) == [
        "operator.tenant.support_entered", "operator.tenant.support_granted"]

    _post(operator_client, tenant_a, "support-end")
    assert support.get("/console/").status_code == 302  # signed out the moment access ended
    assert banner not in brand_owner_client.get("/console/").content.decode()
