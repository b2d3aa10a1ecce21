"""Template tags of the storefront's "add to cart" forms."""

from __future__ import annotations

import math

from django import template

from tenant_apps.catalog.models import SkuUnit

register = template.Library()


def first_valid_quantity(*, factor: int, min_order_qty: int, order_step: int, at_least: int = 1) -> int:
    """The smallest quantity of a unit holding `factor` base units, at least `at_least`, that meets the SKU's
    minimum and step (both in base units): 1 case of 24 for a minimum of 24 cans, 24 cans for the can itself."""
    step = order_step // math.gcd(factor, order_step or 1) if order_step else 1
    quantity = max(1, at_least, -(-min_order_qty // factor))
    return -(-quantity // step) * step


@register.simple_tag
def cart_units(rows):
    """The rows ({"sku": ...} dicts) with "units": the SKU's units to order in, base unit first, as
    (unit id, label, base units in one, first valid quantity in it), and "quantity": the first valid quantity
    in the base unit. One query for all the rows. The quantity box follows a change of unit (storefront.js
    converts it), so 24 cans become 1 case, never 24 cases."""
    skus = [row["sku"] for row in rows]
    extra: dict[int, list[SkuUnit]] = {}
    for unit in SkuUnit.objects.filter(sku__in=[sku.pk for sku in skus]).select_related("unit").order_by("factor"):
        extra.setdefault(unit.sku_id, []).append(unit)
    out = []
    for row in rows:
        sku = row["sku"]

        def first(factor, sku=sku):
            return first_valid_quantity(factor=factor, min_order_qty=sku.min_order_qty, order_step=sku.order_step)

        units = [(sku.base_unit_id, sku.base_unit.name, 1, first(1))]
        units += [(unit.unit_id, f"{unit.unit.name} ({unit.factor} {sku.base_unit.name})", unit.factor,
                   first(unit.factor)) for unit in extra.get(sku.pk, [])]
        out.append({**row, "units": units, "quantity": units[0][3]})
    return out
