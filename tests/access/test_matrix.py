"""Who may call what on the API: every role in `Role` and anonymous against every endpoint and method of
/api/v1/ on a brand's host (tests/access/endpoints.py), the expected status computed from MATRIX
(tenant_apps/accounts/permissions.py) and the capabilities each endpoint declares. A denied call changes
nothing: no row of any table is inserted, updated or deleted (PostgreSQL's count for the transaction), and a
granted write changes what its row says it changes. A route missing from ENDPOINTS (or from the few exempt,
with their reason) fails `test_every_route_and_method_of_the_api_is_in_the_matrix`.

The world is built once for the module (tests/access/conftest.py); each call runs in its own savepoint,
rolled back. Then the data scopes: outside it is a 404."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from tenant_apps.accounts.permissions import Role
from tenant_apps.ordering.models import Order
from tests.access.endpoints import (
    ACTORS,
    ANYONE,
    ENDPOINTS,
    EXEMPT,
    OUTSIDE,
    OUTSIDERS,
    api_routes,
    call,
    expected_status,
    granted,
    writes,
)
from tests.conftest import host_client

API = "/api/v1"


def test_every_route_and_method_of_the_api_is_in_the_matrix():
    keys = [(endpoint.route, endpoint.method) for endpoint in ENDPOINTS]
    assert len(keys) == len(set(keys))  # one row each
    assert set(keys) | EXEMPT == set(api_routes())
    assert not set(keys) & EXEMPT


def test_each_endpoint_is_granted_to_some_role_and_every_write_is_refused_to_some_role():
    for endpoint in ENDPOINTS:
        outcomes = {expected_status(role, endpoint) for role in Role}
        assert endpoint.success in outcomes, endpoint
        assert endpoint.state is None or 403 in outcomes or endpoint.exceptions == ANYONE, endpoint


def attempt(world, endpoint, token: str | None, ids: dict | None = None):
    """One call in a savepoint rolled back after it: (status, error code, whether it wrote any row, the state
    before and after)."""
    client = host_client(world.host, HTTP_AUTHORIZATION=f"Token {token}") if token else host_client(world.host)
    with transaction.atomic():
        with schema_context(world.schema):
            before = endpoint.state(world) if endpoint.state else None
        written = writes()
        response = call(client, endpoint, world, ids)
        wrote = writes() != written
        with schema_context(world.schema):
            after = endpoint.state(world) if endpoint.state else None
        transaction.set_rollback(True)
    code = response.json().get("code") if response.status_code >= 400 and response.get(
        "Content-Type", "").startswith("application/json") else None
    return response.status_code, code, wrote, before, after


def outcome(status: int, *, wrote: bool, changed: bool, endpoint) -> str:
    if status >= 400:
        return "wrote rows" if wrote else "writes nothing"
    if endpoint.state:
        return "changes its state" if changed else "leaves its state"
    return "answers"


ERROR_CODES = {401: ("not_authenticated",), 403: ("permission_denied", "not_your_step")}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_every_role_on_the_endpoint(endpoint, world, db):
    """Anonymous and every role: the status the matrix gives; a refusal has the error code of its kind and
    writes nothing; a granted write changes its state."""
    seen, wanted = {}, {}
    for actor in ACTORS:
        status, code, wrote, before, after = attempt(world, endpoint, world.tokens[actor] if actor else None)
        expected = expected_status(actor, endpoint)
        name = actor or "anonymous"
        wanted[name] = (expected, outcome(expected, wrote=False, changed=True, endpoint=endpoint))
        seen[name] = (status, outcome(status, wrote=wrote, changed=after != before, endpoint=endpoint))
        if expected in ERROR_CODES:
            assert code in ERROR_CODES[expected], (name, status, code)
    assert seen == wanted


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.key in OUTSIDE], ids=lambda e: e.key)
def test_outside_the_scope_is_a_404(endpoint, world, db):
    """People who hold the capability but whose data scope does not hold Pudong: its objects do not exist
    (never a 403 and never a hit); without the capability, 403 first. Either way nothing is written."""
    seen, wanted = {}, {}
    for outsider in OUTSIDERS:
        role, token = world.outsiders[outsider]
        status, code, wrote, _before, _after = attempt(world, endpoint, token)
        outside = OUTSIDE[endpoint.key]
        expected = outside.get(outsider, 404) if isinstance(outside, dict) else outside
        if not granted(role, endpoint):
            expected = 403
        wanted[outsider] = (expected, expected == 404, False)
        seen[outsider] = (status, bool(code) and code.endswith("not_found"), wrote)
    assert seen == wanted


@pytest.mark.parametrize("route", ["dealer-list", "node-list", "orders", "shipment-list", "return-list",
                                   "approval-inbox", "api-users"])
def test_lists_show_an_outsider_nothing_of_pudong(route, world, db):
    endpoint = next(e for e in ENDPOINTS if (e.route, e.method) == (route, "GET"))
    with schema_context(world.schema):
        numbers = list(Order.objects.filter(dealer=world.pudong).values_list("number", flat=True))
    assert len(numbers) == 6  # waiting, split, shipped, pending, awaiting the dealer's confirmation (placed on its
    # behalf) and held for the dealer's own approval
    for outsider in OUTSIDERS:
        role, token = world.outsiders[outsider]
        response = call(host_client(world.host, HTTP_AUTHORIZATION=f"Token {token}"), endpoint, world)
        if not granted(role, endpoint):
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        text = response.content.decode()
        assert [marker for marker in ["SH-002", "matrix-dealer_", *numbers] if marker in text] == []
