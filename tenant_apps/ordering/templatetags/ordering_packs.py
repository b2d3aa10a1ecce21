"""Quantities of an order line in the pack it was ordered in: {{ quantity|in_pack:line }} -> "10 箱 (240 瓶)"."""

from __future__ import annotations

from django import template

from tenant_apps.ordering.presentation import line_pack_quantity

register = template.Library()


@register.filter
def in_pack(base_quantity, line) -> str:
    """`base_quantity` (base units) of `line` as packs and base units; the line needs its unit and SKU's
    base unit loaded (select_related) so that a list costs no query per row."""
    return line_pack_quantity(base_quantity, line)
