"""A suggestion's reason (engine.Reason: a code and its figures) as ONE sentence in the active language, e.g.
"You order about 40 cans every 14 days; the last was 12 days ago; the Spring promotion ends Friday."

Each clause is one translatable string; they are joined by a semicolon into one sentence. Nothing here queries."""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _


def _when(ends: date, today: date) -> str:
    """A weekday within the coming week ("Friday"), else the date."""
    if 0 <= (ends - today).days < 7:
        return formats.date_format(ends, "l")
    return formats.date_format(ends, "SHORT_DATE_FORMAT")


def _percent(factor: float) -> int:
    return round(abs(factor - 1) * 100)


def _clauses(code: str, f: dict, today: date) -> list[str]:
    said: list[str] = []
    if code == "rhythm":
        said.append(_("you order about %(qty)s %(unit)s every %(days)s days") % {
            "qty": f["typical_quantity"], "unit": f["unit"], "days": f["interval_days"]})
        said.append(ngettext("the last was %(days)s day ago", "the last was %(days)s days ago", f["days_since"])
                    % {"days": f["days_since"]})
    elif code == "sell_out":
        said.append(_("you sold %(qty)s %(unit)s in the last %(days)s days (%(rate)s a day)") % {
            "qty": f["sold"], "unit": f["unit"], "days": f["days"], "rate": f["daily_rate"]})
        if "on_hand" in f:
            said.append(_("you have %(qty)s %(unit)s in stock") % {"qty": f["on_hand"], "unit": f["unit"]})
        said.append(_("this covers %(days)s days of sales") % {"days": f["cover_days"]})
    elif code == "supplier":
        if f.get("open_demand"):
            said.append(_("your sub-dealers still wait for %(qty)s %(unit)s (%(reserved)s reserved from your stock)")
                        % {"qty": f["open_demand"], "unit": f["unit"], "reserved": f.get("reserved", 0)})
        if f.get("expected"):
            said.append(_("they usually order about %(qty)s %(unit)s in the next %(days)s days") % {
                "qty": f["expected"], "unit": f["unit"], "days": f["window_days"]})
        said.append(_("you have %(available)s %(unit)s available and %(on_order)s on order") % {
            "available": f["available"], "on_order": f["on_order"], "unit": f["unit"]})
    said.append(_("delivery takes about %(days)s days") % {"days": f["lead_days"]})
    if "season" in f:
        said.append((_("demand in your region is usually %(pct)s%% higher in these weeks") if f["season"] > 1
                     else _("demand in your region is usually %(pct)s%% lower in these weeks"))
                    % {"pct": _percent(f["season"])})
    if "promotion" in f:
        said.append(_("the %(name)s promotion ends %(when)s") % {
            "name": f["promotion"], "when": _when(date.fromisoformat(f["promotion_ends"]), today)})
        if "promo_lift" in f:
            said.append(_("you order about %(lift)s× as much under a promotion") % {"lift": f["promo_lift"]})
    if f.get("safety"):
        said.append(_("plus your safety stock of %(qty)s %(unit)s") % {"qty": f["safety"], "unit": f["unit"]})
    return said


def render(reason, *, today: date) -> str:
    """The reason as one sentence: its clauses joined by a semicolon, capitalised, with a full stop."""
    clauses = _clauses(reason.code, reason.figures, today)
    if (get_language() or "").lower().startswith("zh"):
        return "；".join(clauses) + "。"
    sentence = "; ".join(clauses) + "."
    return sentence[:1].upper() + sentence[1:]
