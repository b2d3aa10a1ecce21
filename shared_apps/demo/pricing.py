"""Demo prices: a base list for every SKU with a quantity break, tier lists A/B/C (A cheapest), a region
list for one province, a contract for the demo dealer (SH-A01), and a price protection window in which the
brand cut a contract price after the dealer bought: the compensation owed shows on the console.

Built through the pricing services (lists, the price import, protection, purchases). Idempotent: does
nothing once a price list exists."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from tenant_apps.catalog.models import Sku, SkuUnit
from tenant_apps.dealers.models import Dealer, Territory, Tier
from tenant_apps.pricing import services
from tenant_apps.pricing.models import PriceList
from tenant_apps.pricing.transfer import COLUMNS, prices_import
from tenants.workspace import PRICE_LIST_CODE

CENT = Decimal("0.01")
TIER_FACTORS = {"A": Decimal("0.90"), "B": Decimal("0.94"), "C": Decimal("0.97")}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def seed_pricing(*, brand_slug: str, actor=None) -> None:
    if PriceList.objects.exclude(code=PRICE_LIST_CODE).exists():  # the workspace's own empty list aside
        return
    skus = list(Sku.objects.order_by("code").values_list("pk", "code", "base_unit__code"))
    if not skus:
        return
    rng = random.Random(f"prices-{brand_slug}")
    case_size = dict(SkuUnit.objects.values_list("sku_id", "factor"))
    low, high = (3, 12) if brand_slug == "acme" else (20, 200)
    base_price = {pk: Decimal(rng.randint(low * 100, high * 100)) / 100 for pk, _code, _unit in skus}
    start = timezone.localdate().replace(month=1, day=1)

    def make(code, name, kind, **target):
        return services.price_list_create(actor=actor, code=code, name=name, kind=kind, valid_from=start,
                                          status="active", **target)

    make("BASE", "基础价目表", "base")
    rows = []
    for pk, code, unit in skus:
        rows.append(["BASE", code, unit, "1", str(base_price[pk])])
        # quantity break: 10 cases or more, 3% off
        rows.append(["BASE", code, unit, str(10 * case_size.get(pk, 1)), str(_money(base_price[pk] * Decimal("0.97")))])
    for tier in Tier.objects.filter(code__in=TIER_FACTORS).order_by("code"):
        make(f"TIER-{tier.code}", f"{tier.name}价目表", "tier", tier=tier)
        rows += [[f"TIER-{tier.code}", code, unit, "1", str(_money(base_price[pk] * TIER_FACTORS[tier.code]))]
                 for pk, code, unit in skus]
    province = Territory.objects.filter(parent__isnull=False, parent__parent__isnull=True).order_by("code").first()
    if province is not None:
        make(f"REGION-{province.code}", f"{province.name}区域价", "region", territory=province)
        rows += [[f"REGION-{province.code}", code, unit, "1", str(_money(base_price[pk] * Decimal("0.92")))]
                 for pk, code, unit in skus[:100]]
    dealer = Dealer.objects.filter(code="SH-A01").first() or Dealer.objects.order_by("code").first()
    contract_skus = skus[:20]
    if dealer is not None:
        make(f"CT-{dealer.code}", f"{dealer.name}年度合同价", "contract", dealer=dealer,
             contract_number=f"HT-{start.year}-001")
        rows += [[f"CT-{dealer.code}", code, unit, "1", str(_money(base_price[pk] * Decimal("0.85")))]
                 for pk, code, unit in contract_skus]
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
    services.protection_window_create(actor=actor, name=f"{today.year} 夏季调价保护", dealer=dealer, skus=protected,
                                      starts_on=today - timedelta(days=7), ends_on=today + timedelta(days=23))
    contract = PriceList.objects.get(code=f"CT-{dealer.code}")
    sku = protected[0]
    paid = _money(base_price[sku.pk] * Decimal("0.85"))
    services.purchase_record(dealer=dealer, sku_id=sku.pk, unit_id=sku.base_unit_id, quantity=48 * 5,
                             unit_price=paid, bought_at=timezone.now() - timedelta(days=3), reference="DEMO-SO-0001")
    services.price_entry_set(actor=actor, price_list=contract, sku=sku, unit=sku.base_unit,
                             price=_money(paid * Decimal("0.90")))  # the brand cuts the price: compensation owed
