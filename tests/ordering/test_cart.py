"""The dealer's shared cart: units and MOQ/step, visibility, the quote on the page, access."""

from decimal import Decimal

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services as dealers
from tenant_apps.ordering import services
from tenant_apps.ordering.models import CartLine
from tenant_apps.pricing import services as pricing
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def shop(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        hq = dealers.headquarters_ensure(name="HQ")
        tier_a = dealers.tier_create(actor=None, code="A", name="A")
        tier_b = dealers.tier_create(actor=None, code="B", name="B")
        dealer = dealers.dealer_create(actor=None, parent=hq, code="SH-1", legal_name="上海经销商", tier=tier_a)
        other = dealers.dealer_create(actor=None, parent=hq, code="BJ-1", legal_name="北京经销商", tier=tier_b)
        buyer = user_create(actor=None, email="buyer@sh.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                            dealer=dealer)
        colleague = user_create(actor=None, email="owner@sh.test", password=DEFAULT_PASSWORD, role="dealer_owner",
                                dealer=dealer)
        user_create(actor=None, email="finance@sh.test", password=DEFAULT_PASSWORD, role="dealer_finance",
                    dealer=dealer)
        user_create(actor=None, email="buyer@bj.test", password=DEFAULT_PASSWORD, role="dealer_buyer", dealer=other)
        can = catalog.unit_ensure(code="CAN", name="罐")
        case = catalog.unit_ensure(code="CASE", name="箱")
        root = catalog.category_create(actor=None, parent=None, code="DRINK", name="饮料")
        product = catalog.product_create(actor=None, category=root, code="RB", name="红牛", status="on_sale")
        sku = catalog.sku_create(actor=None, product=product, code="RB-250", name="红牛 250ml", base_unit=can,
                                 min_order_qty=48, order_step=24, units=[(case, 24, "")])
        vip = catalog.product_create(actor=None, category=root, code="VIP", name="金罐礼盒", status="on_sale")
        vip_sku = catalog.sku_create(actor=None, product=vip, code="VIP-1", name="金罐礼盒 6罐", base_unit=can)
        catalog.product_visibility_set(actor=None, product=vip, tiers=[tier_b])
        base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base", status="active")
        pricing.price_entry_set(actor=None, price_list=base, sku=sku, unit=can, price="5.00")
        tier_list = pricing.price_list_create(actor=None, code="TIER-A", name="A 级价", kind="tier", tier=tier_a,
                                              status="active")
        pricing.price_entry_set(actor=None, price_list=tier_list, sku=sku, unit=can, price="4.50")
    return {"dealer": dealer, "other": other, "buyer": buyer, "colleague": colleague, "sku": sku, "vip": vip_sku,
            "can": can, "case": case}


def signed_in(email):
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def test_cases_count_against_the_minimum_and_step_in_cans(shop, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        line = services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["sku"].pk,
                                      unit_id=shop["case"].pk, quantity=2)
        assert (line.quantity, line.unit_id) == (2, shop["case"].pk)  # 48 cans: the minimum
        with pytest.raises(services.CartInvalid) as below:
            services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["sku"].pk, quantity=24)
        assert below.value.fields == {"quantity": ["The minimum order is 48 罐."]}
        with pytest.raises(services.CartInvalid) as off_step:
            services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["sku"].pk, quantity=50)
        assert "steps of 24" in off_step.value.fields["quantity"][0]
        assert CartLine.objects.count() == 1  # the refused lines wrote nothing


def test_the_cart_is_shared_and_says_who_added_what(shop, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["sku"].pk, quantity=48)
        line = services.cart_line_set(actor=shop["colleague"], dealer=shop["dealer"], sku_id=shop["sku"].pk,
                                      quantity=24, add=True)
        assert (line.quantity, line.added_by, line.updated_by) == (72, shop["buyer"], shop["colleague"])


def test_a_product_hidden_from_the_dealer_cannot_be_added(shop, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        with pytest.raises(services.NotFound):
            services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["vip"].pk, quantity=1)
        with pytest.raises(services.CartInvalid) as wrong_unit:
            services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["sku"].pk,
                                   unit_id=shop["vip"].base_unit_id + 999, quantity=1)
        assert "unit" in wrong_unit.value.fields


def test_the_cart_page_shows_the_dealers_price_and_the_rule_that_set_it(shop, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["sku"].pk,
                               unit_id=shop["case"].pk, quantity=2)
        quote = services.cart_quote(dealer=shop["dealer"]).quote
        assert quote.total == Decimal("216.00")  # 2 cases x 24 cans x 4.50 (tier A beats the base 5.00)
    page = signed_in("buyer@sh.test").get("/cart/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "216.00" in body and "TIER-A" in body and 'id="quote-total"' in body


def test_adding_from_a_product_page_and_refusals_are_explained(shop):
    client = signed_in("buyer@sh.test")
    added = client.post("/cart/add/", {"sku": shop["sku"].pk, "quantity": "48", "next": "/catalog/"})
    assert added.status_code == 302 and added["Location"] == "/catalog/"
    refused = client.post("/cart/add/", {"sku": shop["sku"].pk, "quantity": "-3"}, follow=True)
    assert "Enter a whole number" in refused.content.decode()
    page = client.post("/cart/", {"action": "quantity", "line": 999999,
                                  "quantity": "5"})
    assert page.status_code == 404  # no such line in this dealer's cart


def test_a_dealer_cannot_touch_another_dealers_cart(shop, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        line = services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=shop["sku"].pk,
                                      quantity=48)
    client = signed_in("buyer@bj.test")
    assert client.post("/cart/", {"action": "remove", "line": line.pk}).status_code == 404
    with in_tenant(tenant_a):
        assert CartLine.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize("email, status", [("finance@sh.test", 403), ("owner@acme.test", 403)])
def test_people_who_do_not_order_have_no_cart(shop, email, status):
    assert signed_in(email).get("/cart/").status_code == status


def test_the_cart_page_runs_the_same_queries_for_2_and_20_lines(shop, tenant_a, in_tenant, count_queries):
    client = signed_in("buyer@sh.test")
    with in_tenant(tenant_a):
        can = shop["can"]
        root = shop["sku"].product.category
        skus = [catalog.sku_create(actor=None, product=catalog.product_create(
            actor=None, category=root, code=f"P{n}", name=f"产品{n}", status="on_sale"), code=f"S{n}", name=f"产品{n}",
            base_unit=can) for n in range(20)]
        for sku in skus[:2]:
            services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=sku.pk, quantity=1)
    with count_queries() as few:
        assert client.get("/cart/").status_code == 200
    with in_tenant(tenant_a):
        for sku in skus[2:]:
            services.cart_line_set(actor=shop["buyer"], dealer=shop["dealer"], sku_id=sku.pk, quantity=1)
    with count_queries() as many:
        assert client.get("/cart/").status_code == 200
    assert len(many.sql) == len(few.sql)
