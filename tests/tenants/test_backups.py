"""Per-tenant backups (tenants.services_backup, docs/dev/backups.md): a backup restored into a new tenant equals the
original (every table's rows and checksum, the files byte for byte), a restore over the same tenant needs its
subdomain typed again, retention keeps the plan's count of daily backups, and a changed archive is refused."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from billing_saas.models import Plan
from tenant_apps.inventory.models import StockMovement
from tenant_apps.ordering.models import Order, OrderLine
from tenants import backups
from tenants.errors import BackupRefused, TenantInvalid
from tenants.models import Tenant, TenantBackup
from tenants.services_backup import (
    tenant_backup,
    tenant_backup_restore_new,
    tenant_backup_restore_over,
    tenant_backups_prune,
    tenants_backup_due,
)
from tests.factories.ordering import OrderFactory, store

IMAGE = bytes(range(256)) * 40 + b"\x00end"
DOC = "资质证书 v1\n".encode() * 500


@pytest.fixture
def stores(settings, tmp_path):
    """Media and backups in temporary folders (django-tenants' storage keeps its media root: forgotten here)."""
    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "bak")}}}
    settings.BACKUP_ROOT = str(tmp_path / "bak")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    storages["default"].__dict__.pop("relative_media_root", None)
    yield tmp_path
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture
def world(tenant_a, stores, in_tenant):
    """Acme with a dealer, stock received in two warehouses, two orders (stock allocated) and two uploaded files."""
    with in_tenant(tenant_a):
        shop = store()
        OrderFactory(actor=shop.buyer, dealer=shop.dealer, lines=[(shop.sku, 24), (shop.water, 5)])
        OrderFactory(actor=shop.buyer, dealer=shop.dealer, lines=[(shop.sku, 3)])
        default_storage.save("catalog/images/a1.png", ContentFile(IMAGE))
        default_storage.save("qualifications/2026/licence.pdf", ContentFile(DOC))
        counts = (Order.objects.count(), OrderLine.objects.count(), StockMovement.objects.count())
    connection.set_schema_to_public()
    assert counts[0] == 2 and counts[2] >= 4  # receipts and allocations in the stock ledger
    return shop


def _files(schema_name: str) -> dict[str, bytes]:
    with schema_context(schema_name):
        return {path: default_storage.open(path).read() for path in backups.storage_walk(default_storage)}


def test_a_backup_restored_into_a_new_tenant_equals_the_original(world, tenant_a):
    record = tenant_backup(actor="ops@platform.test", tenant=tenant_a)
    assert record.summary["rows"]["ordering_order"] == 2
    assert record.summary["files"] == 2
    assert storages["backups"].exists(record.storage_name)

    copy = tenant_backup_restore_new(actor="ops@platform.test", source=record.storage_name, slug="acme-copy")

    assert (copy.schema_name, copy.name, copy.status) == ("t_acme_copy", tenant_a.name, "active")
    assert list(copy.domains.values_list("domain", flat=True)) == ["acme-copy.localhost"]
    assert copy.subscription.plan.code == "growth"
    original, restored = backups.schema_checksums("t_acme"), backups.schema_checksums("t_acme_copy")
    assert restored == original
    for table in ("ordering_order", "ordering_orderline", "inventory_stockmovement"):
        assert restored[table]["rows"] > 0
    assert original["ordering_order"]["rows"] == 2
    assert _files("t_acme_copy") == _files("t_acme") == {"catalog/images/a1.png": IMAGE,
                                                          "qualifications/2026/licence.pdf": DOC}
    # the copy works on its own: its sequences go on from the original's, its owner signs in on its host
    with schema_context("t_acme_copy"):
        assert Order.objects.order_by("pk").last().pk == max(Order.objects.values_list("pk", flat=True))
    assert backups.schema_sequences("t_acme_copy") == backups.schema_sequences("t_acme")
    assert copy.status_changes.filter(action="tenants.tenant.restored_from_backup").exists()


def test_restore_over_the_same_tenant_needs_its_subdomain_typed(world, tenant_a, in_tenant):
    record = tenant_backup(actor="ops", tenant=tenant_a)
    with in_tenant(tenant_a):
        Order.objects.filter(pk=Order.objects.order_by("pk").first().pk).update(note="changed after the backup")
        default_storage.save("later.txt", ContentFile(b"made after the backup"))
    connection.set_schema_to_public()
    before = backups.schema_checksums("t_acme")

    for typed in ("", "acme-x", "globex"):
        with pytest.raises(TenantInvalid):
            tenant_backup_restore_over(actor="ops", source=record.storage_name, tenant=tenant_a, confirm_slug=typed)
    assert backups.schema_checksums("t_acme") == before
    with pytest.raises(CommandError, match="Type the subdomain to confirm"):
        call_command("tenant_backup_restore", record.storage_name, "--over", "acme", stdout=StringIO())

    tenant_backup_restore_over(actor="ops", source=record.storage_name, tenant=tenant_a, confirm_slug="acme")
    assert backups.schema_checksums("t_acme") != before
    with in_tenant(tenant_a):
        assert not Order.objects.filter(note="changed after the backup").exists()
    assert set(_files("t_acme")) == {"catalog/images/a1.png", "qualifications/2026/licence.pdf"}


def test_restore_over_another_tenant_is_refused(world, tenant_a, tenant_b):
    record = tenant_backup(actor="ops", tenant=tenant_a)
    before = backups.schema_checksums("t_globex")
    with pytest.raises(BackupRefused, match="another workspace"):
        tenant_backup_restore_over(actor="ops", source=record.storage_name, tenant=tenant_b, confirm_slug="globex")
    assert backups.schema_checksums("t_globex") == before


def _rewrite(path, change) -> None:
    """Rewrite the archive at `path` with `change(name, data) -> data` applied to each member."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, change(name, data))


@pytest.mark.parametrize("tamper", ["table_row", "file_byte", "manifest_count", "extra_member", "not_a_zip"])
def test_a_changed_archive_is_refused_and_nothing_is_written(world, tenant_a, stores, tamper):
    record = tenant_backup(actor="ops", tenant=tenant_a)
    path = stores / "bak" / record.storage_name

    def change(name, data):
        if tamper == "table_row" and name == "tables/ordering_order.copy":
            return data.replace(b"\t2\t", b"\t9\t", 1) if b"\t2\t" in data else data + b"x"
        if tamper == "file_byte" and name == "files/catalog/images/a1.png":
            return data[:-1] + b"!"
        if tamper == "manifest_count" and name == backups.MANIFEST:
            manifest = json.loads(data)
            manifest["tables"]["ordering_order"]["rows"] = 1
            return json.dumps(manifest).encode()
        return data

    if tamper == "not_a_zip":
        path.write_bytes(b"PK\x03\x04 not really")
    else:
        _rewrite(path, change)
        if tamper == "extra_member":
            with zipfile.ZipFile(path, "a") as archive:
                archive.writestr("files/../../evil.sh", b"#!/bin/sh")
    with pytest.raises(BackupRefused, match="cannot be restored"):
        tenant_backup_restore_new(actor="ops", source=record.storage_name, slug="acme-bad")
    assert not Tenant.objects.filter(slug="acme-bad").exists()
    assert not schema_exists("t_acme_bad")
    assert not (stores / "media" / "t_acme_bad").exists() or not any((stores / "media" / "t_acme_bad").rglob("*.*"))


def test_an_archive_of_other_migrations_is_refused_with_the_way_out(world, tenant_a, stores):
    record = tenant_backup(actor="ops", tenant=tenant_a)
    path = stores / "bak" / record.storage_name

    def older(name, data):
        if name == backups.MANIFEST:
            manifest = json.loads(data)
            manifest["version"] = "0" * 32
            return json.dumps(manifest).encode()
        if name == backups.SIGNATURE:  # signed with our key: only the version differs
            return b""
        return data

    _rewrite(path, older)
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read(backups.MANIFEST)
    _rewrite(path, lambda name, data: backups.sign(manifest).encode() if name == backups.SIGNATURE else data)
    with pytest.raises(BackupRefused, match="migrate"):
        tenant_backup_restore_new(actor="ops", source=record.storage_name, slug="acme-old")
    assert not Tenant.objects.filter(slug="acme-old").exists()


def test_retention_keeps_the_plans_count_of_daily_backups(world, tenant_a):
    Plan.objects.filter(code="growth").update(backup_keep_daily=3)
    made = []
    for days_ago in (5, 4, 3, 2, 1):
        record = tenant_backup(actor="system", tenant=tenant_a, scheduled=True)
        TenantBackup.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        made.append(record.storage_name)
    same_day = tenant_backup(actor="system", tenant=tenant_a, scheduled=True)  # today: two more
    newest = tenant_backup(actor="system", tenant=tenant_a, scheduled=True)

    deleted = tenant_backups_prune(tenant=tenant_a)

    kept = list(TenantBackup.objects.filter(tenant=tenant_a).values_list("storage_name", flat=True))
    assert kept == [newest.storage_name, made[4], made[3]]
    assert sorted(deleted) == sorted([same_day.storage_name, *made[:3]])
    assert [storages["backups"].exists(name) for name in [*kept, *deleted]] == [True] * 3 + [False] * 4


def test_the_scheduled_run_backs_up_the_tenants_due_once(world, tenant_a, tenant_b):
    done, failed = tenants_backup_due()
    assert (sorted(done), failed) == (["t_acme", "t_globex"], [])
    assert tenants_backup_due() == ([], [])  # nothing is due an hour later
    out = StringIO()
    call_command("tenant_backup", "--due", stdout=out)  # the backup CronJob's command line
    assert out.getvalue().strip() == "backups: 0 made, 0 failed"
    TenantBackup.objects.update(created_at=timezone.now() - timedelta(days=1))  # a day later
    assert sorted(tenants_backup_due()[0]) == ["t_acme", "t_globex"]
    assert TenantBackup.objects.filter(tenant=tenant_a, scheduled=True).count() == 2


def test_backup_command_by_schema_or_subdomain(world, tenant_a):
    out = StringIO()
    call_command("tenant_backup", "t_acme", stdout=out)
    call_command("tenant_backup", "acme", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["acme", "acme"]
    assert "2 files" in lines[0]
    with pytest.raises(CommandError, match="nope"):
        call_command("tenant_backup", "nope", stdout=out)
    with pytest.raises(CommandError, match="--due"):
        call_command("tenant_backup", stdout=out)


def test_restore_into_a_taken_subdomain_is_refused(world, tenant_a):
    record = tenant_backup(actor="ops", tenant=tenant_a)
    with pytest.raises(TenantInvalid):
        tenant_backup_restore_new(actor="ops", source=record.storage_name, slug="globex")
    with pytest.raises(BackupRefused):
        tenant_backup_restore_new(actor="ops", source="t_acme/nothing.dmsbak.zip", slug="acme-two")


def test_a_backup_moves_as_a_file_restored_by_the_command(world, tenant_a, stores):
    """Move: the archive copied out of the storage (to another deployment) and restored from its path there."""
    record = tenant_backup(actor="ops", tenant=tenant_a)
    moved = stores / "carried.dmsbak.zip"
    moved.write_bytes(storages["backups"].open(record.storage_name).read())
    out = StringIO()
    call_command("tenant_backup_restore", str(moved), "--slug", "acme-moved", stdout=out)
    assert out.getvalue().strip() == f"acme-moved: restored from {moved} into schema t_acme_moved"
    assert backups.schema_checksums("t_acme_moved") == backups.schema_checksums("t_acme")
    with pytest.raises(CommandError, match="either --slug"):
        call_command("tenant_backup_restore", str(moved), stdout=out)


@pytest.mark.slow
def test_backups_go_to_an_s3_compatible_bucket_when_one_is_configured():
    from tests.platform.test_settings import PRODUCTION_ENV, _manage

    env = {**PRODUCTION_ENV, "BACKUP_S3_BUCKET": "dms-backups", "BACKUP_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
           "BACKUP_S3_ACCESS_KEY_ID": "minio", "BACKUP_S3_SECRET_ACCESS_KEY": "minio-secret"}
    result = _manage("shell", "-c", "from django.core.files.storage import storages; s = storages['backups']; "
                     "print(type(s).__name__, s.bucket_name, s.location, s.endpoint_url, s.default_acl)", env=env)
    assert result.stdout.splitlines()[-1] == "S3Storage dms-backups tenant-backups http://127.0.0.1:9000 private", \
        result.stderr


def test_a_backup_in_an_s3_compatible_store_restores_equal(world, tenant_a, settings, stores):
    """django-storages' S3Storage against a local S3-compatible fake (the network boundary)."""
    from tests.tenants.s3_fake import S3Fake

    with S3Fake(access_key="minio") as fake:
        settings.STORAGES = {**settings.STORAGES, "backups": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": "dms-backups", "location": "tenant-backups", "endpoint_url": fake.url,
            "access_key": "minio", "secret_key": "minio-secret", "region_name": "us-east-1",
            "addressing_style": "path", "default_acl": "private", "file_overwrite": False}}}
        record = tenant_backup(actor="ops", tenant=tenant_a)
        assert list(fake.objects) == [f"tenant-backups/{record.storage_name}"]
        assert len(fake.objects[f"tenant-backups/{record.storage_name}"]) == record.size
        tenant_backup_restore_new(actor="ops", source=record.storage_name, slug="acme-s3")
        assert tenant_backups_prune(tenant=tenant_a) == []
        assert fake.unsigned == 0
    assert backups.schema_checksums("t_acme_s3") == backups.schema_checksums("t_acme")
    assert _files("t_acme_s3") == _files("t_acme")
