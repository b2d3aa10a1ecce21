"""The price floor (乱价) on a supplier's promotions: what a promotion would make a sub-dealer pay for one unit of a
SKU, at worst, against the SKU's minimum resale price. Headquarters' promotions are its own sales, not resale:
never checked.

The worst case is taken against every price the supplier has set for the SKU (each entry of each of its lists in
the promotion's currency, active or not, whoever in its scope it targets), per entry's unit:

| kind | effective price of one unit at worst |
|---|---|
| percent | price x (1 - percent) |
| tiered | price x (1 - the highest tier's percent) |
| fixed, per unit | price - amount x the unit's base units |
| fixed, per line | price - amount / the entry's minimum quantity (the smallest line that price applies to) |
| threshold (满减) | price x (1 - the highest off / spend of its steps) |
| bundle | price x (1 - the set's discount share), the share at the set's cheapest list value (amount off) or its dearest (bundle price) |
| gift (买赠) | price - the gifts' value per unit bought (gift units x the gift's dearest list price / units to buy), x the unit's base units |

Order-level discounts (threshold, and bundles) are spread by the engine over the lines in proportion to their amounts
(`promotions.engine.allocate`): every line of an order gets the same share, at most off / spend when the order just
reaches a step (more spend, or a repeat, only lowers the share). A gift is spread over the units that earn it; the
gift itself is not resale (its value is counted on the units bought; a gift the supplier has no price for is valued
at its own floor). SKUs the supplier has no price for are not sold by it and are not checked; a price set later is
checked against the floor alone (`pricing.services.price_entry_set`), not against running promotions.
"""  # noqa: E501 (a Markdown table: its rows cannot wrap)

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tenant_apps.catalog.models import Sku, SkuUnit
from tenant_apps.pricing.floors import SupplierPrice, supplier_prices
from tenant_apps.pricing.services import resale_floor
from tenant_apps.promotions.models import PromotionKind

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Breach:
    """One SKU's unit that the promotion would resell below its floor (both per that unit)."""

    sku_id: int
    sku_code: str
    unit_id: int
    unit_name: str
    price: Decimal  # the lowest effective price found
    floor: Decimal


def error_field(kind: str, rule: dict) -> str:
    """The rule's field that sets the discount (where a refusal's message goes)."""
    if kind == PromotionKind.BUNDLE:
        return "rule.price" if "price" in rule else "rule.amount_off"
    return {PromotionKind.THRESHOLD: "rule.steps", PromotionKind.PERCENT: "rule.percent",
            PromotionKind.FIXED: "rule.amount", PromotionKind.TIERED: "rule.tiers",
            PromotionKind.GIFT: "rule.gift_quantity"}.get(kind, "rule")


def _share_off(kind: str, rule: dict, *, owner_id: int, currency: str, on: date | None) -> Decimal | None:
    """The order-level kinds' worst share of a line taken off (0..1); None when the promotion cannot apply."""
    if kind == PromotionKind.PERCENT:
        return Decimal(rule["percent"]) / HUNDRED
    if kind == PromotionKind.TIERED:
        return max(Decimal(tier["percent"]) for tier in rule["tiers"]) / HUNDRED
    if kind == PromotionKind.THRESHOLD:
        return max(Decimal(step["off"]) / Decimal(step["threshold"]) for step in rule["steps"])
    if kind == PromotionKind.BUNDLE:
        items = {item["sku_id"]: item["quantity"] for item in rule["items"]}
        per_base: dict[int, list[Decimal]] = {}
        for row in supplier_prices(owner_id=owner_id, currency=currency, skus=list(items), on=on):
            per_base.setdefault(row.sku_id, []).append(row.price / row.factor)
        if set(per_base) != set(items):  # an item the supplier does not sell: the set cannot be bought from it
            return None
        if "amount_off" in rule:
            cheapest = sum(min(per_base[sku]) * quantity for sku, quantity in items.items())
            return min(Decimal(1), Decimal(rule["amount_off"]) / cheapest) if cheapest else None
        dearest = sum(max(per_base[sku]) * quantity for sku, quantity in items.items())
        return max(Decimal(0), 1 - Decimal(rule["price"]) / dearest) if dearest else None
    return Decimal(0)


def _gift_value_per_base_unit(rule: dict, *, owner_id: int, currency: str, on: date | None) -> Decimal:
    """The gifts' value per base unit bought, at the gift's dearest price from the supplier (or its floor)."""
    gift = rule["gift_sku_id"]
    rows = supplier_prices(owner_id=owner_id, currency=currency, skus=[gift], on=on)
    if rows:
        per_base = max(row.price / row.factor for row in rows)
    else:
        per_base = resale_floor(sku=Sku(pk=gift), currency=currency, on=on) or Decimal(0)
    factor = 1
    if rule.get("gift_unit_id") is not None:
        factor = SkuUnit.objects.filter(sku_id=gift, unit_id=rule["gift_unit_id"]).values_list(
            "factor", flat=True).first() or 1
    return per_base * factor * rule["gift_quantity"] / rule["buy_quantity"]


def _effective(kind: str, rule: dict, row: SupplierPrice, share: Decimal, gift: Decimal) -> Decimal:
    price = row.price
    if kind == PromotionKind.FIXED:
        amount = Decimal(rule["amount"])
        price -= amount * row.factor if rule["per"] == "unit" else amount / row.min_quantity
    elif kind == PromotionKind.GIFT:
        price -= gift * row.factor
    else:
        price *= 1 - share
    return max(price, Decimal(0))


def promotion_floor_breaches(*, owner_id: int, kind: str, rule: dict, currency: str, skus=(), categories=(),
                             on: date | None = None) -> list[Breach]:
    """The SKU units a supplier's promotion (its clean rule and product scope: a bundle's items) would resell
    below their floor in force on `on` (today), the lowest effective price of each. A few queries, whatever the
    number of SKUs."""
    share = _share_off(kind, rule, owner_id=owner_id, currency=currency, on=on)
    if share is None:
        return []
    gift = (_gift_value_per_base_unit(rule, owner_id=owner_id, currency=currency, on=on)
            if kind == PromotionKind.GIFT else Decimal(0))
    worst: dict[tuple[int, int], Breach] = {}
    for row in supplier_prices(owner_id=owner_id, currency=currency, skus=skus, categories=categories, on=on):
        if row.floor is None:
            continue
        price = _effective(kind, rule, row, share, gift)
        key = (row.sku_id, row.unit_id)
        if price < row.unit_floor and (key not in worst or price < worst[key].price):
            worst[key] = Breach(row.sku_id, row.sku_code, row.unit_id, row.unit_name, price, row.unit_floor)
    return sorted(worst.values(), key=lambda breach: (breach.sku_code, breach.unit_id))
