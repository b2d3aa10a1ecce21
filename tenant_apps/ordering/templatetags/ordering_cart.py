"""Template tags of the storefront's "add to cart" forms."""

from __future__ import annotations

from django import template

from tenant_apps.catalog.models import SkuUnit

register = template.Library()


@register.simple_tag
def cart_units(rows):
    """The rows ({"sku": ...} dicts) with "units": the SKU's units to order in, base unit first, as
    (unit id, label). One query for all the rows."""
    skus = [row["sku"] for row in rows]
    extra: dict[int, list[SkuUnit]] = {}
    for unit in SkuUnit.objects.filter(sku__in=[sku.pk for sku in skus]).select_related("unit").order_by("factor"):
        extra.setdefault(unit.sku_id, []).append(unit)
    out = []
    for row in rows:
        sku = row["sku"]
        units = [(sku.base_unit_id, sku.base_unit.name)]
        units += [(unit.unit_id, f"{unit.unit.name} ({unit.factor} {sku.base_unit.name})")
                  for unit in extra.get(sku.pk, [])]
        out.append({**row, "units": units})
    return out
