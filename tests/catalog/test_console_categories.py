"""The category tree (add a child, rename, reorder, move) and series and units in the console."""

import re

from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Category, Series, Sku, Unit
from tests.catalog import test_console_helpers
from tests.catalog.test_console_helpers import sign_in

console = test_console_helpers.console  # the fixture


def _tree(html: str) -> list[str]:
    return re.findall(r'data-category="([^"]+)"', html)


def test_tree_is_shown_in_tree_order_and_a_child_is_added(console, in_tenant):
    owner = sign_in("owner")
    assert _tree(owner.get("/console/catalog/categories/").content.decode()) == ["ALL", "ENERGY", "WATER"]
    prefilled = owner.get("/console/catalog/categories/", {"parent": console["water"].pk}).content.decode()
    assert f'<option value="{console["water"].pk}" selected>' in prefilled
    added = owner.post("/console/catalog/categories/", {"parent": console["water"].pk, "code": "SPARKLING",
                                                        "name": "气泡水", "name_en": "Sparkling", "sort_order": 0})
    assert added.status_code == 302
    with in_tenant(console["tenant"]):
        child = Category.objects.get(code="SPARKLING")
        assert child.path == f"{console['water'].path}.{child.pk}"
    html = owner.get("/console/catalog/categories/").content.decode()
    assert _tree(html) == ["ALL", "ENERGY", "WATER", "SPARKLING"]


def test_rename_reorder_and_move_a_category(console, in_tenant):
    owner = sign_in("owner")
    root, energy, water = console["root"], console["energy"], console["water"]
    assert owner.post(f"/console/catalog/categories/{water.pk}/", {
        "name": "水", "name_en": "Water", "sort_order": 0, "parent": root.pk}).status_code == 302
    assert owner.post(f"/console/catalog/categories/{energy.pk}/", {
        "name": "能量饮料", "sort_order": 5, "parent": root.pk}).status_code == 302
    assert _tree(owner.get("/console/catalog/categories/").content.decode()) == ["ALL", "WATER", "ENERGY"]
    # Move WATER (with a child) under ENERGY: paths of the whole subtree follow.
    owner.post("/console/catalog/categories/", {"parent": water.pk, "code": "SPARKLING", "name": "气泡水",
                                                "sort_order": 0})
    assert owner.post(f"/console/catalog/categories/{water.pk}/", {
        "name": "水", "sort_order": 0, "parent": energy.pk}).status_code == 302
    with in_tenant(console["tenant"]):
        moved = Category.objects.get(pk=water.pk)
        child = Category.objects.get(code="SPARKLING")
        assert (moved.parent_id, moved.path) == (energy.pk, f"{energy.path}.{water.pk}")
        assert child.path == f"{energy.path}.{water.pk}.{child.pk}"
    assert _tree(owner.get("/console/catalog/categories/").content.decode()) == ["ALL", "ENERGY", "WATER", "SPARKLING"]
    # The subtree filter of the product list follows the move.
    listing = owner.get("/console/catalog/", {"category": energy.pk}).content.decode()
    assert 'data-product="NF"' in listing and 'data-product="RB"' in listing


def test_a_category_cannot_move_under_itself_and_errors_write_nothing(console, in_tenant):
    owner = sign_in("owner")
    root, energy = console["root"], console["energy"]
    with in_tenant(console["tenant"]):
        before = (list(Category.objects.values_list("pk", "name", "path", "sort_order").order_by("pk")),
                  AuditEntry.objects.count())
    form = owner.get(f"/console/catalog/categories/{root.pk}/").content.decode()
    assert f'value="{energy.pk}"' not in form  # its own subtree is not offered
    refused = owner.post(f"/console/catalog/categories/{root.pk}/", {"name": "新名", "sort_order": 0,
                                                                     "parent": energy.pk})
    assert refused.status_code == 400
    assert "A category cannot go under itself or its own subcategory." in refused.content.decode()
    blank = owner.post(f"/console/catalog/categories/{energy.pk}/", {"name": " ", "sort_order": -1,
                                                                     "parent": root.pk})
    assert blank.status_code == 400 and "This field is required." in blank.content.decode()
    taken = owner.post("/console/catalog/categories/", {"code": "ENERGY", "name": "x", "sort_order": 0})
    assert taken.status_code == 400 and "This code is already used." in taken.content.decode()
    with in_tenant(console["tenant"]):
        after = (list(Category.objects.values_list("pk", "name", "path", "sort_order").order_by("pk")),
                 AuditEntry.objects.count())
    assert after == before


def test_category_move_service_refuses_its_own_subtree(console, in_tenant):
    import pytest

    from tenant_apps.catalog import services
    from tenant_apps.catalog.errors import CatalogInvalid

    with in_tenant(console["tenant"]), pytest.raises(CatalogInvalid) as refused:
        services.category_move(actor=None, category=console["root"], parent=console["energy"])
    assert refused.value.fields == {"parent": ["A category cannot go under itself or its own subcategory."]}


def test_series_are_added_and_renamed_and_units_added(console, in_tenant):
    owner = sign_in("owner")
    page = owner.get("/console/catalog/series/").content.decode()
    assert 'data-series="RED"' in page and "<code>pc</code>" in page
    assert owner.post("/console/catalog/series/",
                      {"series_add": "1", "code": "GOLD", "name": "金罐"}).status_code == 302
    taken = owner.post("/console/catalog/series/", {"series_add": "1", "code": "RED", "name": "x"})
    assert taken.status_code == 400 and "This code is already used." in taken.content.decode()
    renamed = owner.post(f"/console/catalog/series/{console['series'].pk}/", {"name": "红牛经典"}, follow=True)
    assert "Series renamed." in renamed.content.decode()
    assert owner.post("/console/catalog/series/", {"unit_add": "1", "code": "case", "name": "件"}).status_code == 302
    bad_unit = owner.post("/console/catalog/series/", {"unit_add": "1", "code": "a b", "name": "件"})
    assert bad_unit.status_code == 400 and "Enter a valid value." in bad_unit.content.decode()
    with in_tenant(console["tenant"]):
        assert sorted(Series.objects.values_list("code", "name")) == [("GOLD", "金罐"), ("RED", "红牛经典")]
        assert "红牛经典" in Sku.objects.get(code="RB-250").search_text  # the SKUs' search text follows
        assert sorted(Unit.objects.filter(code__in=["box", "case", "pc"]).values_list("code", flat=True)) == [
            "box", "case", "pc"]  # beside the units every workspace starts with


def test_a_series_rename_reindexes_its_skus_in_queries_that_do_not_grow_with_its_products(console, in_tenant,
                                                                                         count_queries):
    with in_tenant(console["tenant"]):
        line = console["series"]
        with count_queries() as few:
            catalog.series_update(actor=None, series=line, name="红牛一")
        for index in range(5):
            product = catalog.product_create(actor=None, category=console["energy"], code=f"S{index}",
                                             name=f"产品 {index}", series=line)
            catalog.sku_create(actor=None, product=product, code=f"S{index}-1", name="罐", base_unit=console["piece"])
        with count_queries() as many:
            catalog.series_update(actor=None, series=line, name="红牛二")
        assert len(many.sql) == len(few.sql)
        assert Sku.objects.filter(product__series=line, search_text__contains="红牛二").count() == 6
