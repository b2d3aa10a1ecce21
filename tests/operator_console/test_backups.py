"""The operator console's Backups section of a tenant: the tenant's backups newest first, "Back up now" with a
reason (audited, the backup made by tenants.services_backup.tenant_backup as a task), and the archive's download."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.operator_console import services
from shared_apps.operator_console.errors import OperatorActionInvalid
from shared_apps.operator_console.models import OperatorAuditLog
from tenant_apps.accounts.services import user_create
from tenants import services as tenant_services
from tenants.models import Tenant, TenantBackup
from tenants.services_backup import tenant_backup
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def backups_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def _page(client, tenant, language="en") -> str:
    response = client.get(f"/operator/tenants/{tenant.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _listed(body: str) -> list[int]:
    """The backups the page lists, in its order."""
    return [int(pk) for pk in re.findall(r'<tr data-backup="(\d+)">', body)]


def _back_up_now(client, tenant, capture, **data):
    with capture(execute=True):
        return client.post(f"/operator/tenants/{tenant.pk}/backup/", data)


def _rows(count: int, tenant: Tenant) -> list[TenantBackup]:
    """`count` backup records of the tenant, a day apart, the newest first (no archives behind them)."""
    now = timezone.now()
    return TenantBackup.objects.bulk_create([
        TenantBackup(tenant=tenant, schema_name=tenant.schema_name, slug=tenant.slug, size=2048 + n,
                     storage_name=f"{tenant.schema_name}/{tenant.schema_name}-{n:03d}.dmsbak.zip", sha256=f"{n:064x}",
                     version="v", scheduled=True, summary={"rows": {"a": n, "b": 1}, "files": n},
                     created_at=now - timedelta(days=n))
        for n in range(count)])


def test_with_no_backup_the_section_says_so(tenant_a, operator_client):
    body = _page(operator_client, tenant_a)
    assert "No backups yet" in body and 'id="backup-list"' not in body
    assert 'data-open="dlg-backup"' in body and 'id="dlg-backup"' in body


def test_back_up_now_makes_a_backup_listed_first_with_its_details_and_audited(
    tenant_a, operator_client, backups_storage, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema_name):
        user_create(actor=None, email="kept@acme.test", password=DEFAULT_PASSWORD)
    earlier = tenant_backup(actor="system", tenant=tenant_a, scheduled=True)

    response = _back_up_now(operator_client, tenant_a, django_capture_on_commit_callbacks,
                            reason="Before the price list import")
    assert response.status_code == 302 and response["Location"] == f"/operator/tenants/{tenant_a.pk}/"
    made = TenantBackup.objects.exclude(pk=earlier.pk).get()
    assert (made.tenant_id, made.scheduled) == (tenant_a.pk, False)
    assert (backups_storage / made.storage_name).stat().st_size == made.size
    entry = OperatorAuditLog.objects.get()
    assert (entry.action, entry.actor_email, entry.tenant_slug, entry.reason) == (
        "operator.tenant.backup_requested", "ops@platform.test", "acme", "Before the price list import")
    assert tenant_a.status_changes.filter(action="tenants.tenant.backed_up", actor="ops@platform.test",
                                          reason=made.storage_name).exists()

    body = operator_client.get(response["Location"]).content.decode()
    assert "Backup started: it is listed under Backups when it is done." in body
    assert _listed(body) == [made.pk, earlier.pk]
    row = body.split(f'<tr data-backup="{made.pk}">')[1].split("</tr>")[0]
    assert "By hand" in row and f'<code title="{made.sha256}">{made.sha256[:12]}</code>' in row
    assert made.storage_name.rsplit("/", 1)[1] in row and made.storage_name not in row
    total = sum(made.summary["rows"].values())
    assert total >= 2 and f'<td class="num">{total}</td>' in row  # the owner and the user made above, at least
    assert f'<td class="num">{made.summary["files"]}</td>' in row
    assert re.search(r'<td class="num">\d+\.\d (KB|MB)</td>', row)
    assert "Scheduled" in body.split(f'<tr data-backup="{earlier.pk}">')[1].split("</tr>")[0]
    assert "Started a backup" in body  # the operator actions list, as words

    chinese = _page(operator_client, tenant_a, "zh-hans")
    assert "立即备份" in chinese and "手工" in chinese and "定时" in chinese and "发起了备份" in chinese


def test_the_actions_messages_are_in_the_operators_language(tenant_a, operator_client, backups_storage,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(f"/operator/tenants/{tenant_a.pk}/backup/", {"reason": "检查"},
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "备份已开始，完成后会列在“备份”中。" in _page(operator_client, tenant_a, "zh-hans")
    # the same message in either language, whichever the first request that loaded the views spoke
    for language, done in (("en", "Workspace suspended."), ("zh-hans", "工作台已停用。")):
        operator_client.post(f"/operator/tenants/{tenant_a.pk}/suspend/", {"reason": "Unpaid"},
                             HTTP_ACCEPT_LANGUAGE=language)
        assert done in _page(operator_client, tenant_a, language)
        tenant_services.tenant_restore(actor="test", tenant=Tenant.objects.get(pk=tenant_a.pk), reason="again")


def test_back_up_now_without_a_reason_writes_nothing(tenant_a, operator_client, backups_storage,
                                                     django_capture_on_commit_callbacks):
    response = _back_up_now(operator_client, tenant_a, django_capture_on_commit_callbacks, reason="  ")
    assert response.status_code == 302
    assert not TenantBackup.objects.exists() and not OperatorAuditLog.objects.exists()
    assert not any(backups_storage.iterdir())
    assert "Give a reason for this action." in operator_client.get(response["Location"]).content.decode()


def test_a_deleted_workspace_can_be_backed_up_and_a_purged_one_cannot(
    tenant_a, operator, operator_client, backups_storage, django_capture_on_commit_callbacks
):
    tenant_services.tenant_delete(actor="test", tenant=tenant_a, reason="Customer left")
    _back_up_now(operator_client, tenant_a, django_capture_on_commit_callbacks, reason="Before the purge")
    assert TenantBackup.objects.filter(tenant=tenant_a, scheduled=False).count() == 1

    stale = Tenant.objects.get(pk=tenant_a.pk)
    tenant_services.tenant_purge(actor="test", tenant=stale, confirm_slug="acme")
    assert _back_up_now(operator_client, stale, django_capture_on_commit_callbacks, reason="x").status_code == 404
    with pytest.raises(OperatorActionInvalid, match="purged"):
        services.operator_tenant_backup(operator=operator, tenant=stale, reason="x")
    assert OperatorAuditLog.objects.filter(action="operator.tenant.backup_requested").count() == 1
    assert TenantBackup.objects.count() == 1  # the archive outlives the purge; nothing new


def test_the_page_costs_the_same_queries_for_0_1_15_or_25_backups_and_shows_20(tenant_a, operator_client,
                                                                                count_queries):
    def queries() -> tuple[int, str]:
        with count_queries() as captured:
            body = _page(operator_client, tenant_a)
        return len(captured.sql), body

    none, _body = queries()
    rows = _rows(25, tenant_a)
    TenantBackup.objects.filter(pk__in=[r.pk for r in rows[1:]]).update(tenant=None)
    one, body = queries()
    assert len(_listed(body)) == 1 and "older backup" not in body
    TenantBackup.objects.filter(pk__in=[r.pk for r in rows[1:15]]).update(tenant=tenant_a)
    fifteen, body = queries()
    assert _listed(body) == [r.pk for r in rows[:15]]
    TenantBackup.objects.update(tenant=tenant_a)
    twenty_five, body = queries()
    assert _listed(body) == [r.pk for r in rows[:20]]  # the newest 20, newest first
    assert "5 older backups not shown." in body
    assert none == one == fifteen == twenty_five


def test_another_tenants_backups_are_not_listed(tenant_a, tenant_b, operator_client):
    [theirs] = _rows(1, tenant_b)
    assert _listed(_page(operator_client, tenant_a)) == []
    assert _listed(_page(operator_client, tenant_b)) == [theirs.pk]


def test_the_operator_downloads_an_archive_as_an_attachment_and_it_is_audited(
    tenant_a, tenant_b, operator_client, backups_storage
):
    backup = tenant_backup(actor="system", tenant=tenant_a)
    response = operator_client.get(f"/operator/tenants/{tenant_a.pk}/backups/{backup.pk}/download/")
    assert response.status_code == 200 and response.streaming
    name = backup.storage_name.rsplit("/", 1)[1]
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Type"] == "application/zip"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == backup.sha256
    entry = OperatorAuditLog.objects.get()
    assert (entry.action, entry.actor_email, entry.tenant_slug, entry.after["backup"]) == (
        "operator.tenant.backup_downloaded", "ops@platform.test", "acme", backup.storage_name)

    # under another tenant's address, or gone from the storage: not found, and nothing audited
    assert operator_client.get(f"/operator/tenants/{tenant_b.pk}/backups/{backup.pk}/download/").status_code == 404
    (backups_storage / backup.storage_name).unlink()
    assert operator_client.get(f"/operator/tenants/{tenant_a.pk}/backups/{backup.pk}/download/").status_code == 404
    assert OperatorAuditLog.objects.count() == 1


def test_a_non_operator_cannot_download_an_archive(tenant_a, public_client, backups_storage):
    backup = tenant_backup(actor="system", tenant=tenant_a)
    url = f"/operator/tenants/{tenant_a.pk}/backups/{backup.pk}/download/"
    anonymous = host_client("localhost").get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    user_create(actor=None, email="someone@platform.test", password=DEFAULT_PASSWORD)
    assert public_client.post("/accounts/login/", {"username": "someone@platform.test",
                                                    "password": DEFAULT_PASSWORD}).status_code == 302
    assert public_client.get(url).status_code == 403
    assert not OperatorAuditLog.objects.exists()
