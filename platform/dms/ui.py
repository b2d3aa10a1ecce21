"""Server-side helpers of the design system: sorted, paged listings for tables."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator


@dataclass
class Listing:
    page: Page
    sort_key: str
    descending: bool


def listing(request, queryset, *, sorts: dict[str, str], default: str, per_page: int = 25) -> Listing:
    """Sort by `?sort=key` / `?sort=-key` (only keys in `sorts`, mapped to ORM fields) and page by `?page=`.

    Unknown sort keys fall back to the default; out-of-range pages to the last page.
    """
    raw = request.GET.get("sort", default)
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in sorts:
        descending = default.startswith("-")
        key = default.lstrip("-")
    field = sorts[key]
    ordered = queryset.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")
    page = Paginator(ordered, per_page).get_page(request.GET.get("page"))
    return Listing(page=page, sort_key=key, descending=descending)
