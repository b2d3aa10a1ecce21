"""The API's router: an object's id in a URL is digits, or the URL is not a route.

Every viewset looks objects up by their integer primary key (through a `*_get_for` selector or DRF's
get_object). DRF's default lookup pattern `[^/.]+` let anything reach those look-ups: `/api/v1/shipments/¹/`
(a superscript digit, which `str.isdigit()` accepts and int() does not) was a 500 from the query. Here the
pattern is ASCII digits for every viewset that does not set its own `lookup_value_regex`, so such a path is a
404 before any view runs.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

ID = "[0-9]+"


class ApiRouter(SimpleRouter):
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        # DRF's own, with digits in place of `[^/.]+` as the default
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        lookup_value = getattr(viewset, "lookup_value_regex", ID)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"
