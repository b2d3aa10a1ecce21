"""The suggestions on the storefront and through the API: one tap adds every due line to the cart (quantities as
edited), a line alone, the brand's read-only view and its safety stock for the dealer, and scope: a dealer's data is
never another's (brand staff outside the dealer's scope: 404; the dealer's own endpoints take no dealer id)."""

from __future__ import annotations

from tenant_apps.ordering.models import CartLine
from tenant_apps.replenishment.models import DealerSafetyStock
from tests.factories.accounts import UserFactory
from tests.factories.dealers import DealerFactory, RegionFactory
from tests.replenishment.conftest import signed_in, token


def _history(shop):
    for days_ago in (56, 42, 28, 12):
        shop.ordered(days_ago, (shop.sku, 40), (shop.water, 10))


def _cart(shop):
    return sorted(CartLine.objects.filter(cart__dealer=shop.dealer).values_list("sku__code", "quantity"))


def test_one_tap_adds_every_due_line_with_the_edited_quantity(shop, now):
    _history(shop)
    client = signed_in(shop, shop.buyer)
    page = client.get("/replenishment/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="add-all"' in html and "You order about 40 罐 every 14 days" in html
    response = client.post("/replenishment/", {"add": "all", "sku": [shop.sku.pk, shop.water.pk],
                                               f"q_{shop.sku.pk}": "44", f"q_{shop.water.pk}": "10"})
    assert (response.status_code, response["Location"]) == (302, "/cart/")
    assert _cart(shop) == [(shop.sku.code, 44), (shop.water.code, 10)]
    client.post("/replenishment/", {"add": str(shop.water.pk), "sku": [shop.sku.pk, shop.water.pk],
                                    f"q_{shop.sku.pk}": "44", f"q_{shop.water.pk}": "5"})
    assert _cart(shop) == [(shop.sku.code, 44), (shop.water.code, 15)]  # one line, added to what the cart held


def test_a_bad_quantity_adds_nothing(shop, now):
    _history(shop)
    client = signed_in(shop, shop.buyer)
    response = client.post("/replenishment/", {"add": "all", "sku": [shop.sku.pk, shop.water.pk],
                                               f"q_{shop.sku.pk}": "-3", f"q_{shop.water.pk}": "10"})
    assert response.status_code == 200 and _cart(shop) == []


def test_empty_state_page(shop, now):
    response = signed_in(shop, shop.buyer).get("/replenishment/")
    assert response.status_code == 200 and 'id="suggestions-empty"' in response.content.decode()


def test_api_suggestions_and_into_the_cart(shop, now):
    _history(shop)
    client = signed_in(shop, shop.buyer)
    auth = token(shop.buyer)
    body = client.get("/api/v1/replenishment/suggestions/", **auth).json()
    assert body["has_history"] is True
    assert [(line["sku"]["code"], line["quantity"], line["reason"]["code"], line["reason"]["figures"]["interval_days"])
            for line in body["due"]] == [(shop.sku.code, 40, "rhythm", 14), (shop.water.code, 10, "rhythm", 14)]
    response = client.post("/api/v1/replenishment/suggestions/cart/", {"lines": [{"sku": shop.sku.pk, "quantity": 48}]},
                           content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["lines"] == 1
    assert _cart(shop) == [(shop.sku.code, 48)]
    other = DealerFactory(code="X-9", legal_name="X", status="active")
    response = client.post("/api/v1/replenishment/suggestions/cart/", {"lines": [{"sku": 999999, "quantity": 1}]},
                           content_type="application/json", **auth)
    assert response.status_code == 400 and "lines.1.sku" in response.json()["fields"]
    assert _cart(shop) == [(shop.sku.code, 48)] and other.pk


def test_brand_reads_the_dealer_suggestions_and_sets_its_safety_stock(shop, now):
    _history(shop)
    owner = UserFactory(email="brand-owner@acme.test", role="owner")
    client = signed_in(shop, owner)
    page = client.get(f"/console/replenishment/dealers/{shop.dealer.pk}/")
    assert page.status_code == 200 and "You order about 40 罐 every 14 days" in page.content.decode()
    assert 'name="add"' not in page.content.decode()  # read-only: no cart buttons
    response = client.post(f"/console/replenishment/dealers/{shop.dealer.pk}/",
                           {"action": "safety", "sku": shop.sku.code, "quantity": "12"})
    assert response.status_code == 302
    row = DealerSafetyStock.objects.get(dealer=shop.dealer, sku=shop.sku)
    assert (row.quantity, row.set_by, row.set_by_user_id) == (12, "brand", owner.pk)
    auth = token(owner)
    body = client.get(f"/api/v1/dealers/{shop.dealer.pk}/replenishment/", **auth).json()
    assert [(line["sku"]["code"], line["quantity"]) for line in body["due"]] == [(shop.sku.code, 52),
                                                                                  (shop.water.code, 10)]


def test_another_dealer_or_staff_out_of_scope_never_sees_them(shop, now):
    _history(shop)
    DealerSafetyStock.objects.count()
    south = RegionFactory(code="SOUTH", name="华南")
    manager = UserFactory(email="rm@acme.test", role="regional_manager", scope_node=south)
    client = signed_in(shop, manager)
    auth = token(manager)
    assert client.get(f"/console/replenishment/dealers/{shop.dealer.pk}/").status_code == 404
    assert client.get(f"/api/v1/dealers/{shop.dealer.pk}/replenishment/", **auth).status_code == 404
    assert client.get(f"/api/v1/dealers/{shop.dealer.pk}/replenishment/safety-stock/", **auth).status_code == 404
    response = client.post(f"/api/v1/dealers/{shop.dealer.pk}/replenishment/safety-stock/",
                           {"sku": shop.sku.pk, "quantity": 5}, content_type="application/json", **auth)
    assert response.status_code == 404 and not DealerSafetyStock.objects.exists()
    # another dealer's buyer: its own suggestions only (empty), and no brand endpoint
    neighbour = DealerFactory(code="SH-2", legal_name="邻居", tier=shop.tier, territories=[shop.shanghai],
                              status="active")
    buyer = UserFactory(email="buyer@sh2.test", role="dealer_buyer", dealer=neighbour)
    client = signed_in(shop, buyer)
    auth = token(buyer)
    body = client.get("/api/v1/replenishment/suggestions/", **auth).json()
    assert (body["dealer"], body["has_history"], body["due"]) == (neighbour.pk, False, [])
    assert client.get("/api/v1/replenishment/safety-stock/", **auth).json() == []
    assert client.get(f"/api/v1/dealers/{shop.dealer.pk}/replenishment/", **auth).status_code == 403
    assert client.get(f"/console/replenishment/dealers/{shop.dealer.pk}/").status_code == 403
    assert "You order about" not in client.get("/replenishment/").content.decode()
