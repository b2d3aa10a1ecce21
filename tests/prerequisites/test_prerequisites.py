"""Forms that need something the brand has not made yet (a category, a unit, a tier, a warehouse...) say so
beside the field, with a link to the page that makes it and back (accounts.prerequisites); a required field left
empty says what to choose; the way back (`next`) never leaves the site; a role that may not open the page that
makes it is told whom to ask instead."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import RequestFactory

from tenant_apps.accounts.prerequisites import safe_next
from tenant_apps.accounts.services import user_create
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Category, Series, Sku, Unit
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import QualificationType, Territory, Tier
from tenant_apps.inventory.models import Warehouse
from tests.conftest import building_in, fresh, host_client, rolled_back
from tests.factories import DEFAULT_PASSWORD

PRODUCT_NEW = "/console/catalog/products/new/"
DEALER_NEW = "/console/network/dealers/new/"


def sign_in(email: str, language: str = "en"):
    client = host_client("acme.localhost", language)
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    client.cookies["django_language"] = language
    return client


@pytest.fixture(scope="module")
def _empty(django_db_setup, django_db_blocker):
    """Tenant A as a brand that has made nothing yet but its headquarters and one region (whatever sign-up
    gave it is deleted inside the module's transaction), with a regional manager of that region: made once for
    the module (each test runs in a savepoint rolled back after it: tests/conftest.py `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            for model in (Sku, Category, Series, Unit, Tier, QualificationType, Warehouse):
                model.objects.all().delete()
            while Territory.objects.exists():  # China's divisions: leaves first (a parent is protected)
                Territory.objects.exclude(
                    pk__in=Territory.objects.filter(parent__isnull=False).values("parent_id")).delete()
            hq = dealers.headquarters_ensure(name="HQ")
            east = dealers.region_create(actor=None, parent=hq, name="华东", code="EAST")
            user_create(actor=None, email="rm@acme.test", password=DEFAULT_PASSWORD, role="regional_manager",
                        scope_node=east)
        yield {"tenant": tenant, "hq": hq, "east": east}


@pytest.fixture
def empty(_empty, db, in_tenant):
    with in_tenant(_empty["tenant"]):
        return fresh(_empty)


def _link(target: str, back: str, fragment: str = "", **query) -> str:
    params = "".join(f"{key}={value}&amp;" for key, value in query.items())
    return f'href="{target}?{params}next={quote(back, safe="")}{"#" + fragment if fragment else ""}"'


# --- the form says what is missing -----------------------------------------------------------------


def test_product_form_without_categories_links_to_adding_one_and_back(empty):
    owner = sign_in("owner@acme.test")
    page = owner.get(PRODUCT_NEW).content.decode()
    assert "There are no product categories yet." in page
    assert _link("/console/catalog/categories/", PRODUCT_NEW, "add") in page
    assert 'name="category"' not in page  # no empty select
    # the series is optional: said so, with its own link
    assert "There are no series yet. (Optional: you can leave it.)" in page
    assert _link("/console/catalog/series/", PRODUCT_NEW, "series-add") in page


def test_a_required_choice_left_empty_says_what_to_choose(empty, in_tenant):
    owner = sign_in("owner@acme.test")
    response = owner.post(PRODUCT_NEW, {"code": "RB", "name": "红牛"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose a product category." in page and "This field is required." not in page
    with in_tenant(empty["tenant"]):
        assert not catalog.Product.objects.exists()


def test_the_hint_is_in_chinese_on_a_chinese_page(empty):
    owner = sign_in("owner@acme.test", "zh-hans")
    page = owner.get(PRODUCT_NEW).content.decode()
    assert "还没有商品分类。" in page and "添加分类" in page
    response = owner.post(PRODUCT_NEW, {"code": "RB", "name": "红牛"})
    assert "请选择商品分类。" in response.content.decode()


def test_dealer_and_move_forms_say_what_to_choose(empty):
    owner = sign_in("owner@acme.test")
    response = owner.post(DEALER_NEW, {"code": "SH-1", "legal_name": "上海经销商"})
    assert "Choose where the dealer sits in the network." in response.content.decode()
    response = owner.post(f"/console/network/nodes/{empty['east'].pk}/move/", {"new_parent": ""})
    assert "Choose where to move it." in response.content.decode()


def test_with_categories_the_select_is_back(empty, in_tenant):
    with in_tenant(empty["tenant"]):
        catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
    page = sign_in("owner@acme.test").get(PRODUCT_NEW).content.decode()
    assert 'name="category"' in page and "There are no product categories yet." not in page


def test_sku_form_without_units_links_to_the_units(empty, in_tenant):
    with in_tenant(empty["tenant"]):
        category = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
        product = catalog.product_create(actor=None, category=category, code="RB", name="红牛")
    form_page = f"/console/catalog/products/{product.pk}/skus/new/"
    owner = sign_in("owner@acme.test")
    page = owner.get(form_page).content.decode()
    assert "There are no units yet" in page
    assert _link("/console/catalog/series/", form_page, "units") in page
    assert "Choose a unit." in owner.post(form_page, {"code": "RB-1", "name": "x", "min_order_qty": 1,
                                                      "order_step": 1}).content.decode()


def test_dealer_form_hints_for_tiers_territories_and_people(empty):
    owner = sign_in("owner@acme.test")
    page = owner.get(DEALER_NEW).content.decode()
    assert 'name="parent"' in page  # headquarters and the region are there
    assert "There are no dealer tiers yet." in page
    assert _link("/console/network/settings/", DEALER_NEW, "tier", add="tier") in page
    assert _link("/console/network/settings/", DEALER_NEW, "territory", add="territory") in page
    assert "Nobody has the sales representative role yet" in page
    assert _link("/accounts/people/", DEALER_NEW, role="sales_rep") in page


def test_a_role_that_may_not_add_it_is_told_whom_to_ask(empty):
    manager = sign_in("rm@acme.test")  # may add dealers, may not change network settings
    page = manager.get(DEALER_NEW).content.decode()
    assert "There are no dealer tiers yet." in page
    assert "/console/network/settings/" not in page
    assert "Ask someone who may add it: Owner, Administrator." in page


def test_a_dealer_without_areas_to_choose_is_told_to_ask_the_brand(empty, in_tenant):
    with in_tenant(empty["tenant"]):
        dealer = dealers.dealer_create(actor=None, parent=empty["east"], code="SH-1", legal_name="上海经销商")
        user_create(actor=None, email="buyer@sh.test", password=DEFAULT_PASSWORD, role="dealer_buyer", dealer=dealer)
    page = sign_in("buyer@sh.test").get("/account/addresses/").content.decode()
    assert "There are no territories (sales areas) yet." in page
    assert "Ask the brand you order from to set it up." in page and "/console/network/settings/" not in page


def test_stock_adjustment_without_warehouses_or_skus(empty):
    page = sign_in("owner@acme.test").get("/console/inventory/").content.decode()
    assert "There are no warehouses yet." in page and "There are no SKUs yet" in page
    assert _link("/console/catalog/products/new/", "/console/inventory/") in page


def test_price_and_promotion_forms_without_skus_or_dealers(empty):
    owner = sign_in("owner@acme.test")
    resale = owner.get("/console/pricing/resale/").content.decode()
    assert "There are no SKUs yet" in resale and 'name="sku_code"' not in resale
    lists = owner.get("/console/pricing/").content.decode()
    assert "There are no dealers yet. (Optional: you can leave it.)" in lists
    assert _link("/console/network/dealers/new/", "/console/pricing/") in lists
    preview = owner.get("/console/promotions/preview/").content.decode()
    assert "There are no dealers yet." in preview and "There are no SKUs yet" in preview


# --- the page that makes it goes back ----------------------------------------------------------------


def test_adding_a_category_from_the_product_form_returns_to_it(empty, in_tenant):
    owner = sign_in("owner@acme.test")
    opened = owner.get("/console/catalog/categories/", {"next": PRODUCT_NEW}).content.decode()
    assert "after saving you go back to it" in opened and f'href="{PRODUCT_NEW}"' in opened
    response = owner.post(f"/console/catalog/categories/?next={quote(PRODUCT_NEW)}",
                          {"code": "ALL", "name": "全部", "sort_order": 0})
    assert response.status_code == 302 and response["Location"] == PRODUCT_NEW
    page = owner.get(PRODUCT_NEW).content.decode()
    assert 'name="category"' in page and "全部 (ALL)" in page


@pytest.mark.parametrize("hostile", ["//evil.com/x", "https://evil.com/x", "http://acme.localhost/console/",
                                     "/\\evil.com", "javascript:alert(1)"])
def test_a_next_that_leaves_the_site_is_ignored(empty, hostile):
    owner = sign_in("owner@acme.test")
    assert "after saving you go back" not in owner.get("/console/catalog/categories/",
                                                          {"next": hostile}).content.decode()
    response = owner.post("/console/catalog/categories/", {"code": "ALL", "name": "全部", "sort_order": 0,
                                                           "next": hostile})
    assert response.status_code == 302 and response["Location"] == "/console/catalog/categories/"


def test_adding_a_unit_a_tier_and_a_warehouse_return_to_the_form(empty):
    owner = sign_in("owner@acme.test")
    back = "/console/catalog/products/1/skus/new/"
    response = owner.post(f"/console/catalog/series/?next={quote(back)}", {"unit_add": "1", "code": "pc", "name": "件"})
    assert response["Location"] == back
    response = owner.post(f"/console/network/settings/?add=tier&next={quote(DEALER_NEW)}",
                          {"action": "tier", "tier-code": "A", "tier-name": "金牌", "tier-rank": 1})
    assert response["Location"] == DEALER_NEW
    page = owner.get(DEALER_NEW).content.decode()
    assert 'name="tier"' in page and "金牌" in page and "There are no dealer tiers yet." not in page
    response = owner.post("/console/inventory/?next=/console/inventory/%3Fq%3DRB",
                          {"warehouse_add": "1", "code": "SH", "name": "上海仓"})
    assert response["Location"] == "/console/inventory/?q=RB"


def test_the_settings_page_opens_the_form_asked_for(empty):
    page = sign_in("owner@acme.test").get("/console/network/settings/",
                                          {"add": "tier", "next": DEALER_NEW}).content.decode()
    assert '<details open style="margin-top:12px">\n    <summary>Add a tier' in page
    assert page.count("<details open") == 1


def test_a_new_product_opened_for_a_sku_goes_on_to_its_sku_and_back(empty, in_tenant):
    with in_tenant(empty["tenant"]):
        category = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
        catalog.unit_ensure(code="pc", name="件")
    owner = sign_in("owner@acme.test")
    response = owner.post(f"{PRODUCT_NEW}?next=/console/inventory/",
                          {"code": "RB", "name": "红牛", "category": category.pk})
    with in_tenant(empty["tenant"]):
        product = catalog.Product.objects.get(code="RB")
        unit = Unit.objects.get(code="pc")
    sku_new = f"/console/catalog/products/{product.pk}/skus/new/"
    assert response["Location"] == f"{sku_new}?next=%2Fconsole%2Finventory%2F"
    response = owner.post(response["Location"], {"code": "RB-1", "name": "红牛 250ml", "base_unit": unit.pk,
                                                  "min_order_qty": 1, "order_step": 1})
    assert response["Location"] == "/console/inventory/"


# --- safe_next --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "kept"), [
    ("/console/catalog/products/new/?category=3", "/console/catalog/products/new/?category=3"),
    ("//evil.com", ""), ("https://evil.com/", ""), ("http://acme.localhost/x", ""), ("/\\evil.com", ""),
    ("\\\\evil.com", ""), ("javascript:alert(1)", ""), ("evil.com", ""), ("", ""),
])
def test_safe_next_keeps_only_paths_on_this_site(given, kept):
    request = RequestFactory().get("/", {"next": given}, HTTP_HOST="acme.localhost")
    assert safe_next(request) == kept
