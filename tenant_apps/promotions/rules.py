"""The rule parameters of each promotion kind: validation (field errors keyed `rule.<name>`) and the
normal form stored in `Promotion.rule` (amounts and percentages as decimal strings, quantities as ints).

| kind | rule |
|---|---|
| threshold (满减) | `{"steps": [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "200"}], "repeat": false}` |
| percent | `{"percent": "8"}` |
| fixed | `{"amount": "2.50", "per": "unit" or "line"}` (per base unit of the SKU, or once per line) |
| tiered | `{"tiers": [{"min_quantity": 100, "percent": "3"}, {"min_quantity": 500, "percent": "5"}], "basis": "sku" or "total"}` |
| bundle | `{"items": [{"sku_id": 1, "quantity": 2}, {"sku_id": 2, "quantity": 1}], "price": "99"}` or `"amount_off": "10"` per complete set |
| gift (买赠) | `{"buy_quantity": 10, "gift_sku_id": 7, "gift_unit_id": 1, "gift_quantity": 1, "repeat": true}` |

Quantities are in the SKU's base unit (a case of 24 counts 24).
"""  # noqa: E501 (a Markdown table: its rows cannot wrap)

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_AMOUNT = Decimal("999999999")


def _decimal(value, *, places: int = 2) -> Decimal | None:
    if isinstance(value, bool) or value is None or isinstance(value, float | list | dict):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    # the size first: quantizing 1e30 to cents passes the decimal context's precision (InvalidOperation)
    if not number.is_finite() or abs(number) > MAX_AMOUNT or number != number.quantize(Decimal(1).scaleb(-places)):
        return None
    return number


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("true", "1", "on", 1):
        return True
    if value in ("false", "0", "off", "", 0, None):
        return False
    return None


class _Errors(dict):
    def add(self, name: str, message) -> None:
        self.setdefault(f"rule.{name}", []).append(str(message))


def _amount(rule: dict, name: str, errors: _Errors, *, zero_ok: bool = False) -> Decimal | None:
    value = _decimal(rule.get(name))
    if value is None or value < 0 or (value == 0 and not zero_ok):
        errors.add(name, _("Enter an amount greater than zero with at most 2 decimals.") if not zero_ok
                   else _("Enter an amount of zero or more with at most 2 decimals."))
        return None
    return value


def _percent(value, name: str, errors: _Errors) -> Decimal | None:
    number = _decimal(value)
    if number is None or not (0 < number <= 100):
        errors.add(name, _("Enter a percentage above 0 and at most 100 (2 decimals at most)."))
        return None
    return number


def _threshold(rule: dict, errors: _Errors) -> dict:
    steps = rule.get("steps")
    if not isinstance(steps, list) or not steps:
        errors.add("steps", _("Add at least one step (spend X, get Y off)."))
        return {}
    clean = []
    for position, step in enumerate(steps, start=1):
        step = step if isinstance(step, dict) else {}
        threshold, off = _decimal(step.get("threshold")), _decimal(step.get("off"))
        if threshold is None or threshold <= 0:
            errors.add("steps", _("Step %(n)s: the spend must be an amount above zero.") % {"n": position})
            continue
        if off is None or off <= 0 or off >= threshold:
            errors.add("steps", _("Step %(n)s: the amount off must be above zero and below the spend.")
                       % {"n": position})
            continue
        clean.append({"threshold": str(threshold), "off": str(off)})
    thresholds = [Decimal(step["threshold"]) for step in clean]
    offs = [Decimal(step["off"]) for step in clean]
    if thresholds != sorted(set(thresholds)) or offs != sorted(offs):
        errors.add("steps", _("Steps must go up: each spend higher than the last, with at least as much off."))
    repeat = _bool(rule.get("repeat", False))
    if repeat is None:
        errors.add("repeat", _("Choose yes or no."))
    return {"steps": clean, "repeat": bool(repeat)}


def _tiers(rule: dict, errors: _Errors) -> dict:
    tiers = rule.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        errors.add("tiers", _("Add at least one quantity tier."))
        return {}
    clean = []
    for position, tier in enumerate(tiers, start=1):
        tier = tier if isinstance(tier, dict) else {}
        minimum = _int(tier.get("min_quantity"))
        percent = _decimal(tier.get("percent"))
        if minimum is None or minimum < 1:
            errors.add("tiers", _("Tier %(n)s: the quantity must be a whole number of at least 1.") % {"n": position})
            continue
        if percent is None or not (0 < percent <= 100):
            errors.add("tiers", _("Tier %(n)s: the percentage must be above 0 and at most 100.") % {"n": position})
            continue
        clean.append({"min_quantity": minimum, "percent": str(percent)})
    minimums = [tier["min_quantity"] for tier in clean]
    if minimums != sorted(set(minimums)):
        errors.add("tiers", _("Tiers must go up: each quantity higher than the last."))
    basis = rule.get("basis", "sku")
    if basis not in ("sku", "total"):
        errors.add("basis", _("Count quantities per SKU or over all the promotion's SKUs."))
    return {"tiers": clean, "basis": basis}


def _bundle(rule: dict, errors: _Errors) -> dict:
    items = rule.get("items")
    if not isinstance(items, list) or not items:
        errors.add("items", _("Add the SKUs of the bundle."))
        return {}
    clean = []
    for position, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        sku_id, quantity = _int(item.get("sku_id")), _int(item.get("quantity"))
        if sku_id is None or quantity is None or quantity < 1:
            errors.add("items", _("Item %(n)s: choose a SKU and a quantity of at least 1.") % {"n": position})
            continue
        clean.append({"sku_id": sku_id, "quantity": quantity})
    if len({item["sku_id"] for item in clean}) != len(clean):
        errors.add("items", _("Each SKU may appear once in a bundle."))
    if clean and sum(item["quantity"] for item in clean) < 2:
        errors.add("items", _("A bundle needs at least two units."))
    has_price, has_off = rule.get("price") not in (None, ""), rule.get("amount_off") not in (None, "")
    result = {"items": sorted(clean, key=lambda item: item["sku_id"])}
    if has_price == has_off:
        errors.add("price", _("Give either a bundle price or an amount off per set, not both."))
    elif has_price:
        price = _amount(rule, "price", errors, zero_ok=True)
        if price is not None:
            result["price"] = str(price)
    else:
        off = _amount(rule, "amount_off", errors)
        if off is not None:
            result["amount_off"] = str(off)
    return result


def _gift(rule: dict, errors: _Errors) -> dict:
    buy, gift_sku, gift_quantity = (_int(rule.get("buy_quantity")), _int(rule.get("gift_sku_id")),
                                    _int(rule.get("gift_quantity")))
    gift_unit = _int(rule.get("gift_unit_id")) if rule.get("gift_unit_id") not in (None, "") else None
    if buy is None or buy < 1:
        errors.add("buy_quantity", _("Enter a whole number of at least 1."))
    if gift_sku is None:
        errors.add("gift_sku_id", _("Choose the gift SKU."))
    if gift_quantity is None or gift_quantity < 1:
        errors.add("gift_quantity", _("Enter a whole number of at least 1."))
    repeat = _bool(rule.get("repeat", True))
    if repeat is None:
        errors.add("repeat", _("Choose yes or no."))
    return {"buy_quantity": buy, "gift_sku_id": gift_sku, "gift_unit_id": gift_unit,
            "gift_quantity": gift_quantity, "repeat": bool(repeat)}


def rule_clean(kind: str, rule) -> tuple[dict, dict[str, list[str]]]:
    """(normal form, field errors) of `rule` for `kind`; the errors are empty when it is valid."""
    errors = _Errors()
    if not isinstance(rule, dict):
        errors.add("rule", _("The rule must be an object."))
        return {}, dict(errors)
    if kind == "threshold":
        clean = _threshold(rule, errors)
    elif kind == "percent":
        clean = {"percent": str(_percent(rule.get("percent"), "percent", errors))}
    elif kind == "fixed":
        amount = _amount(rule, "amount", errors)
        per = rule.get("per", "unit")
        if per not in ("unit", "line"):
            errors.add("per", _("Choose per unit or per line."))
        clean = {"amount": str(amount), "per": per}
    elif kind == "tiered":
        clean = _tiers(rule, errors)
    elif kind == "bundle":
        clean = _bundle(rule, errors)
    elif kind == "gift":
        clean = _gift(rule, errors)
    else:
        errors.add("kind", _("Unknown kind of promotion."))
        clean = {}
    return clean, dict(errors)
