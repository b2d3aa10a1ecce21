"""Fixtures of the integration tests: the store of tests/factories/ordering.py and keys made by the service."""

import pytest
from django.core.cache import cache
from django.db import connection

from tenant_apps.integrations.services import api_key_create
from tests.conftest import host_client
from tests.factories import UserFactory
from tests.factories.ordering import store as make_store

ALL_SCOPES = ["orders:read", "orders:acknowledge", "shipments:write"]


@pytest.fixture
def store(tenant_a, in_tenant):
    cache.clear()  # the rate counters of earlier tests
    with in_tenant(tenant_a):
        made = make_store()
        made.owner = UserFactory(email="owner-int@brand.test", role="owner")
        made.tenant = tenant_a
        yield made
    cache.clear()


@pytest.fixture
def make_key(store):
    def make(scopes=ALL_SCOPES, **kwargs):
        return api_key_create(actor=store.owner, name=kwargs.pop("name", "ERP"), scopes=scopes, **kwargs)
    return make


class _Keeping:
    """A client whose calls leave the connection in the test's schema (a request ends on the public one)."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if name not in ("get", "post"):
            return method

        def call(*args, **kwargs):
            tenant = getattr(connection, "tenant", None)
            try:
                return method(*args, **kwargs)
            finally:
                if tenant is not None:
                    connection.set_tenant(tenant)
        return call


def key_client(key: str, host: str = "acme.localhost", header: str = "bearer"):
    if header == "bearer":
        return _Keeping(host_client(host, HTTP_AUTHORIZATION=f"Bearer {key}"))
    return _Keeping(host_client(host, HTTP_X_API_KEY=key))
