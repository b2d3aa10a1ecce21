"""The console's API keys page: owners create (the key shown once), rotate and revoke; others are refused."""

import re

from django.db import connection

from tenant_apps.audit.models import AuditEntry
from tenant_apps.integrations.models import ApiKey
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, UserFactory

PAGE = "/console/integrations/"


def _signed_in(user, language="en"):
    client = host_client("acme.localhost", language=language)
    tenant = connection.tenant
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    connection.set_tenant(tenant)
    return client, tenant


def _call(client, tenant, method, *args, **kwargs):
    response = getattr(client, method)(*args, **kwargs)
    connection.set_tenant(tenant)
    return response


def test_create_shows_the_key_once_then_rotate_and_revoke(store):
    client, tenant = _signed_in(store.owner)
    assert "API keys" in _call(client, tenant, "get", PAGE).content.decode()
    created = _call(client, tenant, "post", PAGE, {"name": "SAP", "scopes": ["orders:read", "orders:acknowledge"],
                                                   "rate_per_minute": "120"})
    assert created.status_code == 200
    secret = re.search(r"<code data-secret>([^<]+)</code>", created.content.decode()).group(1)
    api_key = ApiKey.objects.get(name="SAP")
    assert secret.startswith(f"dms_{api_key.prefix}_") and api_key.scopes == ["orders:acknowledge", "orders:read"]
    assert api_key.rate_per_minute == 120 and api_key.created_by == store.owner
    assert secret not in _call(client, tenant, "get", PAGE).content.decode()  # shown once
    rotated = _call(client, tenant, "post", f"{PAGE}keys/{api_key.pk}/rotate/")
    new_secret = re.search(r"<code data-secret>([^<]+)</code>", rotated.content.decode()).group(1)
    assert new_secret != secret and ApiKey.objects.get(pk=api_key.pk).expires_at is not None
    assert _call(client, tenant, "post", f"{PAGE}keys/{api_key.pk}/revoke/").status_code == 302
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert list(AuditEntry.objects.filter(target_type="integrations.apikey", target_id=str(api_key.pk))
                .order_by("id").values_list("action", flat=True)) == [
        "integrations.apikey.created", "integrations.apikey.rotated", "integrations.apikey.revoked"]


def test_bad_input_is_a_400_and_saves_nothing(store):
    client, tenant = _signed_in(store.owner)
    response = _call(client, tenant, "post", PAGE, {"name": "", "scopes": ["root:all"]})
    assert response.status_code == 400 and not ApiKey.objects.exists()


def test_the_page_in_chinese(store):
    client, tenant = _signed_in(store.owner, language="zh-hans")
    assert "API 密钥" in _call(client, tenant, "get", PAGE).content.decode()


def test_people_without_settings_edit_are_refused(store):
    buyer_client, tenant = _signed_in(store.buyer)
    assert _call(buyer_client, tenant, "get", PAGE).status_code == 403
    sales = UserFactory(email="sales-int@brand.test", role="sales_rep")
    sales_client, tenant = _signed_in(sales)
    assert _call(sales_client, tenant, "post", PAGE, {"name": "x", "scopes": ["orders:read"]}).status_code == 403
    assert not ApiKey.objects.exists()
