"""Fixtures of the reporting tests."""

import pytest

from tests.factories.ordering import store as make_store


@pytest.fixture
def store(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = make_store()
        made.tenant = tenant_a
        yield made
