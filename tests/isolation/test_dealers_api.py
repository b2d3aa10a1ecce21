"""Tenant isolation of the dealer API: a credential of brand A is worthless on brand B's host, and B's
own owner cannot reach A's dealers by guessing their ids."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Role
from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services
from tenant_apps.dealers.models import Dealer
from tests.conftest import OWNERS, host_client
from tests.factories import DEFAULT_PASSWORD

API = "/api/v1"


@pytest.fixture
def dealer_a(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        hq = services.headquarters_ensure(name="Acme HQ")
        east = services.region_create(actor=None, parent=hq, name="华东", code="EAST")
        return services.dealer_create(actor=None, parent=east, code="SH-001", legal_name="上海总代理有限公司")


def _token(tenant, in_tenant, email: str) -> str:
    with in_tenant(tenant):
        return Token.objects.create(user=User.objects.get(email=email)).key


def test_a_token_of_brand_a_is_refused_on_brand_b(dealer_a, tenant_a, tenant_b, in_tenant):
    auth = {"HTTP_AUTHORIZATION": f"Token {_token(tenant_a, in_tenant, OWNERS['acme'])}"}
    assert host_client("acme.localhost").get(f"{API}/dealers/", **auth).json()["count"] == 1
    for path in ("dealers/", f"dealers/{dealer_a.pk}/", "network/nodes/", "me/company/"):
        refused = host_client("globex.localhost").get(f"{API}/{path}", **auth)
        assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    refused_write = host_client("globex.localhost").post(
        f"{API}/tiers/", {"code": "A", "name": "金牌"}, content_type="application/json", **auth
    )
    assert refused_write.status_code == 401


def test_a_session_of_brand_a_is_refused_on_brand_b(dealer_a, tenant_a, in_tenant):
    client_a = host_client("acme.localhost")
    with in_tenant(tenant_a):
        client_a.force_login(User.objects.get(email=OWNERS["acme"]))
    assert client_a.get(f"{API}/dealers/{dealer_a.pk}/").json()["code"] == "SH-001"
    client_b = host_client("globex.localhost")
    client_b.cookies = client_a.cookies
    refused = client_b.get(f"{API}/dealers/{dealer_a.pk}/")
    assert (refused.status_code, refused.json()["code"]) == (401, "not_authenticated")


def test_brand_b_owner_cannot_reach_a_dealer_of_brand_a_by_its_id(dealer_a, tenant_a, tenant_b, in_tenant):
    owner_b = host_client("globex.localhost",
                          HTTP_AUTHORIZATION=f"Token {_token(tenant_b, in_tenant, OWNERS['globex'])}")
    dealer = f"{API}/dealers/{dealer_a.pk}"
    answers = [
        owner_b.get(f"{dealer}/"),
        owner_b.patch(f"{dealer}/", {"name": "偷改"}, content_type="application/json"),
        owner_b.post(f"{dealer}/status/", {"to": "active"}, content_type="application/json"),
        owner_b.get(f"{dealer}/addresses/"),
        owner_b.get(f"{dealer}/qualifications/"),
    ]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "dealer_not_found")] * 5
    moved = owner_b.post(f"{API}/network/nodes/{dealer_a.node_id}/move/", {"parent": dealer_a.node.parent_id},
                         content_type="application/json")
    assert (moved.status_code, moved.json()["code"]) == (404, "node_not_found")
    assert owner_b.get(f"{API}/dealers/").json()["count"] == 0
    with in_tenant(tenant_a):
        unchanged = Dealer.objects.get(pk=dealer_a.pk)
        assert (unchanged.name, unchanged.status) == ("上海总代理有限公司", "prospect")


def test_dealer_staff_of_brand_a_have_no_company_on_brand_b(dealer_a, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        buyer = user_create(actor=None, email="buyer@sh001.test", password=DEFAULT_PASSWORD, role=Role.DEALER_BUYER,
                            dealer=dealer_a)
        key = Token.objects.create(user=buyer).key
    assert host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}").get(
        f"{API}/me/company/").json()["code"] == "SH-001"
    refused = host_client("globex.localhost", HTTP_AUTHORIZATION=f"Token {key}").get(f"{API}/me/company/")
    assert refused.status_code == 401
