"""Fixtures of the dealer API tests: a small network in tenant A (built through the services) and API
clients per role, authenticated with DRF tokens on A's host."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.permissions import DEALER_ROLES, Role
from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services
from tenant_apps.dealers.models import Territory
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

HOST_A = "acme.localhost"


def make_net() -> SimpleNamespace:
    """HQ -> East (region) -> Shanghai agent SH-001 -> Pudong dealer SH-002; HQ -> South -> Canton GD-001.
    Territories CN > 310000 (上海) > 310115 (浦东新区), CN > 440000 (广东); tier A; a required licence type.
    Built in the current schema through the services."""
    hq = services.headquarters_ensure(name="Acme HQ")
    east = services.region_create(actor=None, parent=hq, name="华东", code="EAST")
    south = services.region_create(actor=None, parent=hq, name="华南", code="SOUTH")
    cn = Territory.objects.get(code="CN")
    sh = Territory.objects.get(code="310000")
    pudong_area = Territory.objects.get(code="310115")
    gd = Territory.objects.get(code="440000")
    tier_a = services.tier_create(actor=None, code="A", name="金牌", rank=1)
    licence = services.qualification_type_create(actor=None, code="FOOD", name="食品经营许可证", required=True)
    agent = services.dealer_create(actor=None, parent=east, code="SH-001", legal_name="上海总代理有限公司",
                                   territories=[sh], bank_account="6222 0212 3456 7890")
    pudong = services.dealer_create(actor=None, parent=agent.node, code="SH-002", legal_name="浦东经销商",
                                    territories=[pudong_area], tier=tier_a)
    canton = services.dealer_create(actor=None, parent=south, code="GD-001", legal_name="广州经销商",
                                    territories=[gd])
    return SimpleNamespace(hq=hq, east=east, south=south, cn=cn, sh=sh, pudong_area=pudong_area, gd=gd,
                           tier_a=tier_a, licence=licence, agent=agent, pudong=pudong, canton=canton)


@pytest.fixture
def net(tenant_a, in_tenant):
    """The network of `make_net`, in tenant A."""
    with in_tenant(tenant_a):
        yield make_net()


@pytest.fixture
def in_a(tenant_a, in_tenant):
    """`with in_a(): ...` reads tenant A's schema (each request ends on the public schema)."""
    return lambda: in_tenant(tenant_a)


@pytest.fixture
def api_client(tenant_a, in_tenant):
    """`api_client(role, dealer=..., scope_node=...)`: a new user of tenant A and a client sending their token."""
    made = []

    def make(role: str, *, dealer=None, scope_node=None, email: str = ""):
        made.append(role)
        with in_tenant(tenant_a):
            user = user_create(actor=None, email=email or f"{role}{len(made)}@api.test", password=DEFAULT_PASSWORD,
                               role=role, dealer=dealer, scope_node=scope_node)
            token = Token.objects.create(user=user)
        client = host_client(HOST_A, HTTP_AUTHORIZATION=f"Token {token.key}")
        client.user = user
        return client

    return make


@pytest.fixture
def client_for(net, api_client, in_a):
    """`client_for(role)`: a client whose data scope holds SH-002 (Pudong): a regional manager of East, a
    sales rep assigned to SH-002, dealer staff of SH-002, brand staff who see everything. Anonymous: None."""

    def make(role: str | None):
        if role is None:
            return host_client(HOST_A)
        if role == Role.REGIONAL_MANAGER:
            return api_client(role, scope_node=net.east)
        if role in DEALER_ROLES:
            return api_client(role, dealer=net.pudong)
        client = api_client(role)
        if role == Role.SALES_REP:
            with in_a():
                services.dealer_update(actor=None, dealer=net.pudong, sales_rep=client.user)
        return client

    return make
