"""Fixtures of the dealer API tests: a small network in tenant A (built through the services) and API
clients per role, authenticated with DRF tokens on A's host."""

from __future__ import annotations

import pytest

from tenant_apps.accounts.permissions import DEALER_ROLES, Role
from tenant_apps.dealers import services
from tests.conftest import host_client
from tests.factories import UserFactory, token_for
from tests.factories.dealers import network as make_net

HOST_A = "acme.localhost"
__all__ = ["HOST_A", "make_net"]


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
            user = UserFactory(email=email or f"{role}{len(made)}@api.test", full_name="", role=role,
                               dealer=dealer, scope_node=scope_node)
            key = token_for(user)
        client = host_client(HOST_A, HTTP_AUTHORIZATION=f"Token {key}")
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
