"""Dealers type pinyin or its initials for Chinese product names: 'kuangquanshui' and 'kqs' find 矿泉水,
'hongniu' and 'hn' find 红牛; the initials are served by their own trigram index, in a constant number of
queries, and kept in step with renames (and rebuilt for existing rows by a command)."""

from django.core.management import call_command
from django.db import connection

from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Sku
from tenant_apps.catalog.pinyin import full_pinyin, initials_text
from tenant_apps.catalog.selectors import sku_search


def test_pinyin_of_names():
    assert full_pinyin(["农夫山泉矿泉水 550ml", "红牛 Red Bull", "农夫山泉矿泉水"]) == [
        "nongfushanquankuangquanshui", "hongniu"]
    assert full_pinyin(["绿茶"]) == ["lvcha"]  # ü typed as v
    assert initials_text(["矿泉水", "红牛"]) == " kqs qs hn"
    assert initials_text(["Red Bull 250ml"]) == ""


def _catalog(names):
    unit = catalog.unit_ensure(code="btl", name="瓶")
    root = catalog.category_create(actor=None, parent=None, code="PY", name="饮品")
    skus = {}
    for number, name in enumerate(names):
        product = catalog.product_create(actor=None, category=root, code=f"PY{number}", name=name, status="on_sale")
        skus[name] = catalog.sku_create(actor=None, product=product, code=f"PY{number}-1", name=f"{name} 500ml",
                                        base_unit=unit)
    return skus


NAMES = ["农夫山泉矿泉水", "矿泉水", "可口可乐", "红牛维生素功能饮料", "康师傅冰红茶", "Johnnie Walker 威士忌"]


def _names(q):
    return [sku.product.name for sku in sku_search(q=q)]


def test_full_pinyin_and_initials_find_chinese_products(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        _catalog(NAMES)
        assert _names("kuangquanshui") == ["矿泉水", "农夫山泉矿泉水"]
        assert _names("kqs") == ["矿泉水", "农夫山泉矿泉水"]  # the name that starts with them first
        assert _names("hongniu") == ["红牛维生素功能饮料"]
        assert _names("HN")[0] == "红牛维生素功能饮料"  # before 'Johnnie' (which holds 'hn' too)
        assert _names("hn") == ["红牛维生素功能饮料", "Johnnie Walker 威士忌"]
        assert _names("kkkl") == ["可口可乐"]
        assert _names("hn wss") == ["红牛维生素功能饮料"]  # words of initials combine
        assert _names("hn 500ml") == ["红牛维生素功能饮料", "Johnnie Walker 威士忌"]  # with other words too
        assert _names("红牛") == ["红牛维生素功能饮料"]  # Chinese as before
        assert _names("walker") == ["Johnnie Walker 威士忌"]  # and English


def test_renaming_a_product_moves_its_pinyin(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        skus = _catalog(["矿泉水"])
        catalog.product_update(actor=None, product=skus["矿泉水"].product, name="纯净水")
        assert _names("cjs") == ["纯净水"] and _names("kqs") == ["纯净水"]  # the SKU is still named 矿泉水
        catalog.sku_update(actor=None, sku=skus["矿泉水"], name="纯净水 500ml")
        assert _names("kqs") == [] and _names("kuangquanshui") == []
        assert _names("cjs") == ["纯净水"] and _names("chunjingshui") == ["纯净水"]


def test_initials_are_served_by_their_index_in_constant_queries(tenant_a, in_tenant, count_queries):
    with in_tenant(tenant_a):
        _catalog(NAMES[:2])
        with count_queries() as few:
            assert len(list(sku_search(q="kqs"))) == 2
        _catalog_more = [f"矿泉水{number}号" for number in range(10)]
        unit = catalog.unit_ensure(code="btl", name="瓶")
        root = catalog.category_create(actor=None, parent=None, code="PY2", name="水")
        for number, name in enumerate(_catalog_more):
            product = catalog.product_create(actor=None, category=root, code=f"W{number}", name=name,
                                             status="on_sale")
            catalog.sku_create(actor=None, product=product, code=f"W{number}-1", name=name, base_unit=unit)
        with count_queries() as many:
            assert len(list(sku_search(q="kqs"))) == 12
        assert len(many.sql) == len(few.sql)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # the tables are tiny: make the planner show its index
        assert "catalog_sku_initials_trgm" in Sku.objects.filter(initials__contains=" hn").order_by().explain()


def test_a_command_rebuilds_the_pinyin_of_existing_rows(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        _catalog(["矿泉水"])
        Sku.objects.update(initials="", search_text="矿泉水")  # as rows written before pinyin was kept
        assert _names("kqs") == []
    call_command("catalog_search_reindex", tenant="acme", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with in_tenant(tenant_a):
        assert _names("kqs") == ["矿泉水"] and _names("kuangquanshui") == ["矿泉水"]
