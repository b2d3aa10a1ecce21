"""An object's id in an API path is ASCII digits, or the path is not a route: a 404 in the API's error shape,
never a 500 from a query given something int() refuses (found by the API fuzz run: a superscript "¹")."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tests.conftest import OWNERS, host_client


@pytest.fixture
def owner_client(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        key = Token.objects.create(user=User.objects.get(email=OWNERS["acme"])).key
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/shipments/¹/"),
    ("post", "/api/v1/shipments/¹/tracking/"),
    ("get", "/api/v1/returns/٣/"),
    ("get", "/api/v1/fulfillment/orders/²/picking/"),
    ("post", "/api/v1/fulfillment/orders/¹/confirm-receipt/"),
])
def test_an_id_that_is_not_ascii_digits_is_not_a_route(owner_client, method, path):
    response = getattr(owner_client, method)(path, {}, content_type="application/json")

    assert response.status_code == 404
