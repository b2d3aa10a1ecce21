"""The storefront's recommendation blocks: each reason says the figures behind it (the pair's share, the
region x tier's dealers, the lapsed interval, the gap to a spend threshold proven by the cart's own quote),
products the dealer may not see or buy never appear, nor what is in the cart; a dealer with no history gets its
region x tier's popularity; the brand's switches hide blocks; the same query count for few or many items."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import services as catalog
from tenant_apps.ordering import services as cart
from tenant_apps.ordering.models import OrderStatus
from tenant_apps.promotions import services as promotions
from tenant_apps.recommendations import services
from tenant_apps.recommendations.models import Computation, PairScore
from tenant_apps.recommendations.selectors import recommendations_for
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.factories.promotions import PromotionFactory
from tests.recommendations.conftest import login

HX = {"HTTP_HX_REQUEST": "true"}


def _blocks(page: str) -> dict[str, list[tuple[str, str]]]:
    """{block: [(sku code, reason), ...]} of a fragment."""
    found = {}
    for block, body in re.findall(r'data-block="(\w+)">(.*?)</div>\s*(?=<div class="card sf-recommend|</section)',
                                  page, flags=re.S):
        found[block] = re.findall(r'data-sku="([^"]*)".*?<div class="small recommend-reason">([^<]*)</div>', body,
                                  flags=re.S)
    return found


def _fragment(client, url: str) -> dict[str, list[tuple[str, str]]]:
    response = client.get(url, **HX)
    assert response.status_code == 200
    return _blocks(response.content.decode())


def _old(shop, in_tenant):
    """Products made before the "new products" window, so that only the tests' own new ones are new."""
    from tenant_apps.catalog.models import Product

    with in_tenant(shop.tenant):
        Product.objects.update(created_at=timezone.now() - timedelta(days=90))


@pytest.mark.parametrize("stored", [False, True], ids=["on-request", "precomputed"])
def test_often_bought_together_says_the_share_of_the_orders_and_needs_support(shop, in_tenant, stored):
    with in_tenant(shop.tenant):
        a, b, c, d = (shop.sku(code) for code in ("A", "B", "C", "D"))
        for days in (5, 6, 7, 8):
            shop.order("peer1", a, b, days_ago=days)
        shop.order("peer2", a, days_ago=3)
        shop.order("peer2", a, d, days_ago=4)  # a single order: no pair
        for days in (9, 10, 11):
            shop.order("west", c, days_ago=days)
        if stored:
            summary = services.recommendations_compute()
            assert summary["orders"] == 9 and PairScore.objects.filter(sku=a, other=b).get().together == 4
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=a.pk, quantity=1)
    _old(shop, in_tenant)
    blocks = _fragment(login(shop.buyers["me"]), "/recommendations/cart/")
    # A is in 6 orders, 4 of them with B: 67 %; B is in 4 of 9 orders, so the lift is 1.5
    assert blocks["together"] == [("B", "Bought with 商品 A in 67% of the orders that have it (4 of 6).")]
    product_blocks = _fragment(login(shop.buyers["me"]), f"/recommendations/product/{a.product_id}/")
    assert [code for code, _reason in product_blocks["together"]] == ["B"]


def test_a_dealer_without_history_gets_its_region_and_tier_popularity_then_the_brands(shop, in_tenant):
    with in_tenant(shop.tenant):
        mine, east_b, west = shop.sku("MINE"), shop.sku("EASTB"), shop.sku("WEST")
        shop.order("peer1", mine, days_ago=3)
        shop.order("peer2", mine, days_ago=4)
        shop.order("peer2", west, days_ago=4)
        shop.order("east_b", east_b, days_ago=5)
        for days in (2, 3, 4):
            shop.order("west", west, days_ago=days)
    _old(shop, in_tenant)
    blocks = _fragment(login(shop.buyers["me"]), "/recommendations/home/")
    assert blocks["similar"] == [
        ("MINE", "Ordered by 2 of the 2 ordering dealers of tier A in 华东 in the last 12 weeks."),
        ("WEST", "Ordered by 1 of the 2 ordering dealers of tier A in 华东 in the last 12 weeks."),
        ("EASTB", "Ordered by 1 of the 3 ordering dealers in 华东 in the last 12 weeks."),
    ]
    assert "lapsed" not in blocks and "together" not in blocks


def test_a_dealer_of_a_brand_without_orders_gets_the_new_products_not_an_error(shop, in_tenant):
    with in_tenant(shop.tenant):
        _old(shop, in_tenant)
        shop.sku("FRESH")
    blocks = _fragment(login(shop.buyers["me"]), "/recommendations/home/")
    today = timezone.localdate().isoformat()
    assert blocks == {"new": [("FRESH", f"New: on sale since {today}.")]}


def test_you_used_to_order_says_the_usual_interval_and_how_long_ago(shop, in_tenant):
    with in_tenant(shop.tenant):
        usual, recent = shop.sku("USUAL"), shop.sku("RECENT")
        for days in (60, 50, 40):
            shop.order("me", usual, days_ago=days)
        for days in (12, 6, 2):  # every 5 days, last 2 days ago: not lapsed
            shop.order("me", recent, days_ago=days)
    _old(shop, in_tenant)
    blocks = _fragment(login(shop.buyers["me"]), "/recommendations/home/")
    last = (timezone.localdate() - timedelta(days=40)).isoformat()
    assert blocks["lapsed"] == [
        ("USUAL", f"You ordered it about every 10 days (3 orders); the last was 40 days ago, on {last}.")]
    client = host_client("acme.localhost", language="zh-hans")
    client.post("/accounts/login/", {"username": shop.buyers["me"].email, "password": DEFAULT_PASSWORD})
    chinese = _fragment(client, "/recommendations/home/")
    assert chinese["lapsed"] == [("USUAL", f"您大约每 10 天订一次（共 3 单），上次是 40 天前（{last}）。")]


def test_the_promotion_gap_is_what_the_cart_needs_to_reach_the_threshold(shop, in_tenant):
    with in_tenant(shop.tenant):
        a = shop.sku("GA", price="5.00")
        _old(shop, in_tenant)
        b = shop.sku("GB", price="6.00")  # new: a candidate
        PromotionFactory(code="M100", name="满100减10", kind="threshold",
                         rule={"steps": [{"threshold": "100", "off": "10"}]}, published=True)
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=a.pk, quantity=10)
    client = login(shop.buyers["me"])
    blocks = _fragment(client, "/recommendations/cart/")
    assert blocks["promotions"] == [("GB", "Add CN¥50.00 to reach CN¥100.00 and get CN¥10.00 off (满100减10).")]
    page = client.get("/recommendations/cart/", **HX).content.decode()
    assert f'name="sku" value="{b.pk}"' in page and 'name="quantity" value="9"' in page  # 9 x 6.00 >= 50
    # One tap adds it, and the cart's own quote now takes the 10 off.
    assert client.post("/cart/add/", {"sku": b.pk, "unit": shop.base.can.pk, "quantity": "9"}, **HX).status_code == 204
    with in_tenant(shop.tenant):
        quote = cart.cart_quote(dealer=shop.dealers["me"]).quote
        assert quote.subtotal == Decimal("104.00") and quote.discount_total == Decimal("10.00")
    assert "promotions" not in _fragment(client, "/recommendations/cart/")


def test_restricted_discontinued_and_carted_products_never_appear(shop, in_tenant):
    _old(shop, in_tenant)  # the store's own products; those below are new (a block of their own)
    with in_tenant(shop.tenant):
        anchor, fine = shop.sku("ANCHOR"), shop.sku("FINE")
        tier_b_only, elsewhere, gone, carted = (shop.sku(code) for code in ("TIERB", "ELSEWHERE", "GONE", "CARTED"))
        from tests.factories.dealers import TerritoryFactory

        everything = (anchor, fine, tier_b_only, elsewhere, gone, carted)
        for days in (3, 4, 5, 6):
            shop.order("peer1", *everything, days_ago=days)
            shop.order("peer2", *everything, days_ago=days)
        for days in (60, 50, 40):
            shop.order("me", *everything, days_ago=days)
        # then the brand limits two products (to tier B; to a far territory) and stops selling one
        far = TerritoryFactory(code="FAR", name="远方")
        catalog.product_visibility_set(actor=None, product=tier_b_only.product, tiers=[shop.tier_b])
        catalog.product_visibility_set(actor=None, product=elsewhere.product, territories=[far])
        catalog.sku_update(actor=None, sku=gone, status="discontinued")
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=anchor.pk, quantity=1)
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=carted.pk, quantity=1)
    client = login(shop.buyers["me"])
    shown = set()
    for url in ("/recommendations/home/", "/recommendations/cart/", f"/recommendations/product/{anchor.product_id}/"):
        for items in _fragment(client, url).values():
            shown |= {code for code, _reason in items}
    assert shown == {"FINE"}
    with in_tenant(shop.tenant):  # the east tier-B dealer sees its own product
        blocks = recommendations_for(dealer=shop.dealers["east_b"], place="home")
        assert "TIERB" in {item.sku.code for block in blocks for item in block.items}


def test_switches_off_hide_blocks_and_are_audited(shop, in_tenant):
    with in_tenant(shop.tenant):
        shop.sku("FRESH")
    client = login(shop.buyers["me"])
    assert "new" in _fragment(client, "/recommendations/home/")
    owner = login(type("U", (), {"email": "owner@acme.test"}))
    page = owner.get("/console/recommendations/")
    assert page.status_code == 200
    response = owner.post("/console/recommendations/", {"together": "on", "similar": "on", "lapsed": "on",
                                                        "promotions": "on"})
    assert response.status_code == 302
    assert _fragment(client, "/recommendations/home/") == {}
    with in_tenant(shop.tenant):
        entry = AuditEntry.objects.filter(action="recommendations.settings.updated").get()
        from tenant_apps.accounts.models import User

        assert entry.actor_id == User.objects.get(email="owner@acme.test").pk
        assert entry.before["new"] is True and entry.after["new"] is False
    assert client.get("/console/recommendations/").status_code in (302, 403)


def test_brand_staff_get_no_fragment_and_cancelled_orders_do_not_count(shop, in_tenant):
    with in_tenant(shop.tenant):
        a, b = shop.sku("CA"), shop.sku("CB")
        orders = [shop.order("peer1", a, b, days_ago=days) for days in (3, 4, 5)]
        from tenant_apps.ordering.quick import order_cancel_by_dealer

        order_cancel_by_dealer(actor=shop.buyers["peer1"], order=orders[0], reason="错了")
        assert orders[0].__class__.objects.get(pk=orders[0].pk).status == OrderStatus.CANCELLED
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=a.pk, quantity=1)
    _old(shop, in_tenant)
    assert "together" not in _fragment(login(shop.buyers["me"]), "/recommendations/cart/")  # 2 orders: no pair
    owner = login(type("U", (), {"email": "owner@acme.test"}))
    assert owner.get("/recommendations/home/", **HX).status_code == 204
    assert login(shop.buyers["me"]).get("/recommendations/product/99999999999999999999/", **HX).status_code == 404


def test_each_fragment_costs_the_same_queries_for_few_or_many_items(shop, in_tenant, count_queries):
    with in_tenant(shop.tenant):
        first = [shop.sku(f"Q{n}") for n in range(2)]
        for days in (3, 4, 5):
            shop.order("peer1", *first, days_ago=days)
        for days in (60, 50, 40):
            shop.order("me", *first, days_ago=days)
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=first[0].pk, quantity=1)
        PromotionFactory(code="M1000", name="满1000减10", kind="threshold",
                         rule={"steps": [{"threshold": "1000", "off": "10"}]}, published=True)
        services.recommendations_compute()
    client = login(shop.buyers["me"])
    counts = {}
    for url in ("/recommendations/home/", "/recommendations/cart/"):
        client.get(url, **HX)
        with count_queries() as few:
            client.get(url, **HX)
        counts[url] = len(few.sql)
    with in_tenant(shop.tenant):
        more = [shop.sku(f"M{n}") for n in range(8)]
        for days in (3, 4, 5):
            shop.order("peer1", *first, *more, days_ago=days)
        for days in (60, 50, 40):
            shop.order("me", *first, *more, days_ago=days)
        services.recommendations_compute()
        assert Computation.objects.count() == 2
    sizes = {}
    for url in ("/recommendations/home/", "/recommendations/cart/"):
        with count_queries() as many:
            page = client.get(url, **HX).content.decode()
        sizes[url] = page.count('class="sf-frequent-row"')
        assert len(many.sql) == counts[url], url
    assert sizes["/recommendations/home/"] > 6


def test_promotion_and_engine_imports_are_public(shop, in_tenant):
    """A published percent promotion on a SKU does not make a gap (only spend thresholds do)."""
    with in_tenant(shop.tenant):
        a = shop.sku("PA")
        promotion = PromotionFactory(code="PCT", kind="percent", rule={"percent": "10"}, skus=[a.pk])
        promotions.promotion_publish(actor=None, promotion=promotion)
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=a.pk, quantity=1)
        assert recommendations_for(dealer=shop.dealers["me"], place="cart", only="promotions") == []


def test_a_reached_step_is_said_with_the_gap_to_the_next(shop, in_tenant):
    with in_tenant(shop.tenant):
        a = shop.sku("SA", price="5.00")
        _old(shop, in_tenant)
        shop.sku("SB", price="10.00")
        PromotionFactory(code="STEPS", name="满减", kind="threshold", published=True,
                         rule={"steps": [{"threshold": "50", "off": "5"}, {"threshold": "100", "off": "10"}]})
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=a.pk, quantity=12)
        [block] = recommendations_for(dealer=shop.dealers["me"], place="cart", only="promotions")
        [item] = block.items
        assert (item.sku.code, item.quantity) == ("SB", 4)  # 60.00 in the cart; 4 x 10.00 closes the 40.00
        assert item.reason == ("Your cart already gets CN¥5.00 off from 满减; add CN¥40.00 to reach CN¥100.00 "
                               "and get CN¥10.00 off.")
        assert item.figures["base"] == "60.00" and item.figures["gap"] == "40.00"


def test_a_promotion_the_dealer_qualifies_for_is_offered_with_what_the_engine_gives(shop, in_tenant):
    with in_tenant(shop.tenant):
        _old(shop, in_tenant)
        on_sale, plain = shop.sku("ON", price="8.00"), shop.sku("PLAIN", price="8.00")
        mine = PromotionFactory(code="TIER-A", name="A 级特惠", kind="tiered", skus=[on_sale.pk], tiers=[shop.tier_a],
                                rule={"tiers": [{"min_quantity": 10, "percent": "10"}]}, published=True)
        PromotionFactory(code="TIER-B", name="B 级特惠", kind="percent", skus=[plain.pk], tiers=[shop.tier_b],
                         rule={"percent": "20"}, published=True)
        [block] = recommendations_for(dealer=shop.dealers["me"], place="home", only="promotions")
        assert [(item.sku.code, item.quantity) for item in block.items] == [("ON", 10)]
        assert block.items[0].reason == "On promotion for you: 10+ units: 10% off (A 级特惠), CN¥8.00 off 10 罐."
        assert block.items[0].figures["promotion_id"] == mine.pk
        # the tier-B dealer is offered the other one, not this one
        [other] = recommendations_for(dealer=shop.dealers["east_b"], place="home", only="promotions")
        assert [item.sku.code for item in other.items] == ["PLAIN"]
