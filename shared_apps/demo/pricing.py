"""Demo prices: a base list for every SKU, in its unit and by the case (the case a little cheaper than its
units one by one), with quantity breaks, tier lists A/B/C (A cheapest), a region
list for one province, a contract for the demo dealer (SH-A01), and a price protection window in which the
brand cut a contract price after the dealer bought: the compensation owed shows on the console.

Built through the pricing services (lists, the price import, protection, purchases). Idempotent: does
nothing once a price list exists."""

from __future__ import annotations

import zlib
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from shared_apps.demo.network import REGIONS, _name
from shared_apps.demo.products import CATALOGS, unit_prices
from tenant_apps.catalog.models import Sku, SkuUnit
from tenant_apps.dealers.models import Dealer, Territory, Tier
from tenant_apps.pricing import services
from tenant_apps.pricing.models import PriceList
from tenant_apps.pricing.transfer import COLUMNS, prices_import
from tenants.workspace import PRICE_LIST_CODE

CENT = Decimal("0.01")
PLACES = {code: both for _region, _name_both, provinces in REGIONS for code, both, _cities in provinces}
TIER_FACTORS = {"A": Decimal("0.90"), "B": Decimal("0.94"), "C": Decimal("0.97")}
PACK_DISCOUNT = Decimal("0.98")  # a case costs its count of units less 2%
BREAK = Decimal("0.97")  # from 10 cases on, 3% off
WORDS = {
    "acme": {"base": "基础价目表", "tier": "%(tier)s价目表", "region": "%(territory)s区域价",
             "contract": "%(dealer)s年度合同价", "protection": "%(year)s 夏季调价保护"},
    "globex": {"base": "Base price list", "tier": "%(tier)s price list", "region": "%(territory)s regional prices",
               "contract": "%(dealer)s annual contract", "protection": "%(year)s summer price protection"},
}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def case_price(unit_price: Decimal, factor: int) -> Decimal:
    """A case of `factor` units: `factor` times the unit's price less the pack discount (never less than the
    price of one unit fewer, so a larger pack always costs more)."""
    return max(_money(unit_price * factor * PACK_DISCOUNT), _money(unit_price * (factor - 1)) + CENT) \
        if factor > 1 else unit_price


def seed_pricing(*, brand_slug: str, actor=None) -> None:
    if PriceList.objects.exclude(code=PRICE_LIST_CODE).exists():  # the workspace's own empty list aside
        return
    skus = list(Sku.objects.order_by("code").values_list("pk", "code", "base_unit__code"))
    if not skus:
        return
    w = WORDS[brand_slug]
    catalog_prices = unit_prices(CATALOGS[brand_slug])
    # SKUs the brand added beside the demo's catalog (or a test's own) get a steady price from their code
    base_price = {pk: catalog_prices.get(code) or Decimal(300 + zlib.crc32(code.encode()) % 700) / 100
                  for pk, code, _unit in skus}
    cases = {sku_id: (unit, factor) for sku_id, unit, factor in SkuUnit.objects.values_list(
        "sku_id", "unit__code", "factor")}
    start = timezone.localdate().replace(month=1, day=1)

    def make(code, name, kind, **target):
        return services.price_list_create(actor=actor, code=code, name=name, kind=kind, valid_from=start,
                                          status="active", **target)

    def entries(list_code, pk, code, unit, price, breaks=False):
        """The unit's price and the case's (its count of units less the pack discount); with `breaks`,
        3% off from 10 cases on, ordered by the case or by the unit."""
        rows = [[list_code, code, unit, "1", str(price)]]
        case_unit, factor = cases.get(pk, (None, 1))
        if case_unit is not None:
            rows.append([list_code, code, case_unit, "1", str(case_price(price, factor))])
        if breaks:
            rows.append([list_code, code, unit, str(10 * factor), str(_money(price * BREAK))])
            if case_unit is not None:
                rows.append([list_code, code, case_unit, "10", str(_money(case_price(price, factor) * BREAK))])
        return rows

    make("BASE", w["base"], "base")
    rows = []
    for pk, code, unit in skus:
        rows += entries("BASE", pk, code, unit, base_price[pk], breaks=True)
    for tier in Tier.objects.filter(code__in=TIER_FACTORS).order_by("code"):
        make(f"TIER-{tier.code}", w["tier"] % {"tier": tier.name}, "tier", tier=tier)
        for pk, code, unit in skus:
            rows += entries(f"TIER-{tier.code}", pk, code, unit, _money(base_price[pk] * TIER_FACTORS[tier.code]))
    province = Territory.objects.filter(parent__isnull=False, parent__parent__isnull=True).order_by("code").first()
    if province is not None:
        place = PLACES.get(province.code)  # the demo's own name of the place, in the brand's language
        name = _name(place, "zh" if brand_slug == "acme" else "en") if place else province.name
        make(f"REGION-{province.code}", w["region"] % {"territory": name}, "region", territory=province)
        for pk, code, unit in skus[:100]:
            rows += entries(f"REGION-{province.code}", pk, code, unit, _money(base_price[pk] * Decimal("0.92")))
    dealer = Dealer.objects.filter(code="SH-A01").first() or Dealer.objects.order_by("code").first()
    contract_skus = skus[:20]
    if dealer is not None:
        make(f"CT-{dealer.code}", w["contract"] % {"dealer": dealer.name}, "contract", dealer=dealer,
             contract_number=f"HT-{start.year}-001")
        for pk, code, unit in contract_skus:
            rows += entries(f"CT-{dealer.code}", pk, code, unit, _money(base_price[pk] * Decimal("0.85")))
    content = "\n".join([",".join(COLUMNS), *(",".join(row) for row in rows)]).encode()
    result = prices_import(actor=actor, file=content, filename="demo-prices.csv")
    assert result.applied, result.errors[:5]

    for pk, _code, _unit in skus[:50]:
        services.resale_price_set(actor=actor, sku=Sku.objects.get(pk=pk),
                                  price=_money(base_price[pk] * Decimal("1.15")), valid_from=start)
    if dealer is None:
        return
    today = timezone.localdate()
    protected = [Sku.objects.get(pk=pk) for pk, _c, _u in contract_skus[:3]]
    services.protection_window_create(actor=actor, name=w["protection"] % {"year": today.year}, dealer=dealer,
                                      skus=protected, starts_on=today - timedelta(days=7),
                                      ends_on=today + timedelta(days=23))
    contract = PriceList.objects.get(code=f"CT-{dealer.code}")
    sku = protected[0]
    paid = _money(base_price[sku.pk] * Decimal("0.85"))
    services.purchase_record(dealer=dealer, sku_id=sku.pk, unit_id=sku.base_unit_id, quantity=48 * 5,
                             unit_price=paid, currency=contract.currency, bought_at=timezone.now() - timedelta(days=3),
                             reference="DEMO-SO-0001")
    # The brand cuts the price, the case's with it: compensation owed for what the dealer bought before.
    cut = _money(paid * Decimal("0.90"))
    case = SkuUnit.objects.select_related("unit").filter(sku=sku).first()
    if case is not None:
        services.price_entry_set(actor=actor, price_list=contract, sku=sku, unit=case.unit,
                                 price=case_price(cut, case.factor))
    services.price_entry_set(actor=actor, price_list=contract, sku=sku, unit=sku.base_unit, price=cut)
