"""The API's JSON renderer: for a dealer's person whose owner took away the right to see prices
(permissions.sees_prices), every price field is left out of every answer (catalog, cart, quote, orders), in one
place rather than in each serializer, so that no endpoint added later leaks one by forgetting."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from tenant_apps.accounts.permissions import sees_prices

# The keys that carry money in the API's answers (a line's price and amounts, an order's or quote's totals, the
# frozen breakdown and its promotions, what a promotion or payment amounts to).
PRICE_KEYS = frozenset({
    "unit_price", "gross", "net", "discount", "discounts", "subtotal", "discount_total", "total", "price",
    "prices", "price_rule", "breakdown", "promotions", "amount", "amount_due", "owed", "expected_total",
})


def redact(data):
    if isinstance(data, dict):
        return {key: redact(value) for key, value in data.items() if key not in PRICE_KEYS}
    if isinstance(data, list):
        return [redact(item) for item in data]
    return data


class PriceAwareJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        request = (renderer_context or {}).get("request")
        # the user as authenticated for this request, never authenticated again here: an answer to a request whose
        # authentication failed (401, 402) is rendered too, and asking for request.user would raise once more
        user = getattr(request, "_user", None) if request is not None else None
        if user is not None and data is not None and not sees_prices(user):
            data = redact(data)
        return super().render(data, accepted_media_type, renderer_context)
