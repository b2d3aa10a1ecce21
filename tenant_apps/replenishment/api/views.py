"""The replenishment API: a dealer's own suggestions, into its cart, its safety stock and sell-out; the brand's
staff read a dealer's suggestions and set its safety stock / send its sell-out (a dealer outside their scope: 404).

Adding to the cart takes no Idempotency-Key, as the cart's own posts do not (only order submission creates an
order); a repeat adds the quantities again, as a repeat of POST /api/v1/cart/lines/ would."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from tenant_apps.accounts.permissions import CART_EDIT, DEALERS_EDIT, DEALERS_VIEW
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.core.parsers import ObjectJSONParser
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.replenishment import selectors, services
from tenant_apps.replenishment.api.serializers import (
    ReplenishmentAddedOutput,
    ReplenishmentSafetyStockInput,
    ReplenishmentSafetyStockOutput,
    ReplenishmentSellOutInput,
    ReplenishmentSellOutOutput,
    ReplenishmentSuggestionsOutput,
    ReplenishmentToCartInput,
)


class _Base(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None
    pagination_class = None  # the lists here are a dealer's own few rows, answered whole
    parser_classes = [ObjectJSONParser, MultiPartParser]
    required_capabilities: dict = {}

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def target(self):
        """The dealer acted on: the caller's own company, or (brand staff) the dealer of the URL in its scope."""
        if "dealer_id" in self.kwargs:
            return dealer_get_for(actor=self.request.user, dealer_id=self.kwargs["dealer_id"])
        if not self.request.user.dealer_id:
            raise PermissionDenied
        return self.request.user.dealer

    def suggestions(self, request):
        return Response(ReplenishmentSuggestionsOutput(selectors.suggestions_for(dealer=self.target())).data)

    def safety_stock_list(self, request):
        return Response(ReplenishmentSafetyStockOutput(selectors.safety_stock_list(dealer=self.target()),
                                                       many=True).data)

    def safety_stock_set(self, request):
        data = self.validated(ReplenishmentSafetyStockInput)
        row = services.safety_stock_set(actor=request.user, dealer=self.target(), sku_id=data["sku"],
                                        quantity=data["quantity"])
        if row is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ReplenishmentSafetyStockOutput(row).data)

    def sell_out(self, request):
        if request.FILES.get("file") is not None:
            file = request.FILES["file"]
            rows = services.sell_out_import(actor=request.user, dealer=self.target(), file=file, filename=file.name)
        else:
            data = self.validated(ReplenishmentSellOutInput)
            rows = services.sell_out_records_add(actor=request.user, dealer=self.target(), records=data["records"])
        return Response(ReplenishmentSellOutOutput({"rows": rows}).data, status=status.HTTP_201_CREATED)


_SELL_OUT_DOC = extend_schema(
    summary="Send sell-out records (JSON {records: [...]}, or a CSV/XLSX `file`): all or nothing, 400 naming rows",
    request=ReplenishmentSellOutInput, responses={201: ReplenishmentSellOutOutput})


class OwnReplenishmentViewSet(_Base):
    """The dealer's own: /api/v1/replenishment/..."""

    required_capabilities = {"suggestions": CART_EDIT, "to_cart": CART_EDIT, "safety_stock_list": CART_EDIT,
                             "safety_stock_set": CART_EDIT, "sell_out": CART_EDIT}

    @extend_schema(summary="The dealer's replenishment suggestions, each with its reason",
                   responses=ReplenishmentSuggestionsOutput)
    def suggestions(self, request):
        return super().suggestions(request)

    @extend_schema(summary="Suggested lines into the cart (all due lines, or the given SKUs and quantities)",
                   request=ReplenishmentToCartInput, responses=ReplenishmentAddedOutput)
    def to_cart(self, request):
        data = self.validated(ReplenishmentToCartInput)
        quantities = None
        if "lines" in data:
            quantities = {}
            for line in data["lines"]:
                if line["sku"] in quantities:
                    raise ValidationFailed(_("Each product once."), fields={"lines": [_("A product appears twice.")]})
                quantities[line["sku"]] = line["quantity"]
        added = services.suggestions_to_cart(actor=request.user, dealer=self.target(), quantities=quantities)
        return Response(ReplenishmentAddedOutput(added).data)

    @extend_schema(summary="The dealer's safety stocks", responses=ReplenishmentSafetyStockOutput(many=True))
    def safety_stock_list(self, request):
        return super().safety_stock_list(request)

    @extend_schema(summary="Set a safety stock (0 removes it)", request=ReplenishmentSafetyStockInput,
                   responses={200: ReplenishmentSafetyStockOutput, 204: None})
    def safety_stock_set(self, request):
        return super().safety_stock_set(request)

    @_SELL_OUT_DOC
    def sell_out(self, request):
        return super().sell_out(request)


class DealerReplenishmentViewSet(_Base):
    """Brand staff, for a dealer in their scope: /api/v1/dealers/{id}/replenishment/..."""

    required_capabilities = {"suggestions": DEALERS_VIEW, "safety_stock_list": DEALERS_VIEW,
                             "safety_stock_set": DEALERS_EDIT, "sell_out": DEALERS_EDIT}

    @extend_schema(summary="A dealer's replenishment suggestions (read-only)", responses=ReplenishmentSuggestionsOutput)
    def suggestions(self, request, dealer_id):
        return super().suggestions(request)

    @extend_schema(summary="A dealer's safety stocks", responses=ReplenishmentSafetyStockOutput(many=True))
    def safety_stock_list(self, request, dealer_id):
        return super().safety_stock_list(request)

    @extend_schema(summary="Set a dealer's safety stock (0 removes it)", request=ReplenishmentSafetyStockInput,
                   responses={200: ReplenishmentSafetyStockOutput, 204: None})
    def safety_stock_set(self, request, dealer_id):
        return super().safety_stock_set(request)

    @_SELL_OUT_DOC
    def sell_out(self, request, dealer_id):
        return super().sell_out(request)
