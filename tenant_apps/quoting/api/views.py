"""The quote endpoint: a cart priced for a dealer (pricing's list prices, promotions' discounts)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.permissions import CATALOG_VIEW, PRICING_VIEW, has_perm
from tenant_apps.catalog.models import SkuUnit, Unit
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.pricing.quote_types import CartLine, Quote
from tenant_apps.quoting.api.serializers import QuoteInput
from tenant_apps.quoting.quote import quote_cart


def _money(value) -> str:
    return f"{value:f}"


def quote_data(quote: Quote, *, sku_codes: dict[int, str], unit_codes: dict[int, str], lines: list) -> dict:
    """A quote as JSON: every amount a string, every line with the rule that priced it."""
    return {
        "dealer_id": quote.dealer_id, "currency": quote.currency, "at": quote.at.isoformat(),
        "lines": [{
            "index": line.priced.index, "sku_id": line.priced.sku_id, "sku_code": sku_codes.get(line.priced.sku_id, ""),
            "unit": unit_codes.get(line.priced.unit_id, ""), "quantity": line.priced.quantity,
            "factor": line.priced.factor, "unit_price": _money(line.priced.unit_price),
            "gross": _money(line.priced.gross), "price_source": line.priced.price_source,
            "price_rule": line.priced.price_rule, "price_list_id": line.priced.price_list_id,
            "discounts": [{"promotion_id": pid, "amount": _money(amount)} for pid, amount in line.discounts],
            "net": _money(line.net),
        } for line in quote.lines],
        "promotions": [{
            "promotion_id": p.promotion_id, "name": p.name, "kind": p.kind, "discount": _money(p.discount),
            "coupon_code": p.coupon_code, "explanation": p.explanation,
            "allocations": {str(index): _money(amount) for index, amount in sorted(p.allocations.items())},
        } for p in quote.promotions],
        "gifts": [{"promotion_id": g.promotion_id, "sku_id": g.sku_id, "sku_code": sku_codes.get(g.sku_id, ""),
                   "unit": unit_codes.get(g.unit_id, ""), "quantity": g.quantity} for g in quote.gifts],
        "unpriced": [{"index": index, "sku_id": lines[index].sku_id, "sku_code": sku_codes.get(lines[index].sku_id, ""),
                      "unit": unit_codes.get(lines[index].unit_id, ""), "quantity": lines[index].quantity}
                     for index in quote.unpriced],
        "subtotal": _money(quote.subtotal), "discount_total": _money(quote.discount_total),
        "total": _money(quote.total), "notes": list(quote.notes),
    }


def cart_lines_resolve(rows: list[dict], *, dealer) -> tuple[list[CartLine], dict[int, str], dict[int, str]]:
    """Input lines -> CartLines, in 3 queries (SKUs, units, packaging units). Only the SKUs `dealer` may see
    count (the catalog's rule, catalog.selectors.sku_search: on sale, not limited to other tiers or
    territories): another is "not available", like one that does not exist. Raises a ValidationError naming
    each bad line's field (`lines.3.unit`)."""
    ids = {row["sku_id"] for row in rows if "sku_id" in row}
    codes = {row["sku_code"] for row in rows if "sku_code" in row}
    found = list(sku_search(dealer=dealer).filter(Q(pk__in=ids) | Q(code__in=codes)).order_by()
                 .values_list("pk", "code", "base_unit_id"))
    by_id = {pk: (pk, code, base) for pk, code, base in found}
    by_code = {code: (pk, code, base) for pk, code, base in found}
    units = dict(Unit.objects.filter(code__in={row["unit"] for row in rows}).values_list("code", "pk"))
    packaging = set(SkuUnit.objects.filter(sku_id__in=list(by_id)).values_list("sku_id", "unit_id"))
    errors: dict[str, list[str]] = {}
    lines = []
    for index, row in enumerate(rows):
        sku = by_id.get(row["sku_id"]) if "sku_id" in row else by_code.get(row["sku_code"])
        if sku is None:
            errors[f"lines.{index}.{'sku_id' if 'sku_id' in row else 'sku_code'}"] = [
                _("This product is not available to the dealer.")]
            continue
        unit_id = units.get(row["unit"])
        if unit_id is None or (unit_id != sku[2] and (sku[0], unit_id) not in packaging):
            errors[f"lines.{index}.unit"] = [_("This SKU is not sold in this unit.")]
            continue
        lines.append(CartLine(sku_id=sku[0], unit_id=unit_id, quantity=row["quantity"]))
    if errors:
        raise serializers.ValidationError(errors)
    return lines, {pk: code for pk, code, _b in found}, {pk: code for code, pk in units.items()}


class QuoteView(APIView):
    """Price a cart: each line's list price and the rule that set it, the promotions applied, gifts, totals.
    Dealer staff get their own company's quote (a dealer_id of another dealer is a 404); brand staff with
    pricing.view quote for a dealer in their scope."""

    permission_classes = [HasCapability]
    required_capabilities = {"post": (PRICING_VIEW, CATALOG_VIEW)}

    def initial(self, request, *args, **kwargs):
        self.action = "post"
        super().initial(request, *args, **kwargs)

    @extend_schema(request=QuoteInput, responses=inline_serializer("Quote", {
        "dealer_id": serializers.IntegerField(), "currency": serializers.CharField(),
        "lines": serializers.ListField(child=serializers.DictField()),
        "promotions": serializers.ListField(child=serializers.DictField()),
        "gifts": serializers.ListField(child=serializers.DictField()),
        "unpriced": serializers.ListField(child=serializers.DictField()),
        "subtotal": serializers.CharField(), "discount_total": serializers.CharField(),
        "total": serializers.CharField(), "notes": serializers.ListField(child=serializers.CharField()),
    }))
    def post(self, request):
        payload = QuoteInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = request.user
        if user.is_dealer_staff:
            if user.dealer_id is None or data.get("dealer_id") not in (None, user.dealer_id):
                raise DealerNotFound(_("No such dealer."))
            dealer = dealer_get_for(actor=user, dealer_id=user.dealer_id)
        elif not has_perm(user, PRICING_VIEW):
            return Response({"code": "permission_denied", "detail": _("You may not quote prices.")},
                            status=status.HTTP_403_FORBIDDEN)
        elif "dealer_id" not in data:
            raise serializers.ValidationError({"dealer_id": [_("Choose the dealer to quote for.")]})
        else:
            dealer = dealer_get_for(actor=user, dealer_id=data["dealer_id"])
        lines, sku_codes, unit_codes = cart_lines_resolve(data["lines"], dealer=dealer)
        quote = quote_cart(dealer=dealer, lines=lines, coupon_codes=data["coupon_codes"])
        return Response(quote_data(quote, sku_codes=sku_codes, unit_codes=unit_codes, lines=lines))
