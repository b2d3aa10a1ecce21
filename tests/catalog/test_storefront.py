"""Dealer storefront catalog: search in Chinese, category filter, product page, stock badges, visibility."""


from tenant_apps.catalog import services as catalog
from tenant_apps.inventory import services as inventory
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def _buyer():
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": "buyer@sh.test", "password": DEFAULT_PASSWORD})
    return client


def test_a_dealer_searches_in_chinese_and_sees_stock_badges(shop):
    page = _buyer().get("/catalog/", {"q": "红牛"}).content.decode()
    assert 'data-sku="RB-250"' in page
    assert 'data-sku="VIP-1"' not in page  # a product for A-tier dealers only
    assert 'data-stock="in_stock"' in page


def test_category_filter_and_levels(shop):
    page = _buyer().get("/catalog/", {"category": shop["energy"].pk}).content.decode()
    assert 'data-sku="RB-250"' in page and 'data-sku="DP-250"' in page and 'data-sku="NF-250"' not in page
    assert 'data-stock="low"' in page  # 3 cans left, threshold 10
    water = _buyer().get("/catalog/", {"q": "农夫山泉"}).content.decode()
    assert 'data-stock="out"' in water


def test_product_page_and_hidden_products(shop):
    buyer = _buyer()
    page = buyer.get(f"/catalog/products/{shop['RB'].pk}/")
    assert page.status_code == 200 and "红牛维生素功能饮料" in page.content.decode()
    assert buyer.get(f"/catalog/products/{shop['VIP'].pk}/").status_code == 404


def test_stock_numbers_only_when_the_brand_shows_them(shop, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        inventory.inventory_settings_update(actor=None, dealer_stock_visibility="hidden")
    assert "data-stock" not in _buyer().get("/catalog/", {"q": "红牛"}).content.decode()
    with in_tenant(tenant_a):
        inventory.inventory_settings_update(actor=None, dealer_stock_visibility="exact")
    assert "500" in _buyer().get(f"/catalog/products/{shop['RB'].pk}/").content.decode()


def test_catalog_needs_sign_in_and_runs_constant_queries(shop, tenant_a, in_tenant, count_queries):
    assert host_client("acme.localhost").get("/catalog/").status_code == 302
    buyer = _buyer()
    buyer.get("/catalog/")
    with count_queries() as few:
        buyer.get("/catalog/")
    with in_tenant(tenant_a):
        piece = catalog.unit_ensure(code="pc", name="罐")
        for index in range(12):
            product = catalog.product_create(actor=None, category=shop["energy"], code=f"X{index}",
                                             name=f"饮料{index}", status="on_sale")
            catalog.sku_create(actor=None, product=product, code=f"X{index}-1", name=f"饮料{index} 1", base_unit=piece)
    with count_queries() as many:
        assert 'data-sku="X11-1"' in buyer.get("/catalog/").content.decode()
    assert len(many.sql) == len(few.sql)
