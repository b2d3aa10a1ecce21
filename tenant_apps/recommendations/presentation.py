"""The words of recommendations: each block's title and each item's one-sentence reason, made from its figures
in the reader's language (figures are kept as numbers, so the API gives both)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenant_apps.recommendations.models import Block


def title(block: str) -> str:
    titles = {Block.TOGETHER: _("Often bought together"), Block.SIMILAR: _("Popular with dealers like you"),
              Block.LAPSED: _("You used to order"), Block.NEW: _("New products"),
              Block.PROMOTIONS: _("Promotions for your cart")}
    return str(titles.get(block, block))


def _similar(figures: dict) -> str:
    values = {"dealers": figures["dealers"], "of": figures["of"], "weeks": figures["weeks"],
              "region": figures.get("region", ""), "tier": figures.get("tier", "")}
    if figures["scope"] == "group":
        return _("Ordered by %(dealers)s of the %(of)s ordering dealers of tier %(tier)s in %(region)s in the "
                 "last %(weeks)s weeks.") % values
    if figures["scope"] == "region":
        return _("Ordered by %(dealers)s of the %(of)s ordering dealers in %(region)s in the last %(weeks)s "
                 "weeks.") % values
    if figures["scope"] == "tier":
        return _("Ordered by %(dealers)s of the %(of)s ordering dealers of tier %(tier)s in the last %(weeks)s "
                 "weeks.") % values
    return _("Ordered by %(dealers)s of the brand's %(of)s ordering dealers in the last %(weeks)s weeks.") % values


def reason(block: str, figures: dict) -> str:
    """One sentence saying why, from the item's figures."""
    if block == Block.TOGETHER:
        return _("Bought with %(anchor)s in %(percent)s%% of the orders that have it (%(together)s of "
                 "%(orders)s).") % {"anchor": figures["anchor"], "percent": figures["percent"],
                                    "together": figures["together"], "orders": figures["with_sku"]}
    if block == Block.SIMILAR:
        return _similar(figures)
    if block == Block.LAPSED:
        return ngettext("You ordered it about every %(interval)s day (%(orders)s orders); the last was %(since)s "
                        "days ago, on %(last)s.",
                        "You ordered it about every %(interval)s days (%(orders)s orders); the last was %(since)s "
                        "days ago, on %(last)s.", figures["interval"]) % {
            "interval": figures["interval"], "orders": figures["orders"], "since": figures["days_since"],
            "last": figures["last"]}
    if block == Block.NEW:
        return _("New: on sale since %(since)s.") % {"since": figures["since"]}
    if block == Block.PROMOTIONS and figures.get("kind") == "offer":
        return _("On promotion for you: %(rule)s (%(name)s), %(discount)s off %(quantity)s %(unit)s.") % {
            "rule": figures["rule"], "name": figures["promotion"], "quantity": figures["quantity"],
            "unit": figures["unit"], "discount": figures["discount_text"]}
    if block == Block.PROMOTIONS:
        values = {"name": figures["promotion"], "gap": figures["gap_text"], "threshold": figures["threshold_text"],
                  "off": figures["off_text"]}
        if figures.get("reached_text"):
            return _("Your cart already gets %(reached)s off from %(name)s; add %(gap)s to reach %(threshold)s "
                     "and get %(off)s off.") % {**values, "reached": figures["reached_text"]}
        return _("Add %(gap)s to reach %(threshold)s and get %(off)s off (%(name)s).") % values
    return ""
