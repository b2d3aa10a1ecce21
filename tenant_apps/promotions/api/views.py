"""Promotions API (tenant hosts, /api/v1/): CRUD of promotions and their coupons, publish/unpublish, and
what applies to a dealer now. Thin: capabilities per action (HasCapability), services for writes, one
error shape from tenant_apps.core.api.exception_handler."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import CATALOG_VIEW, PROMOTIONS_EDIT, PROMOTIONS_VIEW, has_perm
from tenant_apps.core.dates import MomentField
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.pricing.selectors import dealer_context
from tenant_apps.promotions import selectors, services
from tenant_apps.promotions.errors import PromotionInvalid
from tenant_apps.promotions.models import Coupon, PromotionKind, PromotionStatus, Stacking
from tenant_apps.promotions.presentation import rule_summary


class PromotionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=PromotionKind.choices)
    rule = serializers.JSONField()
    status = serializers.ChoiceField(choices=PromotionStatus.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    budget_used = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="discount_given",
        help_text=gettext_lazy("Discount given so far (the sum of its orders' usage)"))
    priority = serializers.IntegerField()
    stacking = serializers.ChoiceField(choices=Stacking.choices)
    coupon_required = serializers.BooleanField()
    currency = serializers.CharField()
    skus = serializers.ListField(child=serializers.IntegerField(), source="sku_id_list")
    categories = serializers.SerializerMethodField()
    tiers = serializers.ListField(child=serializers.IntegerField(), source="tier_id_list")
    territories = serializers.SerializerMethodField()
    dealers = serializers.ListField(child=serializers.IntegerField(), source="dealer_id_list")

    def get_categories(self, promotion) -> list[str]:
        return list(promotion.category_path_list)

    def get_territories(self, promotion) -> list[str]:
        return list(promotion.territory_path_list)


class PromotionInput(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=PromotionKind.choices)
    rule = serializers.JSONField(
        help_text=gettext_lazy("Parameters of the kind: steps, percent, amount, tiers, bundle or gift"))
    starts_at = MomentField()
    ends_at = MomentField(required=False, allow_null=True, default=None)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    priority = serializers.IntegerField(required=False, default=0, min_value=-1000, max_value=1000)
    stacking = serializers.ChoiceField(choices=Stacking.choices, required=False, default=Stacking.STACKABLE)
    coupon_required = serializers.BooleanField(required=False, default=False)
    currency = serializers.CharField(max_length=3, required=False,
                                     help_text=gettext_lazy("ISO 4217 code of its amounts; default: the brand's "
                                                            "currency."))
    skus = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                 max_length=5000)
    categories = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                       max_length=1000)
    tiers = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                  max_length=100)
    territories = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                        max_length=1000)
    dealers = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                    max_length=5000)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CouponOutput(serializers.ModelSerializer):
    class Meta:
        model = Coupon
        fields = ["id", "code", "per_dealer_limit", "total_limit", "used", "is_active", "created_at"]


class CouponInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    per_dealer_limit = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    total_limit = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class CouponGenerateInput(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=5000)
    prefix = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)
    per_dealer_limit = serializers.IntegerField(required=False, allow_null=True, default=1, min_value=1)
    total_limit = serializers.IntegerField(required=False, allow_null=True, default=1, min_value=1)


class CurrentPromotionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    rule = serializers.JSONField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    coupon_required = serializers.BooleanField()
    summary = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="Promotions (filters: status, kind, q)", parameters=[
        OpenApiParameter("status", str), OpenApiParameter("kind", str), OpenApiParameter("q", str)]),
    retrieve=extend_schema(summary="A promotion"),
    create=extend_schema(summary="Create a draft promotion", request=PromotionInput,
                         responses={201: PromotionOutput}),
    partial_update=extend_schema(summary="Change a draft or unpublished promotion", request=PromotionInput,
                                 responses={200: PromotionOutput, 409: OpenApiResponse(description="Published")}),
)
class PromotionViewSet(viewsets.GenericViewSet):
    serializer_class = PromotionOutput
    permission_classes = [HasCapability]
    metadata_class = None
    lookup_value_regex = "[0-9]+"
    required_capabilities = {
        "list": PROMOTIONS_VIEW, "retrieve": PROMOTIONS_VIEW, "create": PROMOTIONS_EDIT,
        "partial_update": PROMOTIONS_EDIT, "publish": PROMOTIONS_EDIT, "unpublish": PROMOTIONS_EDIT,
        "coupons": PROMOTIONS_VIEW, "coupon_create": PROMOTIONS_EDIT, "coupons_generate": PROMOTIONS_EDIT,
        "current": (CATALOG_VIEW, PROMOTIONS_VIEW),
    }

    def _validated(self, serializer_class, *, partial=False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _output(self, promotion, code=status.HTTP_200_OK) -> Response:
        return Response(PromotionOutput(selectors.promotion_get(promotion_id=promotion.pk)).data, status=code)

    def list(self, request):
        params = request.query_params
        promotions = selectors.promotions_for_console(q=params.get("q", "")[:100], status=params.get("status", ""),
                                                      kind=params.get("kind", "")).order_by("-priority", "code")
        page = self.paginate_queryset(promotions)
        return self.get_paginated_response(PromotionOutput(page, many=True).data)

    def retrieve(self, request, pk):
        return Response(PromotionOutput(selectors.promotion_get(promotion_id=pk)).data)

    def create(self, request):
        promotion = services.promotion_create(actor=request.user, **self._validated(PromotionInput))
        return self._output(promotion, status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        promotion = selectors.promotion_get(promotion_id=pk)
        changes = self._validated(PromotionInput, partial=True)
        promotion = services.promotion_update(actor=request.user, promotion=promotion, **changes)
        return self._output(promotion)

    @extend_schema(summary="Publish (from draft or unpublished)", request=ReasonInput,
                   responses={200: PromotionOutput, 409: OpenApiResponse(description="Illegal transition")})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk):
        promotion = selectors.promotion_get(promotion_id=pk)
        services.promotion_publish(actor=request.user, promotion=promotion, **self._validated(ReasonInput))
        return self._output(promotion)

    @extend_schema(summary="Unpublish (a reason is required)", request=ReasonInput,
                   responses={200: PromotionOutput, 409: OpenApiResponse(description="Illegal transition")})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk):
        promotion = selectors.promotion_get(promotion_id=pk)
        services.promotion_unpublish(actor=request.user, promotion=promotion, **self._validated(ReasonInput))
        return self._output(promotion)

    @extend_schema(summary="A promotion's coupons", responses=CouponOutput(many=True))
    @action(detail=True, methods=["get"])
    def coupons(self, request, pk):
        promotion = selectors.promotion_get(promotion_id=pk)
        page = self.paginate_queryset(Coupon.objects.filter(promotion=promotion).order_by("code"))
        return self.get_paginated_response(CouponOutput(page, many=True).data)

    @extend_schema(summary="Add a coupon code", request=CouponInput, responses={201: CouponOutput})
    @coupons.mapping.post
    def coupon_create(self, request, pk):
        promotion = selectors.promotion_get(promotion_id=pk)
        coupon = services.coupon_create(actor=request.user, promotion=promotion, **self._validated(CouponInput))
        return Response(CouponOutput(coupon).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Generate random coupon codes", request=CouponGenerateInput,
                   responses={201: CouponOutput(many=True)})
    @action(detail=True, methods=["post"], url_path="coupons/generate")
    def coupons_generate(self, request, pk):
        promotion = selectors.promotion_get(promotion_id=pk)
        coupons = services.coupons_generate(actor=request.user, promotion=promotion,
                                            **self._validated(CouponGenerateInput))
        return Response(CouponOutput(coupons, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="What applies to a dealer now (dealer staff: their own; brand staff: ?dealer=<id>)",
                   parameters=[OpenApiParameter("dealer", int)], responses=CurrentPromotionOutput(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)  # one bounded page, a plain list
    def current(self, request):
        dealer = current_dealer(request.user, request.query_params.get("dealer"))
        return Response(CurrentPromotionOutput(current_rows(dealer), many=True).data)


def current_dealer(user, dealer_id):
    """The dealer whose promotions `user` asks for: dealer staff their own, brand staff any in scope."""
    if user.is_dealer_staff:
        if user.dealer_id is None:
            raise PromotionInvalid(_("Your account is not linked to a dealer."))
        return user.dealer
    if not has_perm(user, PROMOTIONS_VIEW):
        raise PromotionInvalid(_("Choose a dealer."), fields={"dealer": [_("This field is required.")]})
    if not str(dealer_id or "").isdigit():
        raise PromotionInvalid(_("Choose a dealer."), fields={"dealer": [_("Enter a dealer id.")]})
    return dealer_get_for(actor=user, dealer_id=int(dealer_id))


def current_rows(dealer) -> list[dict]:
    rows = []
    for promotion in selectors.promotions_current_page(dealer_context(dealer)):
        rows.append({"id": promotion.pk, "code": promotion.code, "name": promotion.name,
                     "description": promotion.description, "kind": promotion.kind, "rule": promotion.rule,
                     "starts_at": promotion.starts_at, "ends_at": promotion.ends_at,
                     "coupon_required": promotion.coupon_required,
                     "summary": rule_summary(promotion.kind, promotion.rule, promotion.currency)})
    return rows
