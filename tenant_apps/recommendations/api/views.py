"""Recommendations API (tenant hosts, /api/v1/): a dealer's blocks with their reasons (dealer staff: their own;
brand staff: ?dealer=<id> in their scope, else 404), and the brand's switches (GET, PATCH). Thin: capabilities
per action (HasCapability), services for writes, one error shape."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from tenant_apps.accounts.permissions import CATALOG_VIEW, CONSOLE, DEALERS_VIEW, SETTINGS_EDIT, has_perm
from tenant_apps.core.numbers import is_id
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.recommendations import services
from tenant_apps.recommendations.errors import RecommendationsInvalid
from tenant_apps.recommendations.models import Block
from tenant_apps.recommendations.selectors import PLACES, recommendation_settings, recommendations_for


class RecommendationItemOutput(serializers.Serializer):
    sku = serializers.IntegerField(source="sku.pk", allow_null=True)
    code = serializers.CharField(source="sku.code", allow_null=True)
    name = serializers.CharField(source="sku.name", allow_null=True)
    quantity = serializers.IntegerField(help_text=gettext_lazy("Base units one tap adds to the cart"))
    reason = serializers.CharField()
    figures = serializers.JSONField(help_text=gettext_lazy("The figures the reason is made of"))


class RecommendationBlockOutput(serializers.Serializer):
    block = serializers.ChoiceField(choices=Block.choices)
    title = serializers.CharField()
    items = RecommendationItemOutput(many=True)


class RecommendationSwitchesOutput(serializers.Serializer):
    together = serializers.BooleanField()
    similar = serializers.BooleanField()
    lapsed = serializers.BooleanField()
    new = serializers.BooleanField()
    promotions = serializers.BooleanField()


class RecommendationSwitchesInput(serializers.Serializer):
    together = serializers.BooleanField(required=False)
    similar = serializers.BooleanField(required=False)
    lapsed = serializers.BooleanField(required=False)
    new = serializers.BooleanField(required=False)
    promotions = serializers.BooleanField(required=False)


def _an_id(value) -> bool:
    text = str(value or "")
    return text.isascii() and text.isdigit() and is_id(int(text))


def _dealer_for(user, dealer_id):
    """Dealer staff: their own dealer (whatever ?dealer= says); brand staff: the dealer in their scope."""
    if user.is_dealer_staff:
        if user.dealer_id is None:
            raise RecommendationsInvalid(_("Your account is not linked to a dealer."))
        return user.dealer
    if not has_perm(user, DEALERS_VIEW) or not _an_id(dealer_id):
        raise RecommendationsInvalid(_("Choose a dealer."), fields={"dealer": [_("Enter a dealer id.")]})
    return dealer_get_for(actor=user, dealer_id=int(dealer_id))


class RecommendationViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    required_capabilities = {"list": CATALOG_VIEW}
    pagination_class = None
    serializer_class = RecommendationBlockOutput

    @extend_schema(summary="A dealer's recommendation blocks, each item with its reason",
                   parameters=[OpenApiParameter("dealer", int), OpenApiParameter("place", str, enum=list(PLACES)),
                               OpenApiParameter("product", int)],
                   responses=RecommendationBlockOutput(many=True))
    def list(self, request):
        params = request.query_params
        dealer = _dealer_for(request.user, params.get("dealer"))
        place = params.get("place", "home")
        if place not in PLACES:
            raise RecommendationsInvalid(_("Unknown place."), fields={"place": [_("Choose home, product or cart.")]})
        product = params.get("product")
        if place == "product" and not _an_id(product):
            raise RecommendationsInvalid(_("Choose a product."), fields={"product": [_("Enter a product id.")]})
        blocks = recommendations_for(dealer=dealer, place=place,
                                     product_id=int(product) if place == "product" else None)
        return Response(RecommendationBlockOutput(blocks, many=True).data)


class RecommendationSettingsViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    required_capabilities = {"retrieve": CONSOLE, "partial_update": SETTINGS_EDIT}
    serializer_class = RecommendationSwitchesOutput

    def retrieve(self, request):
        return Response(RecommendationSwitchesOutput(recommendation_settings()).data)

    @extend_schema(request=RecommendationSwitchesInput, responses=RecommendationSwitchesOutput,
                   description="Omitted blocks keep their switch.")
    def partial_update(self, request):
        data = RecommendationSwitchesInput(data=request.data)
        data.is_valid(raise_exception=True)
        settings = services.recommendation_settings_update(actor=request.user, **data.validated_data)
        return Response(RecommendationSwitchesOutput(settings).data)
