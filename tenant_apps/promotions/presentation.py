"""How a promotion reads to a person: one line per rule ("满 ¥1,000 减 ¥50; 满 ¥3,000 减 ¥200"),
for the console list, the storefront and badges. Pure."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from tenant_apps.core.money import format_money


def _percent(value) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def rule_summary(kind: str, rule: dict, currency: str = "CNY") -> str:
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
    labels = {"threshold": _("Spend & save"), "percent": _("Discount"), "fixed": _("Discount"), "tiered": _("Volume discount"),
              "bundle": _("Bundle"), "gift": _("Gift (买赠)")}
    return labels.get(kind, _("Promotion"))
