"""A dealer's replenishment suggestions: each reason's figures are those the quantity and the due date come from,
and its sentence says them; sell-out replaces the rhythm; safety stock raises the quantity; the SKU's minimum and
step round it; restricted and off-sale products never appear; no history is an empty state, not an error."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import translation

from tenant_apps.catalog.models import Sku
from tenant_apps.catalog.services import product_visibility_set
from tenant_apps.replenishment import services
from tenant_apps.replenishment.selectors import suggestions_for
from tests.factories.dealers import DealerFactory, TierFactory
from tests.factories.promotions import PromotionFactory
from tests.replenishment.conftest import at


def _line(suggestions, sku):
    return next(line for line in suggestions.lines if line.sku.pk == sku.pk)


def test_rhythm_reason_says_the_interval_quantity_and_days_since(shop, now):
    for days_ago in (56, 42, 28, 12):
        shop.ordered(days_ago, (shop.sku, 40))
    with translation.override("en"):
        found = suggestions_for(dealer=shop.dealer)
    line = _line(found, shop.sku)
    assert line.reason.code == "rhythm"
    figures = line.reason.figures
    assert (figures["interval_days"], figures["typical_quantity"], figures["days_since"], figures["lead_days"]) \
        == (14, 40, 12, 3)
    assert (line.due_in_days, line.quantity) == (0, 40)  # 14 - 12 - 3 < 0: now; the typical quantity
    assert line.sentence == ("You order about 40 罐 every 14 days; the last was 12 days ago; "
                             "delivery takes about 3 days.")
    assert [line.sku for line in found.due] == [shop.sku]
    with translation.override("zh-hans"):
        zh = suggestions_for(dealer=shop.dealer).lines[0].sentence
    assert "40" in zh and "14" in zh and "12" in zh and zh.endswith("。")


def test_not_due_yet_says_in_how_many_days(shop, now):
    for days_ago in (30, 20, 10, 2):  # every 10 days, last 2 days ago: due in 10 - 2 - 3 = 5 days
        shop.ordered(days_ago, (shop.sku, 24))
    line = _line(suggestions_for(dealer=shop.dealer), shop.sku)
    assert (line.due_in_days, line.reason.figures["interval_days"], line.reason.figures["days_since"]) == (5, 10, 2)


def test_a_promotion_the_dealer_reacts_to_ends_soon(shop, now, in_tenant):
    with time_machine.travel(at(16), tick=False):
        PromotionFactory(code="SUMMER", name="Summer", skus=[shop.sku], starts_at=at(15), ends_at=at(13),
                         published=True)
    for days_ago, quantity in ((56, 40), (42, 40), (28, 40), (14, 80)):  # 80 under the summer promotion
        shop.ordered(days_ago, (shop.sku, quantity))
    ends = now + timedelta(days=2)  # Friday
    PromotionFactory(code="SPRING", name="Spring", skus=[shop.sku], starts_at=at(1), ends_at=ends, published=True)
    with translation.override("en"):
        line = _line(suggestions_for(dealer=shop.dealer), shop.sku)
    figures = line.reason.figures
    assert (figures["typical_quantity"], figures["promo_lift"], figures["promotion"], figures["promotion_ends"]) \
        == (40, 2.0, "Spring", ends.date().isoformat())
    assert line.quantity == 80  # 40 x 2.0
    assert line.sentence == ("You order about 40 罐 every 14 days; the last was 14 days ago; delivery takes about 3 "
                             "days; the Spring promotion ends Friday; you order about 2.0× as much under a "
                             "promotion.")


def test_sell_out_replaces_the_rhythm(shop, now):
    for days_ago in (56, 42, 28, 14):
        shop.ordered(days_ago, (shop.sku, 40))
    today = now.date()
    records = [{"date": (today - timedelta(days=9 - n)).isoformat(), "sku": shop.sku.code, "quantity": 5}
               for n in range(10)]
    records[-1]["on_hand"] = 30
    assert services.sell_out_records_add(actor=shop.buyer, dealer=shop.dealer, records=records) == 10
    with translation.override("en"):
        line = _line(suggestions_for(dealer=shop.dealer), shop.sku)
    figures = line.reason.figures
    assert line.reason.code == "sell_out"
    assert (figures["sold"], figures["days"], figures["daily_rate"], figures["on_hand"], figures["cover_days"]) \
        == (50, 10, 5.0, 30, 17)  # cover: the 14-day rhythm + 3 days' delivery
    assert line.due_in_days == 3  # 30 in stock at 5 a day: 6 days, less 3 days' delivery
    assert line.quantity == 5 * 17 - 30
    assert line.sentence == ("You sold 50 罐 in the last 10 days (5.0 a day); you have 30 罐 in stock; this covers "
                             "17 days of sales; delivery takes about 3 days.")


def test_safety_stock_raises_the_quantity(shop, now):
    for days_ago in (56, 42, 28, 12):
        shop.ordered(days_ago, (shop.sku, 40))
    row = services.safety_stock_set(actor=shop.buyer, dealer=shop.dealer, sku_id=shop.sku.pk, quantity=10)
    assert row.set_by == "dealer"
    with translation.override("en"):
        line = _line(suggestions_for(dealer=shop.dealer), shop.sku)
    assert (line.quantity, line.reason.figures["safety"]) == (50, 10)
    assert line.sentence.endswith("plus your safety stock of 10 罐.")


def test_quantity_rounded_to_the_minimum_and_step(shop, now):
    for days_ago in (56, 42, 28, 12):
        shop.ordered(days_ago, (shop.sku, 40))
    Sku.objects.filter(pk=shop.sku.pk).update(min_order_qty=48, order_step=24)
    line = _line(suggestions_for(dealer=shop.dealer), shop.sku)
    assert (line.needed, line.quantity) == (40, 48)


def test_restricted_and_off_sale_products_never_appear(shop, now):
    for days_ago in (56, 42, 28, 12):
        shop.ordered(days_ago, (shop.sku, 40), (shop.water, 10))
    other_tier = TierFactory(code="Z", name="Z")
    product_visibility_set(actor=None, product=shop.sku.product, tiers=[other_tier])  # both SKUs' product
    assert suggestions_for(dealer=shop.dealer).lines == []
    product_visibility_set(actor=None, product=shop.sku.product, tiers=[])
    Sku.objects.filter(pk=shop.water.pk).update(status="off_sale")
    assert [line.sku.pk for line in suggestions_for(dealer=shop.dealer).lines] == [shop.sku.pk]


def test_a_dealer_without_history_gets_the_empty_state(shop, now):
    newcomer = DealerFactory(code="NEW-1", legal_name="新经销商", tier=shop.tier, territories=[shop.shanghai],
                             status="active")
    found = suggestions_for(dealer=newcomer)
    assert (found.has_history, found.lines, found.due) == (False, [], [])


def test_one_order_is_no_rhythm(shop, now):
    shop.ordered(10, (shop.sku, 40))
    found = suggestions_for(dealer=shop.dealer)
    assert (found.has_history, found.lines) == (True, [])


def test_a_lapsed_rhythm_is_not_suggested(shop, now):
    for days_ago in (120, 106, 92, 78):  # every 14 days, then nothing for 78 days
        shop.ordered(days_ago, (shop.sku, 40))
    found = suggestions_for(dealer=shop.dealer)
    assert (found.has_history, found.lines) == (True, [])


def test_a_season_in_the_region_raises_the_quantity_and_the_reason_says_by_how_much(shop, now):
    """A year of orders every 14 days of 40, but 60 in the four weeks a year ago that match the coming four: the
    region's demand in those weeks (120) over the year's four-week average (1,080 / 52 x 4 = 83.1) is 1.44."""
    shop.ordered(378, (shop.sku, 40))  # before the year: the region has a year of history
    for days_ago in range(364, 0, -14):
        shop.ordered(days_ago, (shop.sku, 60 if days_ago > 336 else 40))
    with translation.override("en"):
        line = _line(suggestions_for(dealer=shop.dealer), shop.sku)
    figures = line.reason.figures
    assert (line.reason.code, figures["typical_quantity"], figures["season"]) == ("rhythm", 40, 1.44)
    assert line.quantity == 58  # 40 x 1.44 = 57.6, rounded up
    assert "demand in your region is usually 44% higher in these weeks" in line.sentence
