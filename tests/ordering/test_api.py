"""The ordering API: the cart with its quote, submit with Idempotency-Key (201, replay 200 with the same
body, 409 shortages, 400 per-line errors), lists in scope with constant queries, 404 outside the scope,
cancel (409 when illegal), quick order, templates, and the OpenAPI schema."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from tenant_apps.ordering import services as cart
from tenant_apps.ordering.models import CartLine, Order, OrderTemplate
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import building_in, fresh, host_client, rolled_back
from tests.ordering.conftest import make_store
from tests.ordering.test_pages import allocated, make_people


@pytest.fixture(scope="module")
def _api(django_db_setup, django_db_blocker):
    """tests/ordering/conftest.py's store, people on both sides, their tokens and another dealer's order: built
    once for the module (each test runs in a savepoint rolled back after it: tests/conftest.py `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            store = make_store()
            store.tenant = tenant
            store.fill = lambda *lines: [cart.cart_line_set(actor=store.buyer, dealer=store.dealer, sku_id=s.pk,
                                                            unit_id=u.pk, quantity=q) for s, u, q in lines]
            people = make_people(store)
            tokens = {name: Token.objects.create(user=user).key for name, user in {
                "buyer": store.buyer, "other_buyer": people.other_buyer, "finance": people.finance,
                "analyst": people.analyst, "rm_hq": people.rm_hq, "rm_west": people.rm_west}.items()}
            theirs = order_submit(actor=people.other_buyer, dealer=people.other,
                                  lines=[SubmitLine(store.water.pk, None, 5)]).order
        yield SimpleNamespace(store=store, tokens=tokens, theirs=theirs, tenant=tenant, **people.__dict__)


@pytest.fixture
def store(_api, db, in_tenant):
    with in_tenant(_api.tenant):
        yield fresh(_api.store)


@pytest.fixture
def api(_api, store, in_tenant):
    with in_tenant(_api.tenant):
        return fresh(_api)


def client(api, who):
    auth = {"HTTP_AUTHORIZATION": f"Token {api.tokens[who]}"} if who else {}
    return host_client("acme.localhost", **auth)


def _in(api):
    return schema_context(api.tenant.schema_name)


def test_the_cart_endpoints_price_every_change(api):
    buyer = client(api, "buyer")
    store = api.store
    added = buyer.post("/api/v1/cart/lines/", {"sku": store.sku.pk, "unit": store.case.pk, "quantity": 2},
                       content_type="application/json")
    assert added.status_code == 200
    body = added.json()
    assert body["quote"]["total"] == "240.00" and body["lines"][0]["sku_code"] == "RB-250"
    line_id = body["lines"][0]["id"]
    changed = buyer.put(f"/api/v1/cart/lines/{line_id}/", {"quantity": 3}, content_type="application/json")
    assert changed.json()["quote"]["total"] == "360.00"
    bad = buyer.put(f"/api/v1/cart/lines/{line_id}/", {"quantity": -1}, content_type="application/json")
    assert bad.status_code == 400 and "quantity" in bad.json()["fields"]
    assert buyer.delete(f"/api/v1/cart/lines/{line_id}/").json()["lines"] == []
    assert client(api, "other_buyer").delete(f"/api/v1/cart/lines/{line_id}/").status_code == 404
    assert buyer.get("/api/v1/cart/").json()["quote"]["total"] == "0.00"


@pytest.mark.parametrize("who, status", [(None, 401), ("finance", 403), ("analyst", 403), ("rm_hq", 403)])
def test_only_dealer_buyers_use_the_cart_and_submit(api, who, status):
    assert client(api, who).get("/api/v1/cart/").status_code == status
    assert client(api, who).post("/api/v1/orders/", {}, content_type="application/json").status_code == status


def test_submit_answers_201_then_replays_200_with_the_same_body(api):
    buyer = client(api, "buyer")
    body = {"lines": [{"sku": api.store.sku.pk, "unit": api.store.case.pk, "quantity": 2},
                      {"sku": api.store.water.pk, "quantity": 10}], "note": "API"}
    first = buyer.post("/api/v1/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = buyer.post("/api/v1/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    order = first.json()
    assert order["total"] == "300.00" and [line["quantity"] for line in order["lines"]] == [2, 10]
    assert order["dealer"]["code"] == "SH-1" and order["status"] in ("submitted", "in_approval", "approved")
    with _in(api):
        assert Order.objects.filter(dealer=api.store.dealer).count() == 1


def test_a_shortage_is_a_409_listing_the_short_lines(api):
    response = client(api, "buyer").post("/api/v1/orders/", {"lines": [
        {"sku": api.store.water.pk, "quantity": 1}, {"sku": api.store.sku.pk, "quantity": 500}]},
        content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["shortages"] == [{"line": 2, "sku": "RB-250", "wanted": 500, "available": 150, "unit": "罐"}]
    assert body["fields"] == {"lines.2.quantity": ["150 of 500 罐 available."]}


def test_bad_lines_are_400_with_a_field_per_line(api):
    response = client(api, "buyer").post("/api/v1/orders/", {"lines": [
        {"sku": api.store.water.pk, "quantity": 1}, {"sku": "x", "quantity": 1},
        {"sku": api.store.sku.pk, "quantity": 0}]}, content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"] == {"lines.2.sku": ["Give the SKU's id."]}
    response = client(api, "buyer").post("/api/v1/orders/", {"lines": [
        {"sku": api.store.water.pk, "quantity": 1}, {"sku": api.store.sku.pk, "quantity": 0}]},
        content_type="application/json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["lines.2.quantity"]
    assert client(api, "buyer").post("/api/v1/orders/", {}, content_type="application/json").status_code == 400
    with _in(api):
        assert Order.objects.filter(dealer=api.store.dealer).count() == 0


def test_submitting_the_cart_empties_it(api):
    buyer = client(api, "buyer")
    buyer.post("/api/v1/cart/quick/", {"text": "RB-250 x 48"}, content_type="application/json")
    response = buyer.post("/api/v1/orders/", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="cart-1")
    assert response.status_code == 201 and response.json()["lines"][0]["quantity"] == 48
    with _in(api):
        assert not CartLine.objects.filter(cart__dealer=api.store.dealer).exists()


def test_lists_and_details_follow_the_scope(api):
    mine = client(api, "buyer").post("/api/v1/orders/", {"lines": [{"sku": api.store.water.pk, "quantity": 2}]},
                                     content_type="application/json").json()
    assert [o["number"] for o in client(api, "buyer").get("/api/v1/orders/").json()["results"]] == [mine["number"]]
    assert client(api, "buyer").get(f"/api/v1/orders/{api.theirs.pk}/").status_code == 404
    assert client(api, "rm_west").get(f"/api/v1/orders/{mine['id']}/").status_code == 404
    assert [o["number"] for o in client(api, "rm_west").get("/api/v1/orders/").json()["results"]] == [
        api.theirs.number]
    detail = client(api, "rm_hq").get(f"/api/v1/orders/{mine['id']}/").json()
    assert detail["events"][0]["to_status"] == "submitted" and "cancel" in detail["legal_actions"]
    assert client(api, "analyst").get("/api/v1/orders/", {"status": "cancelled"}).json()["count"] == 0


def test_cancel_is_409_when_illegal_and_403_for_read_only_staff(api, in_tenant):
    buyer = client(api, "buyer")
    order = buyer.post("/api/v1/orders/", {"lines": [{"sku": api.store.water.pk, "quantity": 2}]},
                       content_type="application/json").json()
    url = f"/api/v1/orders/{order['id']}/cancel/"
    assert client(api, "analyst").post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    assert client(api, "finance").post(url, {}, content_type="application/json").status_code == 403
    assert client(api, "rm_hq").post(url, {}, content_type="application/json").status_code == 400  # no reason
    done = buyer.post(url, {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = client(api, "rm_hq").post(url, {"reason": "again"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert "is Cancelled; it cannot be cancelled now" in again.json()["detail"]


def test_a_dealer_cannot_cancel_once_the_warehouse_has_it(api):
    buyer = client(api, "buyer")
    order = buyer.post("/api/v1/orders/", {"lines": [{"sku": api.store.water.pk, "quantity": 2}]},
                       content_type="application/json").json()
    with _in(api):
        allocated(Order.objects.get(pk=order["id"]))
    refused = buyer.post(f"/api/v1/orders/{order['id']}/cancel/", {}, content_type="application/json")
    assert refused.status_code == 409 and "only the brand can cancel it now" in refused.json()["detail"]
    assert client(api, "rm_hq").post(f"/api/v1/orders/{order['id']}/cancel/", {"reason": "客户要求"},
                                     content_type="application/json").json()["status"] == "cancelled"


def test_quick_order_and_templates_endpoints(api):
    buyer = client(api, "buyer")
    bad = buyer.post("/api/v1/cart/quick/", {"lines": [{"sku": "RB-250", "quantity": 48},
                                                       {"sku": "NOPE", "quantity": 1}]},
                     content_type="application/json")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["lines.2.sku"]
    ok = buyer.post("/api/v1/cart/quick/", {"lines": [{"sku": "RB-250", "quantity": 2, "unit": "CASE"}]},
                    content_type="application/json")
    assert ok.json() == {"lines": 1, "created": 1, "updated": 0, "skipped": []}
    saved = buyer.post("/api/v1/order-templates/", {"name": "常用"}, content_type="application/json")
    assert saved.status_code == 201 and saved.json()["lines"][0]["unit_name"] == "箱"
    template_id = saved.json()["id"]
    assert buyer.get("/api/v1/order-templates/").json()["results"][0]["line_count"] == 1
    assert client(api, "other_buyer").post(f"/api/v1/order-templates/{template_id}/load/").status_code == 404
    assert buyer.post(f"/api/v1/order-templates/{template_id}/load/").json()["updated"] == 1
    assert buyer.get("/api/v1/cart/").json()["lines"][0]["quantity"] == 4
    assert buyer.delete(f"/api/v1/order-templates/{template_id}/").status_code == 204
    with _in(api):
        assert not OrderTemplate.objects.exists()


def test_the_order_list_runs_constant_queries(api, count_queries):
    staff = client(api, "rm_hq")
    staff.get("/api/v1/orders/")
    with count_queries() as few:
        assert staff.get("/api/v1/orders/").json()["count"] == 1
    with _in(api):
        for _n in range(15):
            order_submit(actor=api.store.buyer, dealer=api.store.dealer,
                         lines=[SubmitLine(api.store.water.pk, None, 1)])
    with count_queries() as many:
        assert staff.get("/api/v1/orders/").json()["count"] == 16
    assert len(many.sql) == len(few.sql)


def test_submit_queries_do_not_grow_with_lines(api, tenant_a, count_queries):
    from tenant_apps.catalog import services as catalog
    from tenant_apps.finance.services import account_for
    from tenant_apps.inventory import services as inventory
    from tenant_apps.pricing import services as pricing

    store = api.store
    with _in(api):
        skus = []
        for n in range(20):
            sku = catalog.sku_create(actor=None, product=store.sku.product, code=f"Q-{n}", name=f"q{n}",
                                     base_unit=store.can)
            pricing.price_entry_set(actor=None, price_list=store.base, sku=sku, unit=store.can, price="1.00")
            inventory.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=store.east.pk, quantity=100)
            skus.append(sku)
        account_for(store.dealer)  # its finance account exists, as after its first order (which makes it)
    buyer = client(api, "buyer")
    buyer.get("/api/v1/cart/")

    def submit(count, key):
        lines = [{"sku": sku.pk, "quantity": 1} for sku in skus[:count]]
        with count_queries() as queries:
            response = buyer.post("/api/v1/orders/", {"lines": lines}, content_type="application/json",
                                  HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201
        return len(queries.sql)

    assert submit(2, "q-2") == submit(20, "q-20")


def test_the_schema_lists_the_ordering_endpoints(api):
    schema = client(api, "analyst").get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/cart/", "/api/v1/cart/lines/", "/api/v1/cart/lines/{line_id}/", "/api/v1/cart/quick/",
            "/api/v1/cart/upload/", "/api/v1/orders/", "/api/v1/orders/{id}/", "/api/v1/orders/{id}/cancel/",
            "/api/v1/orders/{id}/reorder/", "/api/v1/order-templates/",
            "/api/v1/order-templates/{id}/load/"} <= set(schema["paths"])
