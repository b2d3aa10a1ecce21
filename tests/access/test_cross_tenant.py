"""Tenant isolation of every app's API (tests/access/endpoints.py): the same world is built in tenant A and
in tenant B, B's ids moved out of A's range so that none of them names an object of A.

- A credential of B (an API token, a session) presented on A's host is worthless on every endpoint: 401,
  as if anonymous (the carrier webhook's credential is its signature: B's secret is a 401 too).
- A user of A asking for B's objects by their ids gets 404 on every endpoint that names an object in its URL;
  an id of B in a body or a query is refused with the status FOREIGN gives.
- Nothing is written in either tenant (no row of any table of any schema)."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Role
from tests.access.conftest import rolled_back, world_in
from tests.access.endpoints import ENDPOINTS, call, expected_status, writes
from tests.conftest import host_client

# B's ids start this far above A's: a test that built more than this in A would need a larger gap
ID_GAP = 1_000_000
# Whose credentials of B are tried on A: between them they hold every capability of a brand and of a dealer
HOLDERS = [Role.OWNER, Role.DEALER_OWNER]
# Who in A asks for B's ids: the first of these that the endpoint grants
ASKERS = [Role.OWNER, Role.DEALER_BUYER, Role.DEALER_OWNER]


@contextmanager
def ids_moved_on(schema: str, by: int):
    """Every sequence of `schema` moved on by `by` while inside, and put back after (a sequence does not
    roll back with the transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT format('%%I.%%I', schemaname, sequencename), last_value FROM pg_sequences "
                       "WHERE schemaname = %s", [schema])
        saved = cursor.fetchall()
        for name, last in saved:
            cursor.execute("SELECT setval(%s::regclass, %s)", [name, (last or 0) + by])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, last in saved:
                cursor.execute("SELECT setval(%s::regclass, %s, %s)", [name, last or 1, last is not None])


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        a = world_in("acme")
        schema_b = world_schema("globex")
        with ids_moved_on(schema_b, ID_GAP):
            b = world_in("globex", tag="globex", webhook_secret="globex-webhook-secret-0123456789")
            yield a, b


def world_schema(slug: str) -> str:
    from tenants.models import Tenant

    return Tenant.objects.get(slug=slug).schema_name


def _session_client(world, role, host: str):
    """A browser on `host` carrying the session cookie `role`'s user of `world` got on their own host."""
    own = host_client(world.host)
    with schema_context(world.schema):
        own.force_login(User.objects.get(pk=world.users[role].pk))
    connection.set_schema_to_public()
    client = host_client(host)
    client.cookies = own.cookies
    return client


def _attempt(client, endpoint, world, ids):
    with transaction.atomic():
        written = writes()
        response = call(client, endpoint, world, ids)
        wrote = writes() != written
        transaction.set_rollback(True)
    body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    return response.status_code, body.get("code") if isinstance(body, dict) else None, wrote


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_a_credential_of_tenant_b_is_worthless_on_tenant_a(endpoint, worlds, db):
    a, b = worlds
    clients = {}
    for role in HOLDERS:
        clients[f"{role} token"] = host_client(a.host, HTTP_AUTHORIZATION=f"Token {b.tokens[role]}")
        clients[f"{role} session"] = _session_client(b, role, a.host)
    seen = {name: _attempt(client, endpoint, b, a.ids) for name, client in clients.items()}
    # the webhook authenticates by its signature alone: B's secret is a bad signature on A
    token, session = ("authentication_failed", "not_authenticated") if endpoint.route != "carrier-webhook" else \
        ("bad_signature", "bad_signature")
    assert seen == {name: (401, token if name.endswith("token") else session, False) for name in clients}


def _names_an_object(endpoint) -> bool:
    """Its URL, body or query holds an id of the world (the webhook's URL holds the carrier's code)."""
    named_in_url = bool(endpoint.at) and endpoint.route != "carrier-webhook"
    return named_in_url or bool(re.search(r"\{\w+\}", json.dumps(endpoint.body, ensure_ascii=False) + endpoint.query))


# Endpoints that take B's ids only in their body or query: their answer (status, error code). A scoped
# serializer field says "no such ..." (400 with field errors); a scoped getter says not found (404).
FOREIGN = {key: (400, "invalid") for key in [
    "POST-dealer-list", "POST-node-list", "POST-stock-receipts", "POST-stock-adjustments", "POST-stock-transfers",
    "POST-catalog-product-list", "POST-catalog-sku-list", "POST-pricing-entry-list", "POST-pricing-protection-list",
    "POST-pricing-resale-price-list",
]} | {
    "POST-orders": (400, "order_invalid"),
    "POST-quote": (404, "dealer_not_found"), "GET-promotion-current": (404, "dealer_not_found"),
    "GET-recommendations": (404, "dealer_not_found"),
    "POST-cart-lines": (404, "sku_not_available"), "POST-shipment-list": (404, "order_not_found"),
    "POST-return-list": (404, "order_not_found"),
    "POST-finance-top-up-list": (404, "dealer_not_found"), "POST-finance-adjustment-list": (404, "dealer_not_found"),
    "POST-finance-invoice-list": (404, "dealer_not_found"),
    "POST-finance-rebate-run-list": (404, "rebate_rule_not_found"),
    # one result per order: B's order is not found, and nothing is approved
    "POST-approval-bulk-approve": (200, None),
    "POST-supplier-list": (404, "dealer_not_found"),
    "POST-supplier-safety-stock-list": (400, "inventory_invalid"),  # B's SKU: "No such SKU." on `sku`
    "POST-replenishment-safety-stock": (400, "replenishment_invalid"),  # B's SKU: not a product for the dealer
}


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if _names_an_object(e)], ids=lambda e: e.key)
def test_ids_of_tenant_b_name_nothing_on_tenant_a(endpoint, worlds, db):
    a, b = worlds
    asker = next(role for role in ASKERS if expected_status(role, endpoint) == endpoint.success)
    client = host_client(a.host, HTTP_AUTHORIZATION=f"Token {a.tokens[asker]}")
    status, code, wrote = _attempt(client, endpoint, a, b.ids)
    if endpoint.at:
        assert (status, code.endswith("not_found"), wrote) == (404, True, False), (asker, code)
    else:
        assert (status, code, wrote) == (*FOREIGN[endpoint.key], False), asker
