"""Inventory API: warehouses, stock per SKU and warehouse, the ledger, movements, and the ERP/WMS sync."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import INVENTORY_EDIT, INVENTORY_SYNC, INVENTORY_VIEW
from tenant_apps.catalog.api.views import SkuViewSet
from tenant_apps.catalog.models import Sku
from tenant_apps.core.numbers import INTEGER_MAX
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.selectors import seller_of
from tenant_apps.inventory import services
from tenant_apps.inventory.errors import InventoryInvalid
from tenant_apps.inventory.models import MovementKind, Stock, StockMovement, Warehouse
from tenant_apps.inventory.selectors import ANY_OWNER, dealer_stock_views


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "is_active"]
        read_only_fields = ["is_active"]


class StockSerializer(serializers.ModelSerializer):
    sku_code = serializers.CharField(source="sku.code", read_only=True)
    sku_name = serializers.CharField(source="sku.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = Stock
        fields = ["id", "sku", "sku_code", "sku_name", "warehouse", "warehouse_code", "on_hand", "reserved",
                  "available", "low_threshold"]


class MovementSerializer(serializers.ModelSerializer):
    sku = serializers.IntegerField(source="stock.sku_id", read_only=True)
    warehouse = serializers.IntegerField(source="stock.warehouse_id", read_only=True)

    class Meta:
        model = StockMovement
        fields = ["id", "sku", "warehouse", "kind", "on_hand_delta", "reserved_delta", "reference", "reason",
                  "actor_label", "created_at"]


class MovementRequest(serializers.Serializer):
    sku = serializers.PrimaryKeyRelatedField(queryset=Sku.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    quantity = serializers.IntegerField(required=False, min_value=1)
    delta = serializers.IntegerField(required=False)
    to_warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all(), required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class SyncLine(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text=gettext_lazy("SKU code"))
    on_hand = serializers.IntegerField(min_value=0, max_value=INTEGER_MAX)


class SyncRequest(serializers.Serializer):
    sync_id = serializers.CharField(max_length=100)
    warehouse = serializers.CharField(max_length=32, help_text=gettext_lazy("warehouse code"))
    levels = SyncLine(many=True, allow_empty=False, max_length=50_000)


class WarehouseViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = WarehouseSerializer
    queryset = Warehouse.objects.all()
    permission_classes = [HasCapability]
    required_capabilities = {"list": INVENTORY_VIEW, "create": INVENTORY_EDIT}

    def perform_create(self, serializer):
        serializer.instance = services.warehouse_create(actor=self.request.user, **serializer.validated_data)


class StockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Stock per SKU and warehouse (filters: warehouse, sku), the ledger, and movements."""

    serializer_class = StockSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": INVENTORY_VIEW, "movements": INVENTORY_VIEW, "receipts": INVENTORY_EDIT,
                             "adjustments": INVENTORY_EDIT, "transfers": INVENTORY_EDIT, "sync": INVENTORY_SYNC}

    def get_queryset(self):
        stock = Stock.objects.select_related("sku", "warehouse").order_by("sku__code", "warehouse__code")
        params = self.request.query_params
        if params.get("warehouse", "").isdigit():
            stock = stock.filter(warehouse_id=params["warehouse"])
        if params.get("sku", "").isdigit():
            stock = stock.filter(sku_id=params["sku"])
        return stock

    @extend_schema(responses=MovementSerializer(many=True))
    @action(detail=False, methods=["get"])
    def movements(self, request):
        movements = StockMovement.objects.select_related("stock").order_by("-created_at", "-id")
        params = request.query_params
        if params.get("kind") in MovementKind.values:
            movements = movements.filter(kind=params["kind"])
        if params.get("warehouse", "").isdigit():
            movements = movements.filter(stock__warehouse_id=params["warehouse"])
        if params.get("sku", "").isdigit():
            movements = movements.filter(stock__sku_id=params["sku"])
        page = self.paginate_queryset(movements)
        return self.get_paginated_response(MovementSerializer(page, many=True).data)

    def _movement(self, request, handler):
        data = MovementRequest(data=request.data)
        data.is_valid(raise_exception=True)
        result = handler(data.validated_data)
        rows = result if isinstance(result, tuple) else (result,)
        return Response(MovementSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MovementRequest, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def receipts(self, request):
        return self._movement(request, lambda d: services.stock_receive(
            actor=request.user, sku_id=d["sku"].pk, warehouse_id=d["warehouse"].pk, quantity=_need(d, "quantity"),
            reference=d["reference"], reason=d["reason"]))

    @extend_schema(request=MovementRequest, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def adjustments(self, request):
        return self._movement(request, lambda d: services.stock_adjust(
            actor=request.user, sku_id=d["sku"].pk, warehouse_id=d["warehouse"].pk, delta=_need(d, "delta"),
            reason=d["reason"], reference=d["reference"]))

    @extend_schema(request=MovementRequest, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def transfers(self, request):
        return self._movement(request, lambda d: services.stock_transfer(
            actor=request.user, sku_id=d["sku"].pk, from_warehouse_id=d["warehouse"].pk,
            to_warehouse_id=_need(d, "to_warehouse").pk, quantity=_need(d, "quantity"), reason=d["reason"],
            reference=d["reference"]))

    @extend_schema(request=SyncRequest, summary="An ERP/WMS pushes on-hand levels; once per sync_id")
    @action(detail=False, methods=["post"])
    def sync(self, request):
        data = SyncRequest(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        warehouse = Warehouse.objects.filter(code=payload["warehouse"]).first()
        codes = [line["sku"] for line in payload["levels"]]
        ids = dict(Sku.objects.filter(code__in=codes).values_list("code", "id"))
        unknown = sorted(set(codes) - set(ids))
        if warehouse is None or unknown:
            fields = {}
            if warehouse is None:
                fields["warehouse"] = [_("Unknown warehouse code.")]
            if unknown:
                fields["levels"] = [_("Unknown SKU codes: %(codes)s") % {"codes": ", ".join(unknown[:20])}]
            raise InventoryInvalid(_("The sync could not be applied."), fields=fields)
        with transaction.atomic():
            result = services.stock_sync_apply(actor=request.user, sync_id=payload["sync_id"], warehouse=warehouse,
                                               levels={ids[line["sku"]]: line["on_hand"] for line in payload["levels"]})
        return Response({"sync_id": payload["sync_id"], **result})


def _need(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise InventoryInvalid(_("This movement needs more fields."), fields={name: [_("This field is required.")]})
    return data[name]


class SkuStockViewSet(SkuViewSet):
    """The catalog's SKU list (GET /catalog/skus/), each SKU with its stock as the reader may see it: a dealer's
    people, the warehouses of the dealer's seller only (its active supplier's, else headquarters': what its orders
    reserve from, as the storefront shows it); brand staff, every warehouse."""

    def page_context(self, page) -> dict:
        user = self.request.user
        owner = seller_of(user.dealer) if user.is_dealer_staff and user.dealer_id else ANY_OWNER
        return {"stock": dealer_stock_views((sku.pk for sku in page), owner_id=owner)}
