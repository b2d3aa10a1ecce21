"""The quote: totals add up, no line goes negative, the same whatever order the lists were created in, and
a constant number of queries whatever the cart size."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.catalog import services as catalog
from tenant_apps.pricing import services
from tenant_apps.pricing.quote_types import (
    AppliedPromotion,
    CartLine,
    DealerContext,
    PricedLine,
    PromotionResult,
)
from tenant_apps.quoting.quote import quote_assemble, quote_cart
from tests.pricing.conftest import NOW

CTX = DealerContext(dealer_id=1, tier_id=None, territory_paths=(), node_path="1", at=NOW, currency="CNY")
CENTS = st.integers(min_value=0, max_value=10_000_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def priced_and_promotions(draw):
    """Cart slots (a priced line, or None: no price) and promotions allocating any amounts, even more than
    a line's gross (the assembly must still never go below zero)."""
    slots = [None if draw(st.booleans()) and position else
             PricedLine(index=position, sku_id=position + 1, product_id=1, category_path="1", unit_id=1, quantity=1,
                        factor=1, unit_price=gross, gross=gross, price_source="base", price_rule="")
             for position, gross in enumerate(draw(st.lists(CENTS, min_size=1, max_size=12)))]
    lines = [slot for slot in slots if slot is not None]
    promotions = []
    for number in range(draw(st.integers(min_value=0, max_value=4))):
        allocations = {line.index: draw(CENTS) for line in lines if draw(st.booleans())}
        promotions.append(AppliedPromotion(promotion_id=number + 1, name="p", kind="fixed",
                                           discount=sum(allocations.values(), Decimal(0)), allocations=allocations))
    return slots, promotions


@settings(max_examples=200, deadline=None)
@given(data=priced_and_promotions())
def test_totals_are_the_sum_of_lines_and_no_line_is_negative(data):
    slots, promotions = data
    quote = quote_assemble(ctx=CTX, priced=slots, result=PromotionResult(applied=tuple(promotions)))
    lines = [slot for slot in slots if slot is not None]
    assert quote.total == sum((line.net for line in quote.lines), Decimal(0))
    assert all(line.net >= 0 for line in quote.lines)
    assert quote.subtotal == sum((line.gross for line in lines), Decimal(0))
    assert quote.discount_total == quote.subtotal - quote.total
    assert quote.unpriced == tuple(i for i, slot in enumerate(slots) if slot is None)
    for line in quote.lines:  # each line's discounts are exactly what the promotions allocated to it
        assert line.discounts == tuple((p.promotion_id, p.allocations[line.priced.index]) for p in promotions
                                       if p.allocations.get(line.priced.index))


LIST_SPECS = [  # (code, kind, target, price of RB per piece, min_quantity)
    ("BASE", "base", None, "6.00", 1), ("BASE", "base", None, "5.60", 48), ("T-A", "tier", "tier_a", "5.80", 1),
    ("T-A2", "tier", "tier_a", "5.75", 1), ("R-SH", "region", "shanghai", "5.90", 1),
    ("R-EAST", "region", "east", "5.10", 1), ("C-1", "contract", "dealer", "5.70", 100),
    ("D-1", "dealer", "dealer", "5.95", 24), ("T-B", "tier", "tier_b", "4.00", 1),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(LIST_SPECS))))
def test_the_same_quote_whatever_order_the_lists_were_created_in(world, tenant_a, in_tenant, order):
    cart = [CartLine(world.rb.pk, world.piece.pk, quantity) for quantity in (1, 24, 48, 100)] + [
        CartLine(world.rb.pk, world.case.pk, 5), CartLine(world.dp.pk, world.piece.pk, 3)]
    with in_tenant(tenant_a), transaction.atomic():
        made = {}
        for position in order:
            code, kind, target, price, min_quantity = LIST_SPECS[position]
            if code not in made:
                number = "HT-1" if kind == "contract" else ""
                target_args = {} if target is None else {
                    {"tier_a": "tier", "tier_b": "tier", "shanghai": "territory", "east": "territory",
                     "dealer": "dealer"}[target]: getattr(world, {"tier_a": "tier_a", "tier_b": "tier_b",
                                                                  "shanghai": "shanghai", "east": "east",
                                                                  "dealer": "dealer"}[target])}
                made[code] = services.price_list_create(actor=None, code=code, name=code, kind=kind,
                                                        valid_from=date(2026, 1, 1), status="active",
                                                        contract_number=number, **target_args)
            services.price_entry_set(actor=None, price_list=made[code], sku=world.rb, unit=world.piece, price=price,
                                     min_quantity=min_quantity)
        quote = quote_cart(dealer=world.dealer, lines=cart, at=NOW)
        transaction.set_rollback(True)
    assert [(line.priced.unit_price, line.priced.price_rule) for line in quote.lines] == [
        (Decimal("5.90"), "Region price list R-SH"), (Decimal("5.95"), "Dealer price list D-1, from 24 罐"),
        (Decimal("5.95"), "Dealer price list D-1, from 24 罐"),
        (Decimal("5.70"), "Contract price list C-1 (contract HT-1), from 100 罐"),
        (Decimal("136.80"), "Contract price list C-1 (contract HT-1), from 100 罐 (5.70 per 罐 × 24 per 箱)"),
    ]
    assert quote.unpriced == (5,) and quote.total == Decimal("5.90") + Decimal("142.80") + Decimal("285.60") \
        + Decimal("570.00") + Decimal("684.00")


def test_queries_per_quote_do_not_grow_with_the_cart(world, tenant_a, in_tenant, count_queries):
    with in_tenant(tenant_a):
        base = services.price_list_create(actor=None, code="BASE", name="基础价", kind="base",
                                          valid_from=date(2026, 1, 1), status="active")
        piece = world.piece
        product = world.rb.product
        skus = [catalog.sku_create(actor=None, product=product, code=f"RB-{n}", name=f"红牛 {n}", base_unit=piece,
                                   units=[(world.case, 24, "")]) for n in range(200)]
        for sku in skus:
            services.price_entry_set(actor=None, price_list=base, sku=sku, unit=piece, price="5.00")
            services.price_entry_set(actor=None, price_list=base, sku=sku, unit=piece, price="4.50", min_quantity=48)
        counts = []
        for size in (20, 200):
            lines = [CartLine(sku.pk, world.case.pk if n % 2 else piece.pk, 2 + n) for n, sku in enumerate(skus[:size])]
            with count_queries() as queries:
                quote = quote_cart(dealer=world.dealer, lines=lines, at=NOW)
            assert len(quote.lines) == size and quote.unpriced == ()
            counts.append(len(queries.sql))
        assert counts[0] == counts[1]
        assert counts[0] <= 10
