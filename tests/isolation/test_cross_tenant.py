"""Tenant isolation: data, sessions, tokens, cache keys and media paths of one brand never reach another."""

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from tenant_apps.accounts.models import User
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, UserFactory


def _login(client, email):
    return client.post(
        "/api/v1/auth/login/", {"email": email, "password": DEFAULT_PASSWORD}, content_type="application/json"
    )


def test_a_user_written_in_tenant_a_is_invisible_on_tenant_b(
    tenant_a, tenant_b, in_tenant, client_a, client_b
):
    with in_tenant(tenant_a):
        UserFactory(email="buyer@dealer.test")
        assert User.objects.filter(email="buyer@dealer.test").exists()
    with in_tenant(tenant_b):
        assert not User.objects.filter(email="buyer@dealer.test").exists()
    assert _login(client_a, "buyer@dealer.test").status_code == 200
    refused = _login(client_b, "buyer@dealer.test")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"


def test_a_session_of_tenant_a_is_worthless_on_tenant_b(tenant_a, in_tenant, client_a, client_b):
    with in_tenant(tenant_a):
        UserFactory(email="buyer@dealer.test")
    assert _login(client_a, "buyer@dealer.test").status_code == 200
    assert client_a.get("/api/v1/me/").json()["email"] == "buyer@dealer.test"
    # the same session cookie presented on B's host
    client_b.cookies = client_a.cookies
    refused = client_b.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_a_token_of_tenant_a_is_worthless_on_tenant_b(tenant_a, in_tenant, client_a, client_b):
    with in_tenant(tenant_a):
        UserFactory(email="buyer@dealer.test")
    token = _login(client_a, "buyer@dealer.test").json()["key"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client_a.get("/api/v1/me/", **auth).json()["tenant"] == "acme"
    refused = client_b.get("/api/v1/me/", **auth)
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"


def test_session_and_csrf_cookies_are_host_only(tenant_a, in_tenant, client_a):
    with in_tenant(tenant_a):
        UserFactory(email="buyer@dealer.test")
    response = _login(client_a, "buyer@dealer.test")
    session = response.cookies["dms_session"]
    assert session["domain"] == ""
    assert session["httponly"] is True
    page = host_client("acme.localhost").get("/accounts/login/")
    assert page.status_code == 200
    assert page.cookies["dms_csrftoken"]["domain"] == ""


def test_cache_keys_are_per_tenant(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        cache.set("dashboard", "acme figures")
    with in_tenant(tenant_b):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "globex figures")
    with in_tenant(tenant_a):
        assert cache.get("dashboard") == "acme figures"
    cache.clear()


def test_media_files_are_stored_under_the_tenant(tenant_a, tenant_b, in_tenant, media_root):
    tmp_path = media_root
    with in_tenant(tenant_a):
        connection.set_tenant(tenant_a)
        name = default_storage.save("logos/logo.txt", ContentFile(b"acme"))
        assert default_storage.path(name).startswith(str(tmp_path / "t_acme"))
        assert default_storage.url(name).startswith("/media/t_acme/")
    connection.set_tenant(tenant_b)
    assert not default_storage.exists(name)
