"""Each host serves what its schema holds: the platform's host has no users' or invitations' routes and no token API
(a token there is a 401, never a 500); a password-reset link is on the workspace's primary domain whatever Host
the request named."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenants.models import Domain
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

RESET_LINK = re.compile(r"(\S+)/accounts/password/reset/[\w-]+/[\w-]+/")


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def test_a_token_on_the_platform_host_is_refused_not_a_server_error(tenant_a, in_tenant, public_client):
    with in_tenant(tenant_a):
        key = Token.objects.create(user=User.objects.get(email="owner@acme.test")).key
    for token in (key, "0" * 40):
        answer = public_client.get("/api/v1/signup/check-slug/", {"slug": "abcde"}, HTTP_AUTHORIZATION=f"Token {token}")
        assert (answer.status_code, answer.json()["code"]) == (401, "authentication_failed")
    assert public_client.get("/api/v1/signup/check-slug/", {"slug": "abcde"}).status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/api/v1/invitations/accept/"), ("get", "/api/v1/users/"), ("get", "/api/v1/invitations/"),
    ("post", "/api/v1/auth/login/"), ("post", "/api/v1/auth/password/change/"), ("get", "/api/v1/me/"),
    ("get", "/accounts/invite/some-token/"), ("get", "/accounts/people/"), ("get", "/accounts/handoff/some-token/"),
])
def test_the_platform_host_has_no_brand_routes(public_client, method, path):
    answer = getattr(public_client, method)(path, {"token": "x", "full_name": "x", "password": DEFAULT_PASSWORD},
                                            content_type="application/json")
    assert answer.status_code == 404


def test_operators_still_sign_in_and_reset_on_the_platform_host(operator, public_client):
    assert public_client.get("/accounts/login/").status_code == 200
    assert public_client.post("/accounts/password/reset/", {"email": operator.email}).status_code == 302
    assert RESET_LINK.search(mail.outbox[-1].body).group(1) == "http://localhost"


def test_each_hosts_schema_describes_its_own_api(tenant_a, public_client):
    platform = public_client.get("/api/schema/", {"format": "json"})
    assert platform.status_code == 200
    assert "/api/v1/signup/" in platform.json()["paths"]
    assert not [path for path in platform.json()["paths"] if not path.startswith("/api/v1/signup/")]
    brand = host_client("acme.localhost").get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"/api/v1/invitations/accept/", "/api/v1/auth/password/change/"} <= set(brand)
    assert "/api/v1/signup/" not in brand


def test_a_reset_link_is_on_the_primary_domain_whatever_host_was_named(tenant_a):
    # a port of the attacker's choosing still routes to the workspace (the port is not part of routing)
    assert host_client("acme.localhost:6666").post(
        "/accounts/password/reset/", {"email": "owner@acme.test"}).status_code == 302
    assert RESET_LINK.search(mail.outbox[-1].body).group(1) == "http://acme.localhost"

    Domain.objects.filter(tenant=tenant_a).update(is_primary=False)
    Domain.objects.create(tenant=tenant_a, domain="order.acme-brand.test", kind=Domain.Kind.CUSTOM,
                          status=Domain.Status.ACTIVE, is_primary=True)
    api = host_client("order.acme-brand.test:6666").post("/api/v1/auth/password/reset/", {"email": "owner@acme.test"},
                                                        content_type="application/json")
    assert api.status_code == 200, api.content
    assert RESET_LINK.search(mail.outbox[-1].body).group(1) == "http://order.acme-brand.test"
    assert len(mail.outbox) == 2
