"""Double submits. One cart submitted twice at once, without an Idempotency-Key (two tabs, a retried request),
becomes one order with its goods reserved once: the cart is locked and consumed by the first; the second is
told which order it became (409). An Idempotency-Key sent again with another request is a 422, not the first
order; a JSON array where the API expects an object is a 400."""

import uuid

from django.db import connection
from rest_framework.authtoken.models import Token

from tenant_apps.inventory import selectors as stock_selectors
from tenant_apps.ordering import services as cart
from tenant_apps.ordering import submission
from tenant_apps.ordering.models import Cart, CartLine, Order
from tenant_apps.ordering.submission import order_submit
from tenants.models import Tenant
from tests.conftest import host_client
from tests.ordering.conftest import make_store
from tests.ordering.test_pages import signed_in
from tests.ordering.test_submit import _clean, _stock
from tests.racing import at_once


def test_one_cart_submitted_twice_at_once_without_a_key_makes_one_order(django_db_blocker):
    racers = 4
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        made = make_store(tag=tag, stock_east=100, stock_west=0)
        cart.cart_line_set(actor=made.buyer, dealer=made.dealer, sku_id=made.sku.pk, unit_id=made.can.pk, quantity=7)
        connection.set_schema_to_public()

    def racer(_index):
        try:
            return ("ordered", order_submit(actor=made.buyer, dealer=made.dealer).order.number)
        except submission.CartAlreadySubmitted as again:
            return (f"refused {again.status}", str(again.detail))

    with django_db_blocker.unblock():
        outcomes = at_once(tenant, racers, racer)
        connection.set_tenant(tenant)
        try:
            [order] = Order.objects.filter(dealer=made.dealer)
            assert sorted(outcomes) == [("ordered", order.number)] + [
                ("refused 409", f"This cart was already submitted as order {order.number}.")] * (racers - 1)
            assert _stock(made.sku, made.east) == (100, 7)  # reserved once
            assert order.reservations.count() == 1 and stock_selectors.ledger_mismatches() == []
            assert Cart.objects.get(dealer=made.dealer).submitted_order_id == order.pk
        finally:
            Cart.objects.filter(dealer=made.dealer).delete()
            _clean(made)
            connection.set_schema_to_public()


def test_the_checkout_page_submitted_from_two_tabs_makes_one_order(store, in_tenant):
    """Two tabs hold two keys (each made when its page rendered): the second submit is told the first's order."""
    store.fill((store.sku, store.case, 1))
    client = signed_in(store.buyer)
    first = client.post("/cart/checkout/", {"action": "submit", "idempotency_key": "tab-1"})
    second = client.post("/cart/checkout/", {"action": "submit", "idempotency_key": "tab-2"})
    with in_tenant(store.tenant):
        [order] = Order.objects.filter(dealer=store.dealer)
        assert _stock(store.sku, store.east)[1] == 24
    assert first.status_code == 302 and first["Location"] == f"/orders/{order.pk}/"
    assert second.status_code == 409
    assert f"This cart was already submitted as order {order.number}." in second.content.decode()
    with in_tenant(store.tenant):  # a new line makes a new cart to submit
        store.fill((store.water, store.can, 1))
    assert client.post("/cart/checkout/", {"action": "submit", "idempotency_key": "tab-3"}).status_code == 302
    with in_tenant(store.tenant):
        assert Order.objects.filter(dealer=store.dealer).count() == 2


def _buyer_api(store, in_tenant):
    with in_tenant(store.tenant):
        key = Token.objects.create(user=store.buyer).key
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}")


def test_the_api_answers_409_for_a_cart_already_submitted(store, in_tenant):
    store.fill((store.sku, store.can, 3))
    api = _buyer_api(store, in_tenant)
    assert api.post("/api/v1/orders/", {}, content_type="application/json").status_code == 201
    again = api.post("/api/v1/orders/", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "cart_already_submitted"


def test_an_idempotency_key_reused_with_another_body_is_a_422(store, in_tenant):
    api = _buyer_api(store, in_tenant)
    body = {"lines": [{"sku": store.sku.pk, "quantity": 2}], "note": "first"}
    first = api.post("/api/v1/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    replay = api.post("/api/v1/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    for changed in ({**body, "lines": [{"sku": store.sku.pk, "quantity": 20}]}, {**body, "note": "other"},
                    {"lines": [{"sku": store.water.pk, "quantity": 2}]}):
        reused = api.post("/api/v1/orders/", changed, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert reused.status_code == 422, reused.content
        assert reused.json()["code"] == "idempotency_key_reused"
        assert reused.json()["fields"] == {"idempotency_key": [f"Already used for order {first.json()['number']}."]}
    with in_tenant(store.tenant):
        assert Order.objects.filter(dealer=store.dealer).count() == 1
        assert _stock(store.sku, store.east) == (100, 2)


def test_a_json_array_body_is_a_400_and_submits_nothing(store, in_tenant):
    store.fill((store.sku, store.can, 3))
    api = _buyer_api(store, in_tenant)
    for url in ("/api/v1/orders/", "/api/v1/cart/lines/", "/api/v1/quote/", "/api/v1/cart/quick/"):
        response = api.post(url, [{"sku": store.sku.pk, "quantity": 1}], content_type="application/json")
        assert response.status_code == 400, (url, response.content)
        assert response.json() == {"code": "parse_error",
                                   "detail": "Send a JSON object as the request body, not an array."}
    with in_tenant(store.tenant):
        assert not Order.objects.filter(dealer=store.dealer).exists()
        assert CartLine.objects.filter(cart__dealer=store.dealer).count() == 1
