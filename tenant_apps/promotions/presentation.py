"""How a promotion reads to a person: one line per rule ("满 ¥1,000 减 ¥50; 满 ¥3,000 减 ¥200"),
for the console list, the storefront and badges. Pure."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.core.money import format_money

# How promotions apply, for the brand's staff: the rules of engine.py's docstring, in customer words.
ENGINE_RULES = (
    gettext_lazy(
        "Who and when: a promotion applies to a dealer when every scope it sets matches (tiers, regions with their "
        "sub-regions, named dealers; an empty scope means everyone), within its dates, in the order's currency. "
        "A promotion that needs a coupon applies only when the dealer enters one of its codes and the code still "
        "has uses left; otherwise the cart says why."
    ),
    gettext_lazy(
        "What: a line qualifies when its SKU is one of the promotion's SKUs or its category is inside one of the "
        "promotion's categories; with neither set, every line qualifies. Quantities count base units (a case of "
        "24 counts as 24)."
    ),
    gettext_lazy(
        "Two levels: line promotions (percentage off, amount off, tiered quantity, bundle, gift with purchase) "
        "apply first, each on what the ones before it left. Then spend-threshold promotions apply to the order."
    ),
    gettext_lazy(
        "Order within a level: highest priority first; equal priorities by promotion code."
    ),
    gettext_lazy(
        "Stacking: stackable promotions combine. A promotion that is not combined takes only lines no earlier "
        "promotion discounted, and the lines it discounts take no later promotion. An exclusive promotion applies "
        "alone at its level: the first exclusive one that gives a discount is the only one of that level."
    ),
    gettext_lazy(
        "Budget: a promotion with a budget gives at most what is left of it, shared over its lines in proportion."
    ),
    gettext_lazy("Never negative: no discount takes a line below zero."),
    gettext_lazy(
        "Rounding: discounts are rounded to the cent; an order discount is shared over its lines in proportion "
        "to their amounts, and the lines always add up exactly to the discount."
    ),
    gettext_lazy(
        "Spend thresholds: the highest threshold reached applies once; with Repeat, thresholds apply as many "
        "times as they fit, the highest first (spend 3,000 get 200 off, repeated, on 7,000: 2 x 200 off, plus "
        "50 off when a spend 1,000 get 50 off threshold exists)."
    ),
    gettext_lazy(
        "Gift with purchase: free items are added for every so many units bought (once, or repeated); they "
        "discount nothing, and the order reserves their stock."
    ),
)


def _percent(value) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def rule_summary(kind: str, rule: dict, currency: str) -> str:
    def money(value):
        return format_money(Decimal(str(value)), currency)

    try:
        if kind == "threshold":
            text = "; ".join(_("%(off)s off from %(threshold)s") % {"threshold": money(step["threshold"]),
                                                                  "off": money(step["off"])}
                             for step in rule["steps"])
            return text + (" " + _("(again for every multiple)") if rule.get("repeat") else "")
        if kind == "percent":
            return _("%(percent)s%% off") % {"percent": _percent(rule["percent"])}
        if kind == "fixed":
            if rule.get("per") == "line":
                return _("%(amount)s off each line") % {"amount": money(rule["amount"])}
            return _("%(amount)s off each unit") % {"amount": money(rule["amount"])}
        if kind == "tiered":
            return "; ".join(_("%(quantity)s+ units: %(percent)s%% off") % {
                "quantity": tier["min_quantity"], "percent": _percent(tier["percent"])} for tier in rule["tiers"])
        if kind == "bundle":
            count = sum(int(item["quantity"]) for item in rule["items"])
            if "price" in rule:
                return _("Bundle of %(count)s units for %(price)s") % {"count": count, "price": money(rule["price"])}
            return _("%(amount)s off each bundle of %(count)s units") % {"amount": money(rule["amount_off"]),
                                                                         "count": count}
        if kind == "gift":
            text = _("Buy %(buy)s, get %(gift)s free") % {"buy": rule["buy_quantity"], "gift": rule["gift_quantity"]}
            return text + (" " + _("(every time)") if rule.get("repeat") else "")
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return ""
    return ""


def badge_label(kind: str) -> str:
    """A short label for a catalog badge."""
    labels = {"threshold": _("Spend & save"), "percent": _("Discount"), "fixed": _("Discount"),
              "tiered": _("Volume discount"), "bundle": _("Bundle"), "gift": _("Gift")}
    return labels.get(kind, _("Promotion"))
