"""Hostile input is a 400 naming the field, never a 500: a NUL byte in a search or form field (read raw by many
views, refused once by dms.input_guard for pages and API alike), an id past bigint in an order or a quote, and
nested field errors as plain messages (never Python's repr, `ErrorDetail(string=...)`)."""

import pytest
from django.test import RequestFactory

from dms.input_guard import nul_fields
from tenant_apps.ordering.models import Order
from tests.conftest import host_client
from tests.ordering.test_api import _api, _in, api, client, store  # noqa: F401 (the fixtures)
from tests.ordering.test_pages import signed_in

PAST_BIGINT = 2**63


@pytest.mark.parametrize("url", ["/api/v1/orders/", "/api/v1/cart/"])
def test_a_nul_byte_in_an_api_query_is_a_field_error(api, url):  # noqa: F811
    response = client(api, "buyer").get(url, {"q": "a\x00b", "status": "ok"})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "The request has invalid fields.",
                               "fields": {"q": ["Null characters are not allowed."]}}


@pytest.mark.parametrize(("who", "url"), [("buyer", "/catalog/"), ("owner", "/console/fulfillment/shipments/"),
                                          ("owner", "/console/promotions/"), ("owner", "/console/pricing/resale/")])
def test_a_nul_byte_in_a_page_search_is_a_400_page(api, who, url):  # noqa: F811
    response = signed_in(getattr(api, who)).get(url, {"q": "red\x00bull"})
    assert response.status_code == 400
    assert 'id="error-page"' in response.content.decode()  # the error page, in the user's language


def test_a_nul_byte_in_a_posted_form_field_is_refused_before_anything_is_saved(api):  # noqa: F811
    response = signed_in(api.owner).post("/console/orders/views/", {"name": "mine\x00", "query": "status=submitted"})
    assert response.status_code == 400


def test_files_are_not_read_as_text_parameters():
    upload = RequestFactory().post("/cart/upload/", {"note": "ok", "file": _file(b"RB-250,\x00,1\n")})
    assert nul_fields(upload) == []
    assert nul_fields(RequestFactory().get("/catalog/", {"q": "\x00"})) == ["q"]


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("order.csv", content, content_type="text/csv")


def test_an_id_past_bigint_in_an_order_is_a_line_error(api):  # noqa: F811
    store = api.store  # noqa: F811 (not the fixture)
    with _in(api):
        before = Order.objects.count()
    response = client(api, "buyer").post("/api/v1/orders/", {"lines": [{"sku": PAST_BIGINT, "quantity": 1},
                                                                       {"sku": store.sku.pk, "quantity": 1}]},
                                         content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"lines.1.sku": ["This product is not available to your company."]}
    with _in(api):
        assert Order.objects.count() == before


def test_an_id_past_bigint_in_a_quote_is_a_line_error(api):  # noqa: F811
    response = client(api, "buyer").post("/api/v1/quote/", {"lines": [
        {"sku_id": PAST_BIGINT, "unit": "CAN", "quantity": 1}]}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["lines.0.sku_id"]


def test_nested_field_errors_are_plain_messages_named_by_position(api):  # noqa: F811
    buyer = client(api, "buyer")
    quick = buyer.post("/api/v1/cart/quick/", {"lines": [{"sku": "RB-250", "quantity": 1},
                                                         {"sku": "RB-250", "quantity": "many"}]},
                       content_type="application/json")
    assert quick.status_code == 400
    assert quick.json()["fields"] == {"lines.2.quantity": ["A valid integer is required."]}
    coupons = buyer.put("/api/v1/cart/coupons/", {"coupon_codes": ["OK", {"a": 1}]}, content_type="application/json")
    assert coupons.status_code == 400
    assert coupons.json()["fields"] == {"coupon_codes.2": ["Not a valid string."]}
    assert "ErrorDetail" not in quick.content.decode() + coupons.content.decode()


def test_a_tampered_shown_total_on_the_checkout_page_is_not_a_500(api, in_tenant):  # noqa: F811
    store = api.store  # noqa: F811 (not the fixture)
    store.fill((store.sku, store.can, 1))
    client = signed_in(api.buyer)
    for shown in ("sNaN", "Infinity", "1e999"):
        response = client.post("/cart/checkout/", {"action": "submit", "idempotency_key": f"t-{shown}",
                                                   "shown_total": shown})
        assert response.status_code in (302, 409), (shown, response.status_code)
    with in_tenant(api.tenant):
        assert Order.objects.filter(dealer=store.dealer).count() == 1


def test_a_huge_amount_in_a_promotion_rule_is_a_field_error(api):  # noqa: F811
    from rest_framework.authtoken.models import Token

    with _in(api):
        token = Token.objects.create(user=api.owner).key
    owner = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    response = owner.post("/api/v1/promotions/", {
        "code": "HUGE", "name": "huge", "kind": "threshold", "starts_at": "2026-01-01T00:00:00Z",
        "rule": {"steps": [{"threshold": "1e30", "off": "1"}]}}, content_type="application/json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["rule.steps"]
