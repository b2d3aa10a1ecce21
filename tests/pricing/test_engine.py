"""The price each dealer gets: precedence levels, specificity, validity dates, quantity breaks, units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tenant_apps.pricing import services
from tenant_apps.pricing.engine import price_book_load
from tenant_apps.pricing.quote_types import CartLine
from tenant_apps.pricing.selectors import dealer_context, dealer_prices
from tests.pricing.conftest import NOW

JAN = date(2026, 1, 1)


def _list(code, kind, *, valid_from=JAN, valid_to=None, status="active", **target):
    number = "HT-2026-01" if kind == "contract" else ""
    return services.price_list_create(actor=None, code=code, name=code, kind=kind, valid_from=valid_from,
                                      valid_to=valid_to, status=status, contract_number=number, **target)


def _price(world, price_list, price, *, sku=None, unit=None, min_quantity=1):
    services.price_entry_set(actor=None, price_list=price_list, sku=sku or world.rb, unit=unit or world.piece,
                             price=price, min_quantity=min_quantity)


def _quote_one(world, *, dealer=None, unit=None, quantity=1, sku=None, at=NOW):
    ctx = dealer_context(dealer or world.dealer, at)
    sku = sku or world.rb
    book = price_book_load(ctx, [sku.pk])
    return book.price(CartLine(sku_id=sku.pk, unit_id=(unit or world.piece).pk, quantity=quantity), 0)


@pytest.fixture
def levels(world, tenant_a, in_tenant):
    """One list per level for RB, each cheaper than the level below."""
    with in_tenant(tenant_a):
        made = {
            "base": _list("BASE", "base"),
            "tier": _list("TIER-A", "tier", tier=world.tier_a),
            "region": _list("REG-SH", "region", territory=world.shanghai),
            "dealer": _list("DLR-PD1", "dealer", dealer=world.dealer),
            "contract": _list("CT-PD1", "contract", dealer=world.dealer),
        }
        for price, level in zip(("6.00", "5.80", "5.60", "5.40", "5.20"), made, strict=True):
            _price(world, made[level], price)
        yield made


@pytest.mark.parametrize(("removed", "source", "price"), [
    ((), "contract", "5.20"),
    (("contract",), "dealer", "5.40"),
    (("contract", "dealer"), "region", "5.60"),
    (("contract", "dealer", "region"), "tier", "5.80"),
    (("contract", "dealer", "region", "tier"), "base", "6.00"),
])
def test_each_level_beats_the_next(world, levels, removed, source, price):
    for level in removed:
        services.price_list_status_set(actor=None, price_list=levels[level], status="inactive")
    priced = _quote_one(world)
    assert (priced.price_source, priced.unit_price, priced.price_list_id) == (source, Decimal(price),
                                                                             levels[source].pk)


def test_protection_beats_every_list(world, levels):
    services.protection_window_create(actor=None, name="春节保价", starts_on=date(2026, 3, 1),
                                      ends_on=date(2026, 3, 31), dealer=world.dealer,
                                      prices=[(world.rb, world.piece, "5.90")])
    priced = _quote_one(world)
    assert (priced.price_source, priced.unit_price, priced.price_list_id) == ("protection", Decimal("5.90"), None)
    assert priced.price_rule == "Price protection “春节保价”"
    # another dealer is not covered by this dealer's window
    assert _quote_one(world, dealer=world.other).price_source == "base"


def test_a_dealer_of_another_tier_region_gets_only_what_matches(world, levels):
    # HD-2: tier B, territory 华东 (which contains Shanghai, not inside it): only the base list applies
    assert _quote_one(world, dealer=world.other).unit_price == Decimal("6.00")
    east = _list("REG-EAST", "region", territory=world.east)
    _price(world, east, "5.95")
    assert _quote_one(world, dealer=world.other).unit_price == Decimal("5.95")


def test_deepest_region_wins_then_latest_then_code(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        east = _list("R-EAST", "region", territory=world.east)
        pudong = _list("R-PD", "region", territory=world.pudong)
        _price(world, east, "5.00")
        _price(world, pudong, "5.50")
        assert _quote_one(world).price_list_id == pudong.pk  # deepest territory, even if dearer
        later = _list("R-PD-LATER", "region", territory=world.pudong, valid_from=date(2026, 2, 1))
        _price(world, later, "5.45")
        assert _quote_one(world).price_list_id == later.pk  # same depth: latest valid_from
        twin = _list("R-PD-A", "region", territory=world.pudong, valid_from=date(2026, 2, 1))
        _price(world, twin, "5.44")
        assert _quote_one(world).price_list_id == twin.pk  # same date: code R-PD-A before R-PD-LATER


def test_validity_dates_and_status(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = _list("BASE", "base")
        _price(world, base, "6.00")
        future = _list("TIER-FUT", "tier", tier=world.tier_a, valid_from=date(2026, 3, 11))
        _price(world, future, "5.00")
        ended = _list("TIER-END", "tier", tier=world.tier_a, valid_to=date(2026, 3, 9))
        _price(world, ended, "4.00")
        draft = _list("TIER-DRAFT", "tier", tier=world.tier_a, status="inactive")
        _price(world, draft, "3.00")
        assert _quote_one(world).price_list_id == base.pk
        assert _quote_one(world, at=NOW.replace(day=11)).price_list_id == future.pk
        assert _quote_one(world, at=NOW.replace(day=9)).price_list_id == ended.pk
        last_day = _list("TIER-TODAY", "tier", tier=world.tier_a, valid_to=date(2026, 3, 10))
        _price(world, last_day, "4.50")
        assert _quote_one(world).price_list_id == last_day.pk  # valid_to is inclusive


def test_quantity_breaks_pick_the_largest_minimum_reached(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = _list("BASE", "base")
        _price(world, base, "6.00")
        _price(world, base, "5.50", min_quantity=48)
        _price(world, base, "5.00", min_quantity=240)
        assert _quote_one(world, quantity=47).unit_price == Decimal("6.00")
        assert _quote_one(world, quantity=48).unit_price == Decimal("5.50")
        priced = _quote_one(world, quantity=240)
        assert (priced.unit_price, priced.gross) == (Decimal("5.00"), Decimal("1200.00"))
        assert priced.price_rule == "Base price list BASE, from 240 罐"


def test_unit_conversion_and_case_price(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = _list("BASE", "base")
        _price(world, base, "6.00")
        _price(world, base, "5.50", min_quantity=48)
        # 2 cases = 48 pieces: the 48+ break of the piece price, times 24
        priced = _quote_one(world, unit=world.case, quantity=2)
        assert (priced.unit_price, priced.factor, priced.gross) == (Decimal("132.00"), 24, Decimal("264.00"))
        assert priced.price_rule == "Base price list BASE, from 48 罐 (5.50 per 罐 × 24 per 箱)"
        _price(world, base, "130.00", unit=world.case)  # a case price of its own wins
        priced = _quote_one(world, unit=world.case, quantity=2)
        assert (priced.unit_price, priced.price_rule) == (Decimal("130.00"), "Base price list BASE")


def test_a_contract_without_the_sku_falls_through(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = _list("BASE", "base")
        _price(world, base, "6.00", sku=world.dp)
        _price(world, _list("CT", "contract", dealer=world.dealer), "5.00")  # RB only
        assert _quote_one(world, sku=world.dp).price_source == "base"
        assert _quote_one(world).price_rule == "Contract price list CT (contract HT-2026-01)"


def test_no_price_and_unknown_unit_give_none(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        assert _quote_one(world) is None
        base = _list("BASE", "base")
        _price(world, base, "6.00")
        ctx = dealer_context(world.dealer, NOW)
        book = price_book_load(ctx, [world.rb.pk])
        assert book.price(CartLine(sku_id=world.rb.pk, unit_id=999999, quantity=1), 0) is None


def test_dealer_prices_for_the_storefront(world, tenant_a, in_tenant, count_queries):
    with in_tenant(tenant_a):
        base = _list("BASE", "base")
        _price(world, base, "6.00")
        _price(world, base, "7.00", sku=world.dp)
        tier = _list("TIER-A", "tier", tier=world.tier_a)
        _price(world, tier, "5.50")
        with count_queries() as queries:
            prices = dealer_prices(world.dealer, [world.rb.pk, world.dp.pk], at=NOW)
        assert {sku: p.unit_price for sku, p in prices.items()} == {world.rb.pk: Decimal("5.50"),
                                                                    world.dp.pk: Decimal("7.00")}
        assert len(queries.sql) == 3  # the dealer's context, SKUs, prices (list entries and protected prices)
        assert dealer_prices(world.other, [world.rb.pk], at=NOW)[world.rb.pk].unit_price == Decimal("6.00")


def test_list_validation_names_fields(world, tenant_a, in_tenant):
    from tenant_apps.pricing.errors import PricingInvalid

    with in_tenant(tenant_a):
        with pytest.raises(PricingInvalid) as bad:
            services.price_list_create(actor=None, code="x y", name="", kind="tier", dealer=world.dealer,
                                       valid_from=JAN, valid_to=date(2025, 1, 1))
        assert set(bad.value.fields) == {"code", "name", "tier", "dealer", "valid_to"}
        base = _list("BASE", "base")
        with pytest.raises(PricingInvalid) as bad_price:
            services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="-1")
        assert set(bad_price.value.fields) == {"price"}


def test_the_book_loads_exactly_the_matching_lists(world, levels, tenant_a, in_tenant):
    from tenant_apps.pricing.engine import matching_lists

    with in_tenant(tenant_a):
        _price(world, _list("T-B", "tier", tier=world.tier_b), "1.00")
        _price(world, _list("R-EAST", "region", territory=world.east), "1.00")
        _price(world, _list("OLD", "base", valid_to=date(2026, 2, 1)), "1.00")
        _price(world, _list("OTHER", "dealer", dealer=world.other), "1.00")
        for dealer in (world.dealer, world.other):
            ctx = dealer_context(dealer, NOW)
            book = price_book_load(ctx, [world.rb.pk])
            assert {info.list_id for info in book.lists} == set(matching_lists(ctx).values_list("pk", flat=True))
