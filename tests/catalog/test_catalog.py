"""The catalog: services (validation, transitions, search text, audit) and SKU search (relevance, filters,
dealer visibility, constant query counts)."""

from types import SimpleNamespace

import pytest

from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import selectors, services
from tenant_apps.catalog.errors import CatalogInvalid, IllegalProductTransition
from tenant_apps.catalog.models import Product, Sku
from tenant_apps.dealers import services as dealer_services
from tenant_apps.dealers.models import Territory


@pytest.fixture
def catalog(tenant_a, in_tenant):
    """饮料 (BEV) > 功能饮料 (ENERGY): 红牛 (two SKUs), 东鹏特饮; 饮料 > 饮用水 (WATER): 农夫山泉;
    建材 (BUILD) > 瓷砖 (TILE): a polished tile; 建材: a 公牛 (Bull) socket; a draft product."""
    with in_tenant(tenant_a):
        bev = services.category_create(actor=None, parent=None, code="BEV", name="饮料", name_en="Beverages")
        energy = services.category_create(actor=None, parent=bev, code="ENERGY", name="功能饮料")
        water = services.category_create(actor=None, parent=bev, code="WATER", name="饮用水")
        build = services.category_create(actor=None, parent=None, code="BUILD", name="建材")
        tile = services.category_create(actor=None, parent=build, code="TILE", name="瓷砖")
        redbull = services.series_create(actor=None, code="RB", name="红牛系列")
        can = services.unit_ensure(code="CAN", name="罐")
        bottle = services.unit_ensure(code="BTL", name="瓶")
        case = services.unit_ensure(code="CASE", name="箱")
        piece = services.unit_ensure(code="PCS", name="片")

        def product(code, name, name_en, category, series=None, status="on_sale"):
            return services.product_create(actor=None, category=category, code=code, name=name, name_en=name_en,
                                           series=series, status=status)

        rb = product("P-RB", "红牛维生素功能饮料", "Red Bull Vitamin Energy Drink", energy, redbull)
        dp = product("P-DP", "东鹏特饮维生素功能饮料", "Dongpeng Special Drink", energy)
        nf = product("P-NF", "农夫山泉饮用天然水", "Nongfu Spring Natural Water", water)
        tl = product("P-TL", "抛光砖 600x600", "Polished Porcelain Tile 600x600", tile)
        bs = product("P-BS", "公牛插座", "Bull Power Socket", build)
        draft = product("P-NEW", "红牛新品", "Red Bull New", energy, redbull, status="draft")
        skus = {
            "RB-250-24": services.sku_create(actor=None, product=rb, code="RB-250-24", name="红牛 250ml 罐装",
                                             base_unit=can, attributes={"规格": "250ml", "包装": "罐装"},
                                             barcode="6901234567892", order_step=24,
                                             units=[(case, 24, "16901234567899")]),
            "RB-355-24": services.sku_create(actor=None, product=rb, code="RB-355-24", name="红牛 355ml 加强型",
                                             base_unit=can, attributes={"规格": "355ml"}, barcode="6901234567908"),
            "DP-250-24": services.sku_create(actor=None, product=dp, code="DP-250-24", name="东鹏特饮 250ml",
                                             base_unit=bottle, attributes={"规格": "250ml"}, barcode="6901234567915"),
            "NF-550-24": services.sku_create(actor=None, product=nf, code="NF-550-24", name="农夫山泉 550ml",
                                             base_unit=bottle, attributes={"规格": "550ml"}, barcode="6901234567922"),
            "TL-600-GRY": services.sku_create(actor=None, product=tl, code="TL-600-GRY",
                                              name="瓷砖 600x600 抛光砖 灰色",
                                              base_unit=piece, attributes={"尺寸": "600x600", "颜色": "灰色"},
                                              barcode="6901234567939"),
            "BS-5": services.sku_create(actor=None, product=bs, code="BS-5", name="公牛插座 五孔", base_unit=piece,
                                        barcode="6901234567946"),
            "RB-NEW": services.sku_create(actor=None, product=draft, code="RB-NEW", name="红牛新品 330ml",
                                          base_unit=can),
        }
        yield SimpleNamespace(bev=bev, energy=energy, water=water, build=build, tile=tile, rb=rb, dp=dp, nf=nf,
                              tl=tl, can=can, case=case, skus=skus)


def codes(queryset) -> list[str]:
    return [sku.code for sku in queryset]


# --- services ---------------------------------------------------------------------------------------


def test_category_paths_follow_the_tree(catalog):
    assert catalog.bev.path == str(catalog.bev.pk)
    assert catalog.energy.path == f"{catalog.bev.pk}.{catalog.energy.pk}"
    subtree = selectors.category_subtree(category=catalog.bev)
    assert [c.code for c in subtree] == ["BEV", "ENERGY", "WATER"]
    assert AuditEntry.objects.filter(action="catalog.category.created").count() == 5


def test_search_text_holds_names_codes_barcodes_series_and_attributes(catalog):
    sku = Sku.objects.get(code="RB-250-24")
    assert sku.search_text == ("红牛维生素功能饮料 red bull vitamin energy drink 红牛 250ml 罐装 "
                               "rb-250-24 6901234567892 16901234567899 红牛系列 罐装 250ml "
                               # then the names' pinyin, one word per run:
                               "hongniuweishengsugongnengyinliao hongniu guanzhuang hongniuxilie")
    assert sku.initials == " hnwssgnyl nwssgnyl wssgnyl ssgnyl sgnyl gnyl nyl yl hn gz hnxl nxl xl"  # every suffix
    assert services.sku_search_text(sku) == sku.search_text


def test_product_and_sku_changes_keep_search_text_current(catalog):
    services.product_update(actor=None, product=catalog.dp, name_en="Eastroc Super Drink")
    assert codes(selectors.sku_search(q="eastroc")) == ["DP-250-24"]
    assert codes(selectors.sku_search(q="special")) == []  # the old English name is gone
    services.sku_update(actor=None, sku=catalog.skus["NF-550-24"], attributes={"规格": "550ml", "口味": "含气"})
    assert codes(selectors.sku_search(q="含气")) == ["NF-550-24"]
    assert AuditEntry.objects.filter(action__in=["catalog.product.updated", "catalog.sku.updated"]).count() == 2


def test_sku_validation_is_field_errors_and_writes_nothing(catalog):
    with pytest.raises(CatalogInvalid) as error:
        services.sku_create(actor=None, product=catalog.rb, code="RB 250", name=" ", base_unit=catalog.can,
                            barcode="6901234567893", min_order_qty=0, order_step=0,
                            units=[(catalog.case, 1, "123")])
    assert set(error.value.fields) == {"code", "name", "barcode", "min_order_qty", "order_step", "units"}
    with pytest.raises(CatalogInvalid) as error:
        services.sku_create(actor=None, product=catalog.rb, code="RB-250-24", name="again", base_unit=catalog.can,
                            barcode="6901234567892")
    assert error.value.fields == {"code": ["This code is already used."], "barcode": ["This barcode is already used."]}
    assert Sku.objects.count() == 7


@pytest.mark.parametrize(("barcode", "valid"), [
    ("6901234567892", True), ("69012341", True), ("690123456787", True), ("16901234567899", True),
    ("6901234567893", False), ("690123456789", False), ("69012345678a", False), ("６９０１２３４１", False),
])
def test_barcode_check_digits(barcode, valid):
    assert services.barcode_valid(barcode) is valid


@pytest.mark.parametrize(("start", "to", "legal"), [
    ("draft", "on_sale", True), ("on_sale", "discontinued", True), ("discontinued", "on_sale", True),
    ("draft", "discontinued", False), ("on_sale", "draft", False), ("discontinued", "draft", False),
])
def test_product_status_transitions(catalog, start, to, legal):
    product = services.product_create(actor=None, category=catalog.energy, code="P-X", name="X")
    if start != "draft":
        services.product_status_change(actor=None, product=product, to="on_sale")
        if start != "on_sale":
            services.product_status_change(actor=None, product=product, to=start)
    if legal:
        assert services.product_status_change(actor=None, product=product, to=to).status == to
    else:
        with pytest.raises(IllegalProductTransition) as error:
            services.product_status_change(actor=None, product=product, to=to)
        assert error.value.status == 409
        assert Product.objects.get(pk=product.pk).status == start


# --- search -----------------------------------------------------------------------------------------


def test_chinese_two_characters_find_red_bull(catalog):
    assert codes(selectors.sku_search(q="红牛")) == ["RB-250-24", "RB-355-24"]  # the draft one is not on sale


@pytest.mark.parametrize("q", ["red bull", "RED BULL", "Red  Bull"])
def test_english_in_any_case_finds_red_bull_first(catalog, q):
    assert codes(selectors.sku_search(q=q))[:2] == ["RB-250-24", "RB-355-24"]


def test_partial_sku_code_ranks_that_sku_first(catalog):
    assert codes(selectors.sku_search(q="RB-25"))[0] == "RB-250-24"


@pytest.mark.parametrize("barcode", ["6901234567892", "16901234567899"])
def test_full_barcode_finds_exactly_one(catalog, barcode):
    assert codes(selectors.sku_search(q=barcode)) == ["RB-250-24"]


def test_exact_code_finds_exactly_one(catalog):
    assert codes(selectors.sku_search(q="rb-355-24")) == ["RB-355-24"]


def test_a_category_word_finds_both_energy_drinks(catalog):
    assert sorted(codes(selectors.sku_search(q="功能饮料"))) == ["DP-250-24", "RB-250-24", "RB-355-24"]


def test_english_typo_still_ranks_red_bull_first(catalog):
    assert codes(selectors.sku_search(q="redbul"))[:2] == ["RB-250-24", "RB-355-24"]


def test_tile_by_size_and_name(catalog):
    assert codes(selectors.sku_search(q="600x600")) == ["TL-600-GRY"]
    assert codes(selectors.sku_search(q="抛光砖")) == ["TL-600-GRY"]


def test_category_filter_includes_subcategories(catalog):
    assert codes(selectors.sku_search(category=catalog.bev, order="code")) == [
        "DP-250-24", "NF-550-24", "RB-250-24", "RB-355-24"]
    assert codes(selectors.sku_search(q="250ml", category=catalog.energy, order="code")) == [
        "DP-250-24", "RB-250-24"]
    assert codes(selectors.sku_search(category=catalog.water)) == ["NF-550-24"]


def test_attribute_filter(catalog):
    assert codes(selectors.sku_search(attributes={"规格": "250ml"}, order="code")) == ["DP-250-24", "RB-250-24"]
    assert codes(selectors.sku_search(attributes={"规格": "250ml", "包装": "罐装"})) == ["RB-250-24"]


def test_discontinued_products_leave_the_default_search(catalog):
    services.product_status_change(actor=None, product=catalog.rb, to="discontinued")
    assert codes(selectors.sku_search(q="红牛")) == []
    assert codes(selectors.sku_search(q="红牛", status="discontinued")) == ["RB-250-24", "RB-355-24"]


@pytest.fixture
def dealers(catalog):
    """Tier A; territories CN > 上海 > 浦东, CN > 广东. Pudong (tier A, 浦东), Canton (no tier, 广东),
    a national agent (CN). The tile is for tier A only; the water for 上海 only."""
    hq = dealer_services.headquarters_ensure(name="HQ")
    tier_a = dealer_services.tier_create(actor=None, code="A", name="金牌", rank=1)
    cn = Territory.objects.get(code="CN")
    sh = Territory.objects.get(code="310000")
    pudong_area = Territory.objects.get(code="310115")
    gd = Territory.objects.get(code="440000")
    services.product_visibility_set(actor=None, product=catalog.tl, tiers=[tier_a])
    services.product_visibility_set(actor=None, product=catalog.nf, territories=[sh])
    return SimpleNamespace(
        pudong=dealer_services.dealer_create(actor=None, parent=hq, code="SH-002", legal_name="浦东经销商",
                                             tier=tier_a, territories=[pudong_area]),
        canton=dealer_services.dealer_create(actor=None, parent=hq, code="GD-001", legal_name="广州经销商",
                                             territories=[gd]),
        national=dealer_services.dealer_create(actor=None, parent=hq, code="CN-001", legal_name="全国总代",
                                               territories=[cn]),
    )


def test_visibility_by_tier_and_territory(catalog, dealers):
    everything = ["BS-5", "DP-250-24", "NF-550-24", "RB-250-24", "RB-355-24", "TL-600-GRY"]
    assert codes(selectors.sku_search(order="code")) == everything
    assert codes(selectors.sku_search(order="code", dealer=dealers.pudong)) == everything
    assert codes(selectors.sku_search(order="code", dealer=dealers.canton)) == [
        "BS-5", "DP-250-24", "RB-250-24", "RB-355-24"]
    assert codes(selectors.sku_search(order="code", dealer=dealers.national)) == [
        "BS-5", "DP-250-24", "NF-550-24", "RB-250-24", "RB-355-24"]
    assert codes(selectors.sku_search(q="600x600", dealer=dealers.canton)) == []


def test_query_count_is_the_same_for_5_and_50_results(catalog, dealers, count_queries):
    for number in range(45):
        services.sku_create(actor=None, product=catalog.dp, code=f"DP-X{number:02d}", name=f"东鹏特饮 口味{number}",
                            base_unit=catalog.can)

    def page(size):
        with count_queries() as queries:
            rows = [(s.code, s.product.name, s.product.category.name, s.base_unit.name)
                    for s in selectors.sku_search(q="功能饮料", dealer=dealers.pudong)[:size]]
        return rows, len(queries.sql)

    few, few_queries = page(5)
    many, many_queries = page(50)
    assert (len(few), len(many)) == (5, 48)
    assert few_queries == many_queries == 3  # exact code or barcode, the typo-fallback check, the page


def test_the_other_tenant_sees_nothing(catalog, tenant_b, in_tenant):
    with in_tenant(tenant_b):
        assert codes(selectors.sku_search(q="红牛")) == []


def test_an_unknown_barcode_finds_nothing_and_is_not_guessed_at(catalog):
    assert codes(selectors.sku_search(q="6901234567953")) == []


def test_words_in_another_order_are_found_without_the_typo_fallback(catalog, count_queries):
    with count_queries() as queries:
        assert codes(selectors.sku_search(q="bull red"))[:2] == ["RB-250-24", "RB-355-24"]
    assert len(queries.sql) == 3  # exact codes and barcodes, the typo decision, the page


@pytest.mark.parametrize("q", ["redbul", "red bul", "nongfu sprng", "polishd tile", "soket"])
def test_typos_find_the_product_through_the_vocabulary(catalog, q):
    expected = {"redbul": "RB-250-24", "red bul": "RB-250-24", "nongfu sprng": "NF-550-24",
                "polishd tile": "TL-600-GRY", "soket": "BS-5"}[q]
    assert codes(selectors.sku_search(q=q))[0] == expected


def test_the_vocabulary_follows_bulk_writes(catalog):
    """The trigger feeds SearchTerm from any write to catalog_sku, bulk_create and bulk_update included."""
    from tenant_apps.catalog.models import SearchTerm, Sku

    sku = Sku(product=catalog.nf, code="NF-2026", name="农夫山泉 Sparkling Lemonade", base_unit=catalog.can)
    sku.search_text = services.sku_search_text(sku, unit_barcodes=())
    Sku.objects.bulk_create([sku])
    assert SearchTerm.objects.filter(term__in=["sparkling", "sparkling lemonade"]).count() == 2
    assert not SearchTerm.objects.filter(term="nf-2026").exists()  # codes (with digits) are not guessed at
    Sku.objects.filter(pk=sku.pk).update(search_text="grapefruit tonic")
    assert SearchTerm.objects.filter(term="grapefruit tonic").exists()
    assert codes(selectors.sku_search(q="grapefruit tonik")) == ["NF-2026"]


def test_a_match_in_the_product_name_ranks_before_one_in_an_attribute(catalog):
    """'250ml' is in the name of RB-250-24 and DP-250-24 but only in the attributes of the others."""
    services.sku_create(actor=None, product=catalog.nf, code="NF-MINI", name="农夫山泉 迷你装",
                        base_unit=catalog.can, attributes={"规格": "250ml"})
    assert codes(selectors.sku_search(q="250ml"))[-1] == "NF-MINI"
