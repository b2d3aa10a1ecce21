"""The promotions engine on plain specs (no database): each rule kind, levels, priority, stacking and
exclusivity, budget caps, coupons, allocation to the cent; hypothesis properties."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tenant_apps.pricing.quote_types import DealerContext, GiftLine, PricedLine
from tenant_apps.promotions.engine import CouponState, PromotionSpec, allocate, apply_promotions

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
CTX = DealerContext(dealer_id=7, tier_id=1, territory_paths=("86.31.3101",), node_path="1.7", at=NOW,
                    currency="CNY")
D = Decimal


def line(index, *, sku=100, price="10.00", quantity=1, factor=1, category="drink.energy"):
    gross = D(price) * quantity
    return PricedLine(index=index, sku_id=sku, product_id=sku, category_path=category, unit_id=1, quantity=quantity,
                      factor=factor, unit_price=D(price), gross=gross, price_source="base", price_rule="base")


def spec(pid, kind, rule, code=None, currency="CNY", **kw):
    return PromotionSpec(id=pid, code=code or f"P{pid:03d}", name=f"promo {pid}", kind=kind, currency=currency,
                         rule=rule, **kw)


def run(lines, specs, codes=frozenset(), ctx=CTX):
    return apply_promotions(lines, specs, ctx=ctx, coupon_codes=codes)


def discounts(result):
    return {p.promotion_id: p.discount for p in result.applied}


def test_threshold_steps_take_the_highest_step_reached_once():
    lines = [line(0, price="1000.00", quantity=2), line(1, sku=101, price="1500.00")]  # 3,500
    result = run(lines, [spec(1, "threshold", {"steps": [{"threshold": "1000", "off": "50"},
                                                         {"threshold": "3000", "off": "200"}]})])
    [applied] = result.applied
    assert applied.discount == D("200.00")
    # Pro rata to net: 2000/3500 and 1500/3500 of 200 = 114.2857 / 85.7142 -> 114.29 + 85.71.
    assert applied.allocations == {0: D("114.29"), 1: D("85.71")}
    assert applied.explanation == "Spend CN¥3,500.00: CN¥200.00 off from CN¥3,000.00"
    with translation.override("zh-hans"):
        [in_chinese] = run(lines, [spec(1, "threshold", {"steps": [{"threshold": "3000", "off": "200"}]})]).applied
    assert in_chinese.explanation == "消费 ¥3,500.00：满 ¥3,000.00 减 ¥200.00"


def test_threshold_repeat_applies_steps_greedily():
    lines = [line(0, price="7000.00")]
    steps = [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "200"}]
    result = run(lines, [spec(1, "threshold", {"steps": steps, "repeat": True})])
    assert discounts(result) == {1: D("450.00")}  # 2 x 200 + 1 x 50
    assert result.applied[0].explanation == (
        "Spend CN¥7,000.00: CN¥200.00 off per CN¥3,000.00 ×2; CN¥50.00 off from CN¥1,000.00")


def test_threshold_below_the_first_step_gives_nothing():
    assert run([line(0, price="999.99")], [spec(1, "threshold", {"steps": [{"threshold": "1000", "off": "50"}]})]
               ).applied == ()


def test_percent_and_fixed_per_unit_and_per_line():
    lines = [line(0, price="9.99", quantity=3), line(1, sku=101, price="2.00", quantity=24, factor=1)]
    assert run(lines, [spec(1, "percent", {"percent": "10"})]).applied[0].allocations == {
        0: D("3.00"), 1: D("4.80")}  # 29.97 x 10% = 2.997 -> 3.00 half up
    per_unit = run(lines, [spec(1, "fixed", {"amount": "0.50", "per": "unit"})]).applied[0]
    assert per_unit.allocations == {0: D("1.50"), 1: D("12.00")}
    per_line = run(lines, [spec(1, "fixed", {"amount": "5.00", "per": "line"})]).applied[0]
    assert per_line.allocations == {0: D("5.00"), 1: D("5.00")}


def test_fixed_amount_never_makes_a_line_negative():
    [applied] = run([line(0, price="1.00", quantity=2)], [spec(1, "fixed", {"amount": "5", "per": "unit"})]).applied
    assert applied.allocations == {0: D("2.00")}


def test_tiered_quantity_per_sku_and_in_total():
    rule = {"tiers": [{"min_quantity": 100, "percent": "3"}, {"min_quantity": 500, "percent": "5"}]}
    lines = [line(0, price="1.00", quantity=20, factor=24), line(1, sku=101, price="1.00", quantity=99)]
    per_sku = run(lines, [spec(1, "tiered", {**rule, "basis": "sku"})]).applied[0]
    assert per_sku.allocations == {0: D("0.60")}  # 480 units: 3% of 20.00; the 99 units reach nothing
    total = run(lines, [spec(1, "tiered", {**rule, "basis": "total"})]).applied[0]
    assert total.allocations == {0: D("1.00"), 1: D("4.95")}  # 579 units in total: 5%


def test_bundle_at_a_price_and_amount_off_per_complete_set():
    items = [{"sku_id": 100, "quantity": 2}, {"sku_id": 101, "quantity": 1}]
    lines = [line(0, sku=100, price="10.00", quantity=5), line(1, sku=101, price="30.00", quantity=2)]
    # 2 sets (5 // 2 = 2, 2 // 1 = 2); a set is worth 2 x 10 + 30 = 50, sold at 40: 20 off.
    priced = run(lines, [spec(1, "bundle", {"items": items, "price": "40"})]).applied[0]
    assert priced.discount == D("20.00")
    assert sum(priced.allocations.values()) == D("20.00")
    off = run(lines, [spec(1, "bundle", {"items": items, "amount_off": "7.5"})]).applied[0]
    assert off.discount == D("15.00")
    assert run([lines[0]], [spec(1, "bundle", {"items": items, "price": "40"})]).applied == ()


def test_gift_items_for_every_buy_quantity():
    rule = {"buy_quantity": 10, "gift_sku_id": 900, "gift_unit_id": 3, "gift_quantity": 1, "repeat": True}
    [applied] = run([line(0, quantity=25)], [spec(1, "gift", rule)]).applied
    assert applied.gifts == (GiftLine(promotion_id=1, sku_id=900, unit_id=3, quantity=2),)
    assert applied.discount == 0
    once = run([line(0, quantity=25)], [spec(1, "gift", {**rule, "repeat": False})]).applied[0]
    assert once.gifts[0].quantity == 1


def test_line_level_first_then_threshold_on_the_net():
    lines = [line(0, price="1100.00")]
    result = run(lines, [spec(1, "threshold", {"steps": [{"threshold": "1000", "off": "100"}]}, priority=99),
                         spec(2, "percent", {"percent": "10"})])
    # 10% first (990 left), then the threshold of 1,000 is no longer reached.
    assert discounts(result) == {2: D("110.00")}


def test_priority_then_code_decide_the_order_not_the_id():
    lines = [line(0, price="100.00")]
    a = spec(1, "fixed", {"amount": "10", "per": "line"}, code="B")
    b = spec(2, "percent", {"percent": "50"}, code="A")
    # Same priority: code A (50%) first: 50, then 10 off: 40 left.
    assert [p.promotion_id for p in run(lines, [a, b]).applied] == [2, 1]
    assert discounts(run(lines, [a, b])) == {2: D("50.00"), 1: D("10.00")}
    high = spec(1, "fixed", {"amount": "10", "per": "line"}, code="B", priority=5)
    assert discounts(run(lines, [b, high])) == {1: D("10.00"), 2: D("45.00")}


def test_exclusive_applies_alone_at_its_level_only():
    lines = [line(0, price="2000.00")]
    specs = [spec(1, "percent", {"percent": "10"}, priority=9),
             spec(2, "percent", {"percent": "5"}, stacking="exclusive", priority=1),
             spec(3, "percent", {"percent": "8"}, stacking="exclusive", priority=2, code="Z"),
             spec(4, "threshold", {"steps": [{"threshold": "1000", "off": "100"}]})]
    result = run(lines, specs)
    # The highest-priority exclusive (3, 8%) alone at the line level; the threshold still applies after it.
    assert discounts(result) == {3: D("160.00"), 4: D("100.00")}


def test_exclusive_that_gives_nothing_lets_the_others_apply():
    lines = [line(0, sku=100, price="100.00")]
    specs = [spec(1, "percent", {"percent": "10"}), spec(2, "percent", {"percent": "50"}, stacking="exclusive",
                                                          sku_ids=frozenset({555}))]
    assert discounts(run(lines, specs)) == {1: D("10.00")}


def test_not_combined_takes_only_untouched_lines_and_keeps_them():
    lines = [line(0, sku=100, price="100.00"), line(1, sku=101, price="100.00")]
    specs = [spec(1, "percent", {"percent": "10"}, priority=5, sku_ids=frozenset({100})),
             spec(2, "percent", {"percent": "20"}, stacking="not_stackable", priority=3),
             spec(3, "fixed", {"amount": "1", "per": "line"})]
    result = run(lines, specs)
    by_id = {p.promotion_id: p.allocations for p in result.applied}
    assert by_id[1] == {0: D("10.00")}
    assert by_id[2] == {1: D("20.00")}  # line 0 was discounted already
    assert by_id[3] == {0: D("1.00")}  # line 1 is kept by the not-combined promotion


def test_budget_cap_limits_the_discount_and_notes_it():
    lines = [line(0, price="100.00"), line(1, sku=101, price="50.00")]
    result = run(lines, [spec(1, "percent", {"percent": "20"}, remaining_budget=D("12.00"))])
    [applied] = result.applied
    assert applied.discount == D("12.00")
    assert applied.allocations == {0: D("8.00"), 1: D("4.00")}
    assert result.notes and "12.00" in result.notes[0]
    assert run(lines, [spec(1, "percent", {"percent": "20"}, remaining_budget=D("0"))]).applied == ()


def test_coupons_need_a_valid_code_with_uses_left():
    rule = {"percent": "10"}
    coupon = spec(1, "percent", rule, coupon_required=True, coupons=(CouponState("SPRING10", remaining_total=3),))
    lines = [line(0, price="100.00")]
    assert run(lines, [coupon]).applied == ()
    [applied] = run(lines, [coupon], codes=frozenset({" spring10 "})).applied
    assert (applied.coupon_code, applied.discount) == ("SPRING10", D("10.00"))
    used = spec(1, "percent", rule, coupon_required=True,
                coupons=(CouponState("SPRING10", remaining_total=5, remaining_for_dealer=0),))
    result = run(lines, [used], codes=frozenset({"SPRING10"}))
    assert result.applied == () and result.notes == ("Coupon SPRING10 has been used up.",)
    assert run(lines, [], codes=frozenset({"NOPE"})).notes == ("Coupon NOPE is not valid for this order.",)


def test_scope_by_category_subtree_tier_region_dealer_and_window():
    lines = [line(0, sku=100, category="drink.energy.can"), line(1, sku=101, category="water")]
    assert run(lines, [spec(1, "percent", {"percent": "10"}, category_paths=("drink.energy",))]
               ).applied[0].allocations == {0: D("1.00")}
    assert run(lines, [spec(1, "percent", {"percent": "10"}, category_paths=("drink.energ",))]).applied == ()
    for scope in ({"tier_ids": frozenset({2})}, {"dealer_ids": frozenset({8})},
                  {"territory_paths": ("86.32",)}, {"starts_at": datetime(2026, 4, 1, tzinfo=UTC)},
                  {"ends_at": NOW}, {"currency": "USD"}):
        assert run(lines, [spec(1, "percent", {"percent": "10"}, **scope)]).applied == (), scope
    for scope in ({"tier_ids": frozenset({1})}, {"dealer_ids": frozenset({7})}, {"territory_paths": ("86.31",)}):
        assert run(lines, [spec(1, "percent", {"percent": "10"}, **scope)]).applied != (), scope


def test_allocate_largest_remainder_ties_to_the_lowest_index():
    assert allocate(D("0.10"), {0: D("1"), 1: D("1"), 2: D("1")}, "CNY") == {0: D("0.04"), 1: D("0.03"),
                                                                            2: D("0.03")}
    assert allocate(D("100"), {0: D("1"), 1: D("2")}, "JPY") == {0: D("33"), 1: D("67")}


# --- properties ---------------------------------------------------------------------------------

MONEY = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
SKUS = st.sampled_from([100, 101, 102, 103])


@st.composite
def carts(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    return [line(index, sku=draw(SKUS), price=str(draw(MONEY)), quantity=draw(st.integers(1, 60)),
                 factor=draw(st.sampled_from([1, 6, 24]))) for index in range(count)]


@st.composite
def rules(draw, pid):
    kind = draw(st.sampled_from(["threshold", "percent", "fixed", "tiered", "bundle", "gift"]))
    if kind == "threshold":
        first = draw(st.decimals(min_value=D("10"), max_value=D("3000"), places=0))
        rule = {"steps": [{"threshold": str(first), "off": str(draw(st.decimals(D("1"), first - 1, places=2)))},
                          {"threshold": str(first * 3), "off": str(first)}], "repeat": draw(st.booleans())}
    elif kind == "percent":
        rule = {"percent": str(draw(st.decimals(D("0.01"), D("100"), places=2)))}
    elif kind == "fixed":
        rule = {"amount": str(draw(MONEY)), "per": draw(st.sampled_from(["unit", "line"]))}
    elif kind == "tiered":
        rule = {"tiers": [{"min_quantity": 10, "percent": "3"}, {"min_quantity": 200, "percent": "7.5"}],
                "basis": draw(st.sampled_from(["sku", "total"]))}
    elif kind == "bundle":
        items = [{"sku_id": 100, "quantity": draw(st.integers(1, 5))}, {"sku_id": 101, "quantity": 1}]
        rule = {"items": items, **({"price": str(draw(MONEY))} if draw(st.booleans())
                                   else {"amount_off": str(draw(MONEY))})}
    else:
        rule = {"buy_quantity": draw(st.integers(1, 50)), "gift_sku_id": 900, "gift_unit_id": 1,
                "gift_quantity": 1, "repeat": True}
    scope = draw(st.sampled_from([frozenset(), frozenset({100}), frozenset({101, 102})]))
    budget = draw(st.none() | st.decimals(D("0.01"), D("500"), places=2))
    return spec(pid, kind, rule, code=draw(st.sampled_from(["A", "B", "C", f"X{pid}"])),
                priority=draw(st.integers(0, 3)), stacking=draw(st.sampled_from(["stackable", "not_stackable",
                                                                                  "exclusive"])),
                sku_ids=scope, remaining_budget=budget)


@st.composite
def scenarios(draw):
    count = draw(st.integers(min_value=0, max_value=6))
    specs = [draw(rules(pid)) for pid in range(1, count + 1)]
    return draw(carts()), specs, draw(st.permutations(specs))


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_properties_never_negative_allocations_sum_and_order_free(scenario):
    lines, specs, shuffled = scenario
    result = run(lines, specs)
    assert run(lines, shuffled) == result  # whatever order the promotions come in
    taken = {item.index: D(0) for item in lines}
    for applied in result.applied:
        assert applied.discount >= 0
        assert sum(applied.allocations.values(), D(0)) == applied.discount
        assert all(amount > 0 and amount == amount.quantize(D("0.01")) for amount in applied.allocations.values())
        for index, amount in applied.allocations.items():
            taken[index] += amount
    nets = {item.index: item.gross - taken[item.index] for item in lines}
    assert all(net >= 0 for net in nets.values())  # never a negative line
    subtotal = sum(item.gross for item in lines)
    total = sum(nets.values())
    assert subtotal - total == sum(applied.discount for applied in result.applied)
    for applied in result.applied:
        budget = next(s.remaining_budget for s in specs if s.id == applied.promotion_id)
        assert budget is None or applied.discount <= budget
