"""A report spec as JSON (an export job keeps the spec it was asked for) and back. `spec_from_json` treats its input
as the client's: any unknown key, wrong type or bad date is an ExportInvalid with field errors; what the engine
refuses (cube.spec_errors) too."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from django.utils.translation import gettext as _

from tenant_apps.reporting.cube import Filters, ReportSpec, spec_errors
from tenant_apps.reporting.exports.errors import ExportInvalid

_ID_LISTS = {f.name for f in fields(Filters) if f.default == ()}
_IDS = {f.name for f in fields(Filters)} - _ID_LISTS
_MAX_IDS = 1000


def spec_to_json(spec: ReportSpec) -> dict:
    """{"date_from": "2025-01-01", ..., "filters": {"region": 3, "tiers": [1, 2]}}: only the filters that are set."""
    filters = {}
    for name in _IDS | _ID_LISTS:
        value = getattr(spec.filters, name)
        if value:
            filters[name] = list(value) if name in _ID_LISTS else value
    return {"date_from": spec.date_from.isoformat(), "date_to": spec.date_to.isoformat(),
            "dimensions": list(spec.dimensions), "measures": list(spec.measures), "currency": spec.currency,
            "filters": dict(sorted(filters.items())), "limit": spec.limit}


def _id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


def spec_from_json(data) -> ReportSpec:
    """The spec `spec_to_json` wrote (or a client sent), checked; ExportInvalid otherwise."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        raise ExportInvalid(_("This report cannot be exported."), fields={"spec": [_("Not a report.")]})
    unknown = set(data) - {"date_from", "date_to", "dimensions", "measures", "currency", "filters", "limit"}
    if unknown:
        errors["spec"] = [_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))}]
    days = {}
    for name in ("date_from", "date_to"):
        try:
            days[name] = date.fromisoformat(data.get(name)) if isinstance(data.get(name), str) else None
        except ValueError:
            days[name] = None
        if days[name] is None:
            errors[name] = [_("Enter a valid date.")]
    names = {}
    for name in ("dimensions", "measures"):
        value = data.get(name, [] if name == "dimensions" else ["net"])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value) or len(value) > 20:
            errors[name] = [_("Choose from the list.")]
            value = []
        names[name] = tuple(value)
    currency = data.get("currency", "CNY")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha() and currency.isupper()):
        errors["currency"] = [_("Enter a currency code, e.g. CNY.")]
    limit = data.get("limit", 1000)
    if _id(limit) is None:
        errors["limit"] = [_("Enter a whole number.")]
    raw = data.get("filters", {})
    filters: dict = {}
    if not isinstance(raw, dict) or set(raw) - _IDS - _ID_LISTS:
        errors["filters"] = [_("Unknown filters.")]
    else:
        for name, value in raw.items():
            if name in _IDS:
                if value is not None and _id(value) is None:
                    errors[f"filters.{name}"] = [_("Not a valid choice.")]
                filters[name] = value
            elif (not isinstance(value, list) or len(value) > _MAX_IDS
                  or any(_id(item) is None for item in value)):
                errors[f"filters.{name}"] = [_("Not a valid choice.")]
            else:
                filters[name] = tuple(value)
    if errors:
        raise ExportInvalid(_("This report cannot be exported."), fields=errors)
    spec = ReportSpec(date_from=days["date_from"], date_to=days["date_to"], dimensions=names["dimensions"],
                      measures=names["measures"], currency=currency, filters=Filters(**filters), limit=limit)
    errors = spec_errors(spec)
    if errors:
        raise ExportInvalid(_("This report cannot be exported."), fields=errors)
    return spec
