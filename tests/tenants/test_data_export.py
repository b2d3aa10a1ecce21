"""The brand's export of its whole workspace from the console (tenants.services_export): owners and administrators
only, made in the background, downloaded only by whoever asked, every step in the audit log."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from openpyxl import load_workbook

from tenant_apps.audit.models import AuditEntry
from tenants.models import TenantDataExport
from tests.conftest import OWNERS
from tests.factories.accounts import UserFactory
from tests.factories.ordering import OrderFactory, store
from tests.tenants.test_domains import signed_in

PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture
def stores(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "bak")}}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    storages["default"].__dict__.pop("relative_media_root", None)
    yield tmp_path
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture
def acme(tenant_a, stores, in_tenant):
    with in_tenant(tenant_a):
        shop = store()
        order = OrderFactory(actor=shop.buyer, dealer=shop.dealer, lines=[(shop.sku, 24)])
        default_storage.save("catalog/images/red-bull.png", ContentFile(PICTURE))
        UserFactory(email="analyst@acme.test", role="analyst")
        UserFactory(email="admin@acme.test", role="admin")
    connection.set_schema_to_public()
    return order


def _ask(client, fmt: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/console/data-export/", {"fmt": fmt})


def test_the_owner_exports_every_table_and_the_files(acme, tenant_a, in_tenant, django_capture_on_commit_callbacks):
    owner = signed_in("acme.localhost", OWNERS["acme"])
    response = _ask(owner, "xlsx", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    export = TenantDataExport.objects.get(tenant=tenant_a)
    assert (export.status, export.fmt, export.requested_by_email) == ("done", "xlsx", OWNERS["acme"])
    page = owner.get("/console/data-export/").content.decode()
    assert f'href="/console/data-export/{export.pk}/download/"' in page

    download = owner.get(f"/console/data-export/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="workspace-export-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = set(archive.namelist())
    assert {"tables/ordering/order.xlsx", "tables/ordering/orderline.xlsx", "tables/inventory/stockmovement.xlsx",
            "tables/accounts/user.xlsx", "files/catalog/images/red-bull.png"} <= names
    assert archive.read("files/catalog/images/red-bull.png") == PICTURE
    orders = list(load_workbook(io.BytesIO(archive.read("tables/ordering/order.xlsx"))).active.values)
    assert orders[0][:3] == ("ID", "Order number", "Dealer")
    assert [row[1] for row in orders[1:]] == [acme.number]
    users = list(load_workbook(io.BytesIO(archive.read("tables/accounts/user.xlsx"))).active.values)
    assert "Password" not in users[0] and not any("secret" in str(cell).lower() for cell in users[0])
    assert len(users) == 1 + 4  # the owner, the dealer's buyer, the analyst, the admin
    with in_tenant(tenant_a):
        assert list(AuditEntry.objects.filter(action__startswith="tenants.workspace.export_").order_by("id")
                    .values_list("action", "actor_label")) == [
            ("tenants.workspace.export_requested", OWNERS["acme"]),
            ("tenants.workspace.export_downloaded", OWNERS["acme"])]


def test_csv_export_has_human_headers(acme, tenant_a, django_capture_on_commit_callbacks):
    admin = signed_in("acme.localhost", "admin@acme.test")
    assert _ask(admin, "csv", django_capture_on_commit_callbacks).status_code == 302
    export = TenantDataExport.objects.get(tenant=tenant_a)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(
        admin.get(f"/console/data-export/{export.pk}/download/").streaming_content)))
    rows = list(csv.reader(io.StringIO(archive.read("tables/ordering/order.csv").decode("utf-8-sig"))))
    assert rows[0][:4] == ["ID", "Order number", "Dealer", "Placed by"]
    assert rows[1][1] == acme.number


def test_a_non_admin_gets_403_and_nothing_is_made(acme, tenant_a, in_tenant, django_capture_on_commit_callbacks):
    analyst = signed_in("acme.localhost", "analyst@acme.test")
    assert analyst.get("/console/data-export/").status_code == 403
    assert _ask(analyst, "xlsx", django_capture_on_commit_callbacks).status_code == 403
    assert not TenantDataExport.objects.exists()
    with in_tenant(tenant_a):
        assert not AuditEntry.objects.filter(action__startswith="tenants.workspace.export_").exists()
    assert "/console/data-export/" not in analyst.get("/console/").content.decode()


def test_only_the_requester_downloads_and_bad_formats_are_refused(acme, tenant_a, client_b,
                                                                  django_capture_on_commit_callbacks):
    owner = signed_in("acme.localhost", OWNERS["acme"])
    assert _ask(owner, "pdf", django_capture_on_commit_callbacks).status_code == 400
    assert not TenantDataExport.objects.exists()
    _ask(owner, "csv", django_capture_on_commit_callbacks)
    export = TenantDataExport.objects.get(tenant=tenant_a)
    admin = signed_in("acme.localhost", "admin@acme.test")
    assert admin.get(f"/console/data-export/{export.pk}/download/").status_code == 404
    assert f"data-export-{export.pk}" not in admin.get("/console/data-export/").content.decode()
    globex_owner = signed_in("globex.localhost", OWNERS["globex"])
    assert globex_owner.get(f"/console/data-export/{export.pk}/download/").status_code == 404
    assert client_b.get(f"/console/data-export/{export.pk}/download/").status_code == 302  # sign in first
