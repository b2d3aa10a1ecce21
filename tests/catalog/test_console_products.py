"""The product list and the product editor of the console: search and filters, paging with constant
queries, creating and editing products and SKUs, field errors with nothing written, status changes."""

from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Product, Sku, SkuUnit
from tenant_apps.catalog.selectors import sku_search
from tests.catalog import test_console_helpers
from tests.catalog.test_console_helpers import png, sign_in

console = test_console_helpers.console  # the fixture


def _codes(html: str) -> list[str]:
    import re

    return re.findall(r'data-product="([^"]+)"', html)


def test_list_searches_names_codes_sku_codes_and_barcodes(console):
    owner = sign_in("owner")
    assert _codes(owner.get("/console/catalog/").content.decode()) == ["NF", "RB"]
    assert _codes(owner.get("/console/catalog/", {"q": "红牛"}).content.decode()) == ["RB"]
    assert _codes(owner.get("/console/catalog/", {"q": "rb"}).content.decode()) == ["RB"]
    assert _codes(owner.get("/console/catalog/", {"q": "NF-550"}).content.decode()) == ["NF"]
    assert _codes(owner.get("/console/catalog/", {"q": "6901234567892"}).content.decode()) == ["RB"]
    empty = owner.get("/console/catalog/", {"q": "咖啡"}).content.decode()
    assert _codes(empty) == [] and "No product matches" in empty


def test_list_filters_by_category_subtree_series_and_status_and_sorts(console):
    owner = sign_in("owner")
    assert _codes(owner.get("/console/catalog/", {"category": console["root"].pk}).content.decode()) == ["NF", "RB"]
    assert _codes(owner.get("/console/catalog/", {"category": console["water"].pk}).content.decode()) == ["NF"]
    assert _codes(owner.get("/console/catalog/", {"series": console["series"].pk}).content.decode()) == ["RB"]
    assert _codes(owner.get("/console/catalog/", {"status": "draft"}).content.decode()) == ["NF"]
    assert _codes(owner.get("/console/catalog/", {"sort": "-code"}).content.decode()) == ["RB", "NF"]
    assert _codes(owner.get("/console/catalog/", {"sort": "nonsense"}).content.decode()) == ["NF", "RB"]
    bad = owner.get("/console/catalog/", {"category": "999999", "page": "x"})
    assert bad.status_code == 200 and _codes(bad.content.decode()) == ["NF", "RB"]  # an unknown filter is ignored


def _products(console, indexes):
    for index in indexes:
        product = catalog.product_create(actor=None, category=console["energy"], code=f"P{index:02}",
                                         name=f"产品 {index}", series=console["series"])
        catalog.sku_create(actor=None, product=product, code=f"P{index:02}-1", name="x", base_unit=console["piece"])
        catalog.product_image_add(actor=None, product=product, image=png(f"p{index}.png"))


def test_list_queries_do_not_grow_with_the_page(console, in_tenant, count_queries, media_root):
    owner = sign_in("owner")
    search = {"q": "产品", "category": console["root"].pk, "sort": "-skus"}
    with in_tenant(console["tenant"]):
        _products(console, [0])
    owner.get("/console/catalog/")
    with count_queries() as few:
        assert len(_codes(owner.get("/console/catalog/").content.decode())) == 3
    with count_queries() as few_searched:
        assert _codes(owner.get("/console/catalog/", search).content.decode()) == ["P00"]
    with in_tenant(console["tenant"]):
        _products(console, range(1, 24))
    with count_queries() as many:
        html = owner.get("/console/catalog/").content.decode()
    assert len(_codes(html)) == 25 and html.count("/thumbs/") == 24
    assert len(many.sql) == len(few.sql)
    with count_queries() as many_searched:
        assert len(_codes(owner.get("/console/catalog/", search).content.decode())) == 24
    assert len(many_searched.sql) == len(few_searched.sql)
    print("list queries:", len(few.sql), "searched:", len(few_searched.sql))


def test_create_a_product_then_edit_it(console, in_tenant):
    owner = sign_in("owner")
    form = owner.get("/console/catalog/products/new/").content.decode()
    assert "\u2003能量饮料 (ENERGY)" in form  # categories indented in tree order
    created = owner.post("/console/catalog/products/new/", {
        "code": "DP", "name": "东鹏特饮", "name_en": "Dongpeng", "category": console["energy"].pk,
        "series": console["series"].pk, "description": "提神",
        "specifications_key": ["容量", "包装", ""], "specifications_value": ["250ml", "罐", ""],
    })
    assert created.status_code == 302
    with in_tenant(console["tenant"]):
        product = Product.objects.get(code="DP")
        assert (product.name, product.status, product.specifications) == ("东鹏特饮", "draft",
                                                                          {"容量": "250ml", "包装": "罐"})
    assert created["Location"] == f"/console/catalog/products/{product.pk}/"
    page = owner.get(created["Location"]).content.decode()
    assert "Product DP created." in page and 'value="250ml"' in page
    saved = owner.post(created["Location"], {
        "name": "东鹏特饮 新", "name_en": "Dongpeng", "category": console["water"].pk, "series": "",
        "description": "提神", "specifications_key": ["容量"], "specifications_value": ["500ml"],
    })
    assert saved.status_code == 302
    with in_tenant(console["tenant"]):
        product.refresh_from_db()
        assert (product.name, product.category_id, product.series_id, product.specifications) == (
            "东鹏特饮 新", console["water"].pk, None, {"容量": "500ml"})
        assert AuditEntry.objects.filter(action="catalog.product.updated", target_id=str(product.pk)).count() == 1


def test_product_field_errors_are_shown_and_nothing_is_written(console, in_tenant):
    owner = sign_in("owner")
    with in_tenant(console["tenant"]):
        before = (Product.objects.count(), AuditEntry.objects.count())
    taken = owner.post("/console/catalog/products/new/", {"code": "RB", "name": "x", "category": console["energy"].pk})
    assert taken.status_code == 400 and "This code is already used." in taken.content.decode()
    bad = owner.post("/console/catalog/products/new/", {
        "code": "bad code!", "name": "", "category": "999999",
        "specifications_key": ["", "容量", "容量"], "specifications_value": ["only a value", "1", "2"]})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert "This field is required." in html and "Select a valid choice." in html
    assert "Give each value a name." in html
    twice = owner.post(f"/console/catalog/products/{console['rb'].pk}/", {
        "name": "红牛", "category": console["energy"].pk, "specifications_key": ["容量", "容量"],
        "specifications_value": ["1", "2"]})
    assert twice.status_code == 400 and "The name 容量 appears twice." in twice.content.decode()
    with in_tenant(console["tenant"]):
        assert (Product.objects.count(), AuditEntry.objects.count()) == before
        assert Product.objects.get(code="RB").name == "红牛维生素功能饮料"


def test_status_goes_through_its_transitions_and_refuses_others(console, in_tenant):
    owner = sign_in("owner")
    nf = console["nf"]
    page = owner.get(f"/console/catalog/products/{nf.pk}/").content.decode()
    assert "Put on sale" in page and "Discontinue" not in page
    refused = owner.post(f"/console/catalog/products/{nf.pk}/status/", {"to": "discontinued"}, follow=True)
    assert "A product cannot go from Draft to Discontinued." in refused.content.decode()
    with in_tenant(console["tenant"]):
        assert Product.objects.get(pk=nf.pk).status == "draft"
    for to, shown in (("on_sale", "is now On sale"), ("discontinued", "is now Discontinued"),
                      ("on_sale", "is now On sale")):
        done = owner.post(f"/console/catalog/products/{nf.pk}/status/", {"to": to, "reason": "季节"}, follow=True)
        assert shown in done.content.decode()
    with in_tenant(console["tenant"]):
        assert Product.objects.get(pk=nf.pk).status == "on_sale"
        assert list(AuditEntry.objects.filter(action="catalog.product.status_changed", target_id=str(nf.pk))
                    .values_list("reason", flat=True)) == ["季节"] * 3


def test_visibility_by_tier_and_territory(console, in_tenant):
    from tenant_apps.dealers import services as dealers

    with in_tenant(console["tenant"]):
        gold = dealers.tier_create(actor=None, code="GOLD", name="金牌")
    owner = sign_in("owner")
    rb = console["rb"]
    assert owner.post(f"/console/catalog/products/{rb.pk}/visibility/", {"tiers": [gold.pk]}).status_code == 302
    with in_tenant(console["tenant"]):
        assert list(Product.objects.get(pk=rb.pk).visible_tiers.values_list("code", flat=True)) == ["GOLD"]
    bad = owner.post(f"/console/catalog/products/{rb.pk}/visibility/", {"tiers": ["999999"]})
    assert bad.status_code == 400 and "Select a valid choice." in bad.content.decode()
    assert "金牌" in sign_in("analyst").get(f"/console/catalog/products/{rb.pk}/").content.decode()


def test_add_and_edit_a_sku_with_attributes_barcode_and_units(console, in_tenant):
    owner = sign_in("owner")
    rb = console["rb"]
    created = owner.post(f"/console/catalog/products/{rb.pk}/skus/new/", {
        "code": "RB-330", "name": "红牛 330ml", "attributes_key": ["容量"], "attributes_value": ["330ml"],
        "barcode": "4006381333931", "base_unit": console["piece"].pk, "min_order_qty": 24, "order_step": 6})
    assert created.status_code == 302
    with in_tenant(console["tenant"]):
        sku = Sku.objects.get(code="RB-330")
        assert (sku.attributes, sku.barcode, sku.min_order_qty, sku.order_step) == ({"容量": "330ml"},
                                                                                    "4006381333931", 24, 6)
    assert created["Location"] == f"/console/catalog/products/{rb.pk}/skus/{sku.pk}/"
    saved = owner.post(created["Location"], {"name": "红牛 330ml 罐", "attributes_key": ["容量"],
                                             "attributes_value": ["330 ml"], "barcode": "96385074",
                                             "min_order_qty": 12, "order_step": 12, "status": "discontinued"})
    assert saved.status_code == 302
    added = owner.post(f"{created['Location']}units/", {"unit": console["box"].pk, "factor": 24,
                                                         "barcode": "6901234567908"})
    assert added.status_code == 302
    with in_tenant(console["tenant"]):
        sku.refresh_from_db()
        assert (sku.name, sku.barcode, sku.status, sku.min_order_qty) == (
            "红牛 330ml 罐", "96385074", "discontinued", 12)
        assert "330 ml" in sku.search_text and "6901234567908" in sku.search_text
        assert [s.code for s in sku_search(q="6901234567908", status=None)] == ["RB-330"]
        unit = SkuUnit.objects.get(sku=sku)
    page = owner.get(created["Location"]).content.decode()
    assert 'data-unit="box"' in page and "Remove the unit 箱 from this SKU?" in page
    removed = owner.post(f"{created['Location']}units/{unit.pk}/delete/")
    assert removed.status_code == 302
    with in_tenant(console["tenant"]):
        assert not SkuUnit.objects.filter(sku=sku).exists()
        assert "6901234567908" not in Sku.objects.get(pk=sku.pk).search_text
    product_page = owner.get(f"/console/catalog/products/{rb.pk}/").content.decode()
    assert 'data-sku="RB-330"' in product_page and "容量: 330 ml" in product_page


def test_sku_errors_are_shown_and_nothing_is_written(console, in_tenant):
    owner = sign_in("owner")
    rb, sku = console["rb"], console["rb_sku"]
    with in_tenant(console["tenant"]):
        before = (Sku.objects.count(), SkuUnit.objects.count(), AuditEntry.objects.count())
    bad = owner.post(f"/console/catalog/products/{rb.pk}/skus/new/", {
        "code": "RB-250", "name": "x", "barcode": "6901234567891", "base_unit": console["piece"].pk,
        "min_order_qty": 0, "order_step": 1})
    html = bad.content.decode()
    assert bad.status_code == 400 and "Ensure this value is greater than or equal to 1." in html
    bad = owner.post(f"/console/catalog/products/{rb.pk}/skus/new/", {
        "code": "RB-250", "name": "x", "barcode": "6901234567891", "base_unit": console["piece"].pk,
        "min_order_qty": 1, "order_step": 1})
    html = bad.content.decode()
    assert bad.status_code == 400 and "This code is already used." in html
    assert "Enter an EAN-8, UPC-12, EAN-13 or GTIN-14 barcode with a correct check digit." in html
    url = f"/console/catalog/products/{rb.pk}/skus/{sku.pk}/"
    taken = owner.post(f"{url}units/", {"unit": console["piece"].pk, "factor": 6, "barcode": "6901234567892"})
    html = taken.content.decode()
    assert taken.status_code == 400 and "This is the base unit already." in html
    assert "This barcode is already used." in html
    with in_tenant(console["tenant"]):
        assert (Sku.objects.count(), SkuUnit.objects.count(), AuditEntry.objects.count()) == before


def test_pages_in_chinese(console):
    owner = sign_in("owner")
    owner.cookies["django_language"] = "zh-hans"
    html = owner.get("/console/catalog/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in html and "红牛维生素功能饮料" in html


def test_product_page_queries_do_not_grow_with_its_skus_units_and_images(console, in_tenant, count_queries,
                                                                        media_root):
    owner = sign_in("owner")
    rb = console["rb"]
    url = f"/console/catalog/products/{rb.pk}/"
    owner.get(url)
    with count_queries() as few:
        assert owner.get(url).content.decode().count("data-sku=") == 1
    with in_tenant(console["tenant"]):
        for index in range(6):
            sku = catalog.sku_create(actor=None, product=rb, code=f"RB-{index}", name=f"红牛 {index}",
                                     base_unit=console["piece"])
            catalog.sku_unit_add(actor=None, sku=sku, unit=console["box"], factor=24)
            catalog.product_image_add(actor=None, product=rb, image=png(f"rb{index}.png"))
    with count_queries() as many:
        html = owner.get(url).content.decode()
    assert html.count("data-sku=") == 7 and html.count("data-image=") == 6 and html.count("箱×24") == 6
    assert len(many.sql) == len(few.sql)
