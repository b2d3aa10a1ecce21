"""What the sales pages' filter bar offers (in the reader's scope, one query per list) and the words that say what
a spec is filtered to (one query per kind of filter in use)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tenant_apps.catalog.models import Category, Product, Series, Sku
from tenant_apps.dealers.models import Dealer, Node, Territory, Tier
from tenant_apps.dealers.selectors import dealers_visible_to, nodes_visible_to
from tenant_apps.reporting.cube import DEALER_DIMENSIONS, MEASURES, PRODUCT_DIMENSIONS, TIME_GRAINS, ReportSpec
from tenant_apps.reporting.specs import PERIODS


@dataclass
class Option:
    value: str
    label: str
    depth: int = 0

    @property
    def indented(self) -> str:
        return "· " * self.depth + self.label


def _english() -> bool:
    return (get_language() or "").startswith("en")


def filter_choices(actor) -> dict:
    """The options of the filter bar: periods, dimensions, measures, and the reader's regions (headquarters and
    regions of their part of the network), tiers, categories, series, dealers and sales reps."""
    english = _english()
    regions = [Option(str(pk), name, path.count(".")) for pk, name, path in nodes_visible_to(actor).filter(
        kind__in=(Node.Kind.HEADQUARTERS, Node.Kind.REGION)).order_by("path").values_list("pk", "name", "path")]
    top = min((option.depth for option in regions), default=0)
    for option in regions:
        option.depth -= top
    dealers = dealers_visible_to(actor)
    reps = get_user_model().objects.filter(pk__in=dealers.exclude(sales_rep=None).values("sales_rep_id"))
    return {
        "periods": [Option(key, str(label)) for key, label in PERIODS.items()],
        "dimension_groups": [
            (_("Time"), [Option(key, str(label)) for key, label in TIME_GRAINS.items()]),
            (_("Network"), [Option(key, str(label)) for key, label in DEALER_DIMENSIONS.items()]),
            (_("Products"), [Option(key, str(label)) for key, label in PRODUCT_DIMENSIONS.items()]),
        ],
        "measures": [Option(key, str(measure.label)) for key, measure in MEASURES.items()],
        "regions": regions,
        "tiers": [Option(str(pk), name) for pk, name in Tier.objects.order_by("rank", "name").values_list(
            "pk", "name")],
        "categories": [Option(str(pk), (en if english and en else zh), path.count(".")) for pk, zh, en, path in
                       Category.objects.order_by("path").values_list("pk", "name", "name_en", "path")],
        "series": [Option(str(pk), name) for pk, name in Series.objects.order_by("name").values_list("pk", "name")],
        "dealers": [Option(str(pk), f"{code} {short or legal}") for pk, code, short, legal in
                    dealers.order_by("code").values_list("pk", "code", "name", "legal_name")],
        "reps": [Option(str(pk), full or email) for pk, full, email in
                 reps.order_by("full_name", "email").values_list("pk", "full_name", "email")],
    }


def filter_words(spec: ReportSpec) -> list[tuple[str, str]]:
    """[(what, names)] of the filters `spec` applies, for the pages' headings."""
    filters = spec.filters
    english = _english()
    first = lambda *values: next((value for value in values if value), "-")  # noqa: E731
    localized = lambda zh, en: en if english and en else zh  # noqa: E731
    wanted = [
        (_("Region"), Node, [filters.region] if filters.region else [], ("name",), first),
        (_("Province"), Territory, [filters.province] if filters.province else [], ("name",), first),
        (_("Tier"), Tier, filters.tiers, ("name",), first),
        (_("Dealer"), Dealer, filters.dealers, ("name", "legal_name"), first),
        (_("Sales rep"), get_user_model(), filters.reps, ("full_name", "email"), first),
        (_("Category"), Category, [filters.category] if filters.category else [], ("name", "name_en"), localized),
        (_("Series"), Series, filters.series, ("name",), first),
        (_("Product"), Product, filters.products, ("name", "name_en"), localized),
        (_("SKU"), Sku, filters.skus, ("code",), first),
    ]
    out = []
    for what, model, ids, columns, label in wanted:
        if ids:
            found = {row[0]: label(*row[1:]) for row in model.objects.filter(pk__in=ids).values_list("pk", *columns)}
            out.append((what, ", ".join(found.get(i, "-") for i in ids)))
    return out
