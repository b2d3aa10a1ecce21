"""Fixtures of the access tests: the world of tests/access/endpoints.py, built once per module in a
transaction rolled back at the module's end (each test's own transaction is a savepoint inside it), and the
dealer API's fixtures (`net`, `api_client`, `in_a`) for the data-scope tests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.access.endpoints import make_world
from tests.conftest import rolled_back
from tests.dealers.conftest import api_client, in_a, net  # noqa: F401  (the dealer API's fixtures)

HOSTS = {"acme": "acme.localhost", "globex": "globex.localhost"}


def world_in(slug: str, **kwargs):
    """`make_world` in the tenant `slug`; the world knows its schema and host."""
    tenant = Tenant.objects.get(slug=slug)
    with schema_context(tenant.schema_name), translation.override("en"):
        made = make_world(**kwargs)
    made.host = HOSTS[slug]
    connection.set_schema_to_public()
    return made


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world in tenant A, once for the module."""
    with rolled_back(django_db_blocker):
        yield world_in("acme")
