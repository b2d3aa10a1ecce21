"""Every read of catalog or price data for a dealer goes through the catalog's visibility rule: a draft SKU, or
one whose product is limited to another tier or territory, is "not available" to the dealer, never priced, on
the quote API (the dealer's own and brand staff quoting for it), the cart's quote, quick order, upload and submit."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Category
from tenant_apps.dealers import services as dealers
from tenant_apps.ordering.models import CartLine, Order
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.quote_types import CartLine as QuoteLine
from tenant_apps.quoting.quote import quote_cart
from tests.conftest import host_client

HIDDEN = ["DRAFT-1", "TIER-B-1", "WEST-1"]
NOT_AVAILABLE = ["This product is not available to the dealer."]


@pytest.fixture
def hidden(store, in_tenant):
    """Beside the store's SKUs, three priced SKUs its dealer (tier A, in Shanghai) may not see."""
    with in_tenant(store.tenant):
        category = Category.objects.get(code="DRINK")
        tier_b = dealers.tier_create(actor=None, code="B", name="B")
        skus = {}
        for code, status in (("DRAFT-1", "draft"), ("TIER-B-1", "on_sale"), ("WEST-1", "on_sale")):
            product = catalog.product_create(actor=None, category=category, code=f"P-{code}", name=code, status=status)
            skus[code] = catalog.sku_create(actor=None, product=product, code=code, name=code, base_unit=store.can)
            pricing.price_entry_set(actor=None, price_list=store.base, sku=skus[code], unit=store.can, price="1.00")
        catalog.product_visibility_set(actor=None, product=skus["TIER-B-1"].product, tiers=[tier_b])
        west = dealers.territory_create(actor=None, code="WEST-X", name="西北")
        catalog.product_visibility_set(actor=None, product=skus["WEST-1"].product, territories=[west])
        tokens = {"buyer": Token.objects.create(user=store.buyer).key,
                  "owner": Token.objects.create(user=User.objects.get(email="owner@acme.test")).key}
    return SimpleNamespace(skus=skus, tokens=tokens)


def _api(hidden, who):
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {hidden.tokens[who]}")


@pytest.mark.parametrize("code", HIDDEN)
def test_the_dealer_cannot_quote_a_sku_it_may_not_see(store, hidden, code):
    lines = [{"sku_code": "RB-250", "unit": "CAN", "quantity": 1}, {"sku_code": code, "unit": "CAN", "quantity": 1}]
    response = _api(hidden, "buyer").post("/api/v1/quote/", {"lines": lines}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"lines.1.sku_code": NOT_AVAILABLE}
    by_id = _api(hidden, "buyer").post("/api/v1/quote/", {"lines": [
        {"sku_id": hidden.skus[code].pk, "unit": "CAN", "quantity": 1}]}, content_type="application/json")
    assert by_id.status_code == 400 and by_id.json()["fields"] == {"lines.0.sku_id": NOT_AVAILABLE}
    visible = _api(hidden, "buyer").post("/api/v1/quote/", {"lines": lines[:1]}, content_type="application/json")
    assert visible.status_code == 200 and visible.json()["total"] == "5.00"


@pytest.mark.parametrize("code", HIDDEN)
def test_brand_staff_quoting_for_the_dealer_get_what_the_dealer_may_see(store, hidden, code):
    response = _api(hidden, "owner").post("/api/v1/quote/", {"dealer_id": store.dealer.pk, "lines": [
        {"sku_code": code, "unit": "CAN", "quantity": 1}]}, content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"] == {"lines.0.sku_code": NOT_AVAILABLE}


def test_the_price_book_prices_nothing_the_dealer_may_not_see(store, hidden, in_tenant):
    """The root every quote goes through (the cart, the promotions' preview, submission): no price, unpriced."""
    with in_tenant(store.tenant):
        quote = quote_cart(dealer=store.dealer, lines=[
            QuoteLine(sku_id=store.sku.pk, unit_id=store.can.pk, quantity=1),
            *[QuoteLine(sku_id=hidden.skus[code].pk, unit_id=store.can.pk, quantity=1) for code in HIDDEN]])
    assert [line.priced.sku_id for line in quote.lines] == [store.sku.pk]
    assert quote.unpriced == (1, 2, 3) and quote.total == 5


def test_a_cart_line_whose_product_was_withdrawn_is_not_priced(store, hidden, in_tenant):
    store.fill((store.sku, store.can, 1))
    with in_tenant(store.tenant):
        extra = catalog.product_create(actor=None, category=Category.objects.get(code="DRINK"), code="P-LATE",
                                       name="late", status="on_sale")
        late = catalog.sku_create(actor=None, product=extra, code="LATE-1", name="late", base_unit=store.can)
        pricing.price_entry_set(actor=None, price_list=store.base, sku=late, unit=store.can, price="2.00")
        store.fill((late, store.can, 1))
        catalog.product_visibility_set(actor=None, product=extra,
                                       tiers=[dealers.tier_create(actor=None, code="C", name="C")])
    cart = _api(hidden, "buyer").get("/api/v1/cart/").json()
    assert cart["quote"]["total"] == "5.00" and cart["quote"]["unpriced_lines"] == [2]
    assert [line["unit_price"] for line in cart["lines"]] == ["5.0000", None]


@pytest.mark.parametrize("code", HIDDEN)
def test_quick_order_upload_and_submit_refuse_a_sku_the_dealer_may_not_see(store, hidden, code, in_tenant):
    buyer = _api(hidden, "buyer")
    quick = buyer.post("/api/v1/cart/quick/", {"text": f"RB-250 x 1\n{code} x 1"}, content_type="application/json")
    assert quick.status_code == 400 and list(quick.json()["fields"]) == ["lines.2.sku"]
    upload = buyer.post("/api/v1/cart/upload/", {"file": SimpleUploadedFile(
        "order.csv", f"sku,quantity\nRB-250,1\n{code},1\n".encode(), content_type="text/csv")})
    assert upload.status_code == 400 and code in upload.content.decode()
    submit = buyer.post("/api/v1/orders/", {"lines": [{"sku": hidden.skus[code].pk, "quantity": 1}]},
                        content_type="application/json")
    assert submit.status_code == 400
    assert submit.json()["fields"] == {"lines.1.sku": ["This product is not available to your company."]}
    with in_tenant(store.tenant):
        assert not CartLine.objects.filter(cart__dealer=store.dealer).exists()
        assert not Order.objects.filter(dealer=store.dealer).exists()
