"""Pricing API (tenant hosts, /api/v1/): price lists, entries, protection windows and the compensation owed,
minimum resale prices, and the quote. Thin: capabilities per action (HasCapability), dealers looked up
through the actor's scope (outside it: 404), one service per write, errors in the one shape."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import (
    FINANCE_EDIT,
    PRICING_EDIT,
    PRICING_VIEW,
)
from tenant_apps.catalog.models import Sku, Unit
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.models import Territory, Tier
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.pricing import selectors, services
from tenant_apps.pricing.errors import PricingInvalid, PricingNotFound
from tenant_apps.pricing.forms import FloorViolationFilterForm
from tenant_apps.pricing.models import FloorViolation, PriceEntry, PriceList, PriceListStatus, ProtectionWindow
from tenant_apps.pricing.selectors import in_scope

ID = "[0-9]+"


class ScopedDealerField(serializers.PrimaryKeyRelatedField):
    """A dealer id, looked up in the requesting user's data scope (outside it: "does not exist")."""

    def get_queryset(self):
        return dealers_visible_to(self.context["request"].user)


class ScopedPriceListField(serializers.PrimaryKeyRelatedField):
    """A price list id, looked up among the lists the requesting user may see (a dealer's contract list outside the
    user's data scope: "does not exist"), whoever holds the capability to edit prices."""

    def get_queryset(self):
        return in_scope(PriceList.objects.all(), self.context["request"].user)


class Base(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None
    lookup_value_regex = ID
    required_capabilities: dict = {}

    def validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- price lists ----------------------------------------------------------------------------------


class PriceListSerializer(serializers.ModelSerializer):
    tier = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all(), allow_null=True, required=False)
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all(), allow_null=True, required=False)
    dealer = ScopedDealerField(allow_null=True, required=False)
    currency = serializers.CharField(max_length=3, required=False,
                                     help_text=gettext_lazy("ISO 4217 code; default: the brand's currency."))
    entry_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = PriceList
        fields = ["id", "code", "name", "kind", "tier", "territory", "dealer", "contract_number", "currency",
                  "valid_from", "valid_to", "status", "entry_count"]
        read_only_fields = ["status"]


class PriceListUpdateSerializer(PriceListSerializer):
    currency = serializers.CharField(read_only=True)

    class Meta(PriceListSerializer.Meta):
        read_only_fields = ["code", "kind", "currency", "status"]


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PriceListStatus.choices)


class PriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Base):
    """Price lists; filter with `kind` and `q` (code, name, contract number)."""

    serializer_class = PriceListSerializer
    required_capabilities = {"list": PRICING_VIEW, "retrieve": PRICING_VIEW, "create": PRICING_EDIT,
                             "partial_update": PRICING_EDIT, "set_status": PRICING_EDIT}

    def get_queryset(self):
        params = self.request.query_params
        return in_scope(selectors.price_list_list(kind=params.get("kind", "")[:16], q=params.get("q", "")[:100]),
                        self.request.user)

    @extend_schema(parameters=[OpenApiParameter("kind", str), OpenApiParameter("q", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request):
        data = self.validated(PriceListSerializer)
        price_list = services.price_list_create(actor=request.user, **data)
        return Response(PriceListSerializer(price_list, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=PriceListUpdateSerializer, responses=PriceListSerializer)
    def partial_update(self, request, pk=None):
        price_list = self.get_object()
        data = self.validated(PriceListUpdateSerializer, partial=True)
        price_list = services.price_list_update(actor=request.user, price_list=price_list, **data)
        return Response(PriceListSerializer(price_list, context=self.get_serializer_context()).data)

    @extend_schema(request=StatusSerializer, responses=PriceListSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        price_list = self.get_object()
        data = self.validated(StatusSerializer)
        price_list = services.price_list_status_set(actor=request.user, price_list=price_list, status=data["status"])
        return Response(PriceListSerializer(price_list, context=self.get_serializer_context()).data)


# --- entries --------------------------------------------------------------------------------------


class PriceEntrySerializer(serializers.ModelSerializer):
    price_list = ScopedPriceListField()
    sku = serializers.PrimaryKeyRelatedField(queryset=Sku.objects.all())
    sku_code = serializers.CharField(source="sku.code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)

    class Meta:
        model = PriceEntry
        fields = ["id", "price_list", "sku", "sku_code", "unit", "min_quantity", "price", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []  # an existing (list, SKU, unit, quantity) is an update of its price, not a clash


class PriceChangeSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)


class PriceEntryViewSet(mixins.ListModelMixin, Base):
    """Entries; filter with `price_list` (id), `sku` (id) or `q` (SKU code or name). Creating an entry that
    exists (same list, SKU, unit and quantity) changes its price."""

    serializer_class = PriceEntrySerializer
    required_capabilities = {"list": PRICING_VIEW, "create": PRICING_EDIT, "partial_update": PRICING_EDIT,
                             "destroy": PRICING_EDIT}

    def get_queryset(self):
        params = self.request.query_params
        price_list = params.get("price_list", "")
        sku = params.get("sku", "")
        entries = in_scope(selectors.price_entry_list(q=params.get("q", "")[:100]), self.request.user,
                           "price_list__dealer")
        if price_list.isdigit():
            entries = entries.filter(price_list_id=int(price_list))
        if sku.isdigit():
            entries = entries.filter(sku_id=int(sku))
        return entries.order_by("price_list__code", "sku__code", "unit__code", "min_quantity")

    @extend_schema(parameters=[OpenApiParameter("price_list", int), OpenApiParameter("sku", int),
                               OpenApiParameter("q", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request):
        data = self.validated(PriceEntrySerializer)
        entry = services.price_entry_set(actor=request.user, price_list=data["price_list"], sku=data["sku"],
                                         unit=data["unit"], price=data["price"],
                                         min_quantity=data.get("min_quantity", 1))
        return Response(PriceEntrySerializer(entry, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=PriceChangeSerializer, responses=PriceEntrySerializer)
    def partial_update(self, request, pk=None):
        entry = self.get_object()
        data = self.validated(PriceChangeSerializer)
        entry = services.price_entry_set(actor=request.user, price_list=entry.price_list, sku=entry.sku,
                                         unit=entry.unit, price=data["price"], min_quantity=entry.min_quantity)
        return Response(PriceEntrySerializer(entry).data)

    def destroy(self, request, pk=None):
        services.price_entry_delete(actor=request.user, entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- protection -----------------------------------------------------------------------------------


class ProtectedPriceSerializer(serializers.Serializer):
    sku = serializers.PrimaryKeyRelatedField(queryset=Sku.objects.all())
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)


class ProtectionWindowSerializer(serializers.ModelSerializer):
    dealer = ScopedDealerField(allow_null=True, required=False)
    skus = serializers.PrimaryKeyRelatedField(queryset=Sku.objects.all(), many=True, required=False)
    prices = ProtectedPriceSerializer(many=True, required=False)
    currency = serializers.CharField(max_length=3, required=False,
                                     help_text=gettext_lazy("ISO 4217 code; default: the brand's currency."))
    compensation_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ProtectionWindow
        fields = ["id", "name", "dealer", "skus", "starts_on", "ends_on", "currency", "prices", "compensation_count"]


class ProtectionWindowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Base):
    serializer_class = ProtectionWindowSerializer
    required_capabilities = {"list": PRICING_VIEW, "retrieve": PRICING_VIEW, "create": PRICING_EDIT}

    def get_queryset(self):
        return in_scope(selectors.protection_window_list(), self.request.user)

    def create(self, request):
        data = self.validated(ProtectionWindowSerializer)
        window = services.protection_window_create(
            actor=request.user, name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"],
            dealer=data.get("dealer"), skus=data.get("skus", []), currency=data.get("currency"),
            prices=[(row["sku"], row["unit"], row["price"]) for row in data.get("prices", [])])
        window = selectors.protection_window_list().get(pk=window.pk)
        return Response(ProtectionWindowSerializer(window, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class CompensationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    window = serializers.IntegerField(source="window_id")
    dealer = serializers.IntegerField(source="dealer_id")
    dealer_code = serializers.CharField(source="dealer.code")
    sku = serializers.IntegerField(source="sku_id")
    sku_code = serializers.CharField(source="sku.code")
    unit = serializers.CharField(source="unit.code")
    purchase_reference = serializers.CharField(source="purchase.reference")
    quantity = serializers.IntegerField()
    price_before = serializers.DecimalField(max_digits=14, decimal_places=4)
    price_after = serializers.DecimalField(max_digits=14, decimal_places=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CompensationViewSet(mixins.ListModelMixin, Base):
    """Compensation owed under price protection; filter with `window` (id) and `status` (owed, booked)."""

    serializer_class = CompensationSerializer
    required_capabilities = {"list": PRICING_VIEW, "book": FINANCE_EDIT}

    def get_queryset(self):
        params = self.request.query_params
        rows = in_scope(selectors.compensation_list(status=params.get("status", "")[:16]), self.request.user)
        if params.get("window", "").isdigit():
            rows = rows.filter(window_id=int(params["window"]))
        return rows

    @extend_schema(parameters=[OpenApiParameter("window", int), OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=CompensationSerializer,
                   summary="Book it: credited to the dealer's balance by finance, once (booked stays booked)")
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        row = in_scope(selectors.compensation_list(), request.user).filter(pk=pk).first()
        if row is None:
            raise PricingNotFound(_("No such compensation."))
        row = services.compensation_book(actor=request.user, compensation=row)
        return Response(CompensationSerializer(selectors.compensation_list().get(pk=row.pk)).data)


# --- resale floors --------------------------------------------------------------------------------


class ResalePriceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    sku = serializers.PrimaryKeyRelatedField(queryset=Sku.objects.all())
    sku_code = serializers.CharField(source="sku.code", read_only=True)
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    currency = serializers.CharField(max_length=3, required=False,
                                     help_text=gettext_lazy("ISO 4217 code; default: the brand's currency."))
    valid_from = serializers.DateField(required=False)


class ResalePriceViewSet(mixins.ListModelMixin, Base):
    """Minimum advertised / resale prices per SKU (base unit), from a day on; filter with `q` (SKU)."""

    serializer_class = ResalePriceSerializer
    required_capabilities = {"list": PRICING_VIEW, "create": PRICING_EDIT}

    def get_queryset(self):
        return selectors.resale_price_list(q=self.request.query_params.get("q", "")[:100])

    def create(self, request):
        data = self.validated(ResalePriceSerializer)
        row = services.resale_price_set(actor=request.user, sku=data["sku"], price=data["price"],
                                        valid_from=data.get("valid_from"), currency=data.get("currency"))
        return Response(ResalePriceSerializer(row).data, status=status.HTTP_201_CREATED)


class FloorViolationSerializer(serializers.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    supplier_name = serializers.CharField(source="supplier.dealer.display_name", read_only=True, default="")
    actor_email = serializers.EmailField(source="actor.email", read_only=True, default=None, allow_null=True)
    sku_code = serializers.CharField(source="sku.code", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = FloorViolation
        fields = ["id", "created_at", "supplier", "supplier_code", "supplier_name", "actor", "actor_email", "sku",
                  "sku_code", "unit", "attempted_price", "floor", "currency", "source", "source_id", "source_ref"]


@extend_schema(parameters=[OpenApiParameter("supplier", int, description="The supplier's node id."),
                           OpenApiParameter("date_from", str, description="From this day (inclusive)."),
                           OpenApiParameter("date_to", str, description="To this day (inclusive).")])
class FloorViolationViewSet(mixins.ListModelMixin, Base):
    """Suppliers' refused attempts to resell below a SKU's minimum resale price (乱价), newest first."""

    serializer_class = FloorViolationSerializer
    required_capabilities = {"list": PRICING_VIEW}

    def get_queryset(self):
        form = FloorViolationFilterForm(self.request.query_params)
        if not form.is_valid():
            raise PricingInvalid(_("Check the filters."), fields={
                field: [str(message) for message in messages] for field, messages in form.errors.items()})
        return selectors.floor_violation_list(actor=self.request.user, **form.filters())


# --- quote ----------------------------------------------------------------------------------------
