"""Where a dashboard's figures drill down to: the sales analysis page (reporting:sales) with the figure's period,
dimensions, measure and filters as query parameters."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

# The sales analysis page's path, used while its URL name is not mounted (it is its own change).
SALES_PATH = "/console/reports/sales/"


def sales_url(*, date_from: date, date_to: date, dims: tuple[str, ...] = (), measure: str = "net",
              **filters) -> str:
    """The sales analysis of a figure: `filters` are the page's own parameters (region, province, dealer, tier,
    category, sku: ids); empty ones are left out."""
    try:
        base = reverse("reporting:sales")
    except NoReverseMatch:
        base = SALES_PATH
    params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "dims": ",".join(dims),
              "measure": measure}
    params.update({name: value for name, value in filters.items() if value not in (None, "")})
    return f"{base}?{urlencode({name: value for name, value in params.items() if value != ''})}"


def page_url(name: str, **query) -> str:
    """A page by URL name with a query string ("" when the name is not mounted)."""
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode(query)}" if query else base
