"""The audit log over the API: read-only, newest first, paginated, the console page's filters."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import (
    AUDIT_VIEW,
    CART_EDIT,
    SUPPLIER_INVENTORY,
    SUPPLIER_ORDERS,
    SUPPLIER_PRICING,
    SUPPLIERS_MANAGE,
    has_perm,
    supplier_node_id,
)
from tenant_apps.catalog.models import Sku
from tenant_apps.console.api.serializers import (
    AuditEntrySerializer,
    DemandSerializer,
    DemandToCartSerializer,
    SupplierDealerSerializer,
    SupplierDesignateSerializer,
    SupplierOrderSerializer,
    SupplierPriceListSerializer,
    SupplierPriceSerializer,
    SupplierSafetyStockSerializer,
    SupplierSerializer,
    SupplierWarehouseSerializer,
)
from tenant_apps.console.forms import AuditFilterForm
from tenant_apps.console.selectors import audit_entry_list
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.dealers import services as dealers_services
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.models import Node
from tenant_apps.dealers.selectors import (
    dealer_get_for,
    supplier_dealer_get,
    supplier_dealers,
    supplier_get,
    supplier_list,
)
from tenant_apps.inventory.selectors import (
    safety_stocks,
    supplier_warehouse_get,
    supplier_warehouses,
    warehouse_stock,
)
from tenant_apps.inventory.services import safety_stock_set
from tenant_apps.ordering.demand import demand_rollup, demand_to_cart
from tenant_apps.ordering.selectors import supplier_order_get_for, supplier_order_list
from tenant_apps.pricing.selectors import supplier_price_list_get, supplier_price_lists
from tenant_apps.pricing.services import price_entry_set

FILTERS = [
    OpenApiParameter("app", OpenApiTypes.STR, description="The area: the action's first word (ordering)."),
    OpenApiParameter("subject", OpenApiTypes.STR, description="What it is about (ordering.order)."),
    OpenApiParameter("action", OpenApiTypes.STR, description="A prefix of the action (ordering.order.sub)."),
    OpenApiParameter("actor", OpenApiTypes.STR, description="Part of the actor's email."),
    OpenApiParameter("target_type", OpenApiTypes.STR, description="The record's type (ordering.order)."),
    OpenApiParameter("target_id", OpenApiTypes.STR, description="The record's id."),
    OpenApiParameter("dealer", OpenApiTypes.INT, description="The dealer the change is about."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (inclusive)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this day (inclusive)."),
]


@extend_schema(parameters=FILTERS)
class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Entries the caller may read (whole network, or the dealers of their part of it), newest first."""

    serializer_class = AuditEntrySerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": AUDIT_VIEW}

    def get_queryset(self):
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationFailed(_("Check the filters."), fields={
                field: [str(message) for message in messages] for field, messages in form.errors.items()})
        return audit_entry_list(actor=self.request.user, filters=form.filters())


# --- suppliers (S2B2B) ---------------------------------------------------------------------------------------
# Headquarters designates them (suppliers.manage); a supplier's own people read what is theirs, by id only within
# it (anything else: 404), and only while their company is an active supplier (403 otherwise).


class SupplierViewSet(viewsets.ViewSet):
    """Headquarters' suppliers: list, designate (a plan feature: 402 without it), stop (409 while dealers buy from
    it or orders placed with it are open)."""

    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIERS_MANAGE, "create": SUPPLIERS_MANAGE, "stop": SUPPLIERS_MANAGE}

    @extend_schema(responses=SupplierSerializer(many=True))
    def list(self, request):
        return Response(SupplierSerializer(supplier_list(), many=True).data)

    @extend_schema(request=SupplierDesignateSerializer, responses={201: SupplierSerializer})
    def create(self, request):
        given = SupplierDesignateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        dealer = dealer_get_for(actor=request.user, dealer_id=given.validated_data["dealer"])
        supplier = dealers_services.supplier_designate(actor=request.user, dealer=dealer)
        return Response(SupplierSerializer(supplier_get(node_id=supplier.node_id)).data, status=201)

    @extend_schema(request=None, responses=SupplierSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        from tenant_apps.console.views import supplier_stop

        supplier = supplier_get(node_id=pk)
        supplier_stop(actor=request.user, supplier=supplier)
        return Response(SupplierSerializer(supplier_get(node_id=supplier.node_id)).data)


class SupplierOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders placed with the caller's company (a supplier)."""

    serializer_class = SupplierOrderSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_ORDERS, "retrieve": SUPPLIER_ORDERS}

    def get_queryset(self):
        return supplier_order_list(actor=self.request.user, status=self.request.query_params.get("status", ""))

    def get_object(self):
        return supplier_order_get_for(actor=self.request.user, order_id=self.kwargs["pk"])


class SupplierDealerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The dealers that buy from the caller's company."""

    serializer_class = SupplierDealerSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_ORDERS, "retrieve": SUPPLIER_ORDERS}

    def get_queryset(self):
        return supplier_dealers(node_id=supplier_node_id(self.request.user))

    def get_object(self):
        return supplier_dealer_get(node_id=supplier_node_id(self.request.user), dealer_id=self.kwargs["pk"])


class SupplierPriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's company's own price lists; `POST .../prices/` sets a price (never below the SKU's minimum
    resale price: 400 naming the SKU and the floor)."""

    serializer_class = SupplierPriceListSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_PRICING, "retrieve": SUPPLIER_PRICING, "prices": SUPPLIER_PRICING}

    def get_queryset(self):
        return supplier_price_lists(node_id=supplier_node_id(self.request.user))

    def get_object(self):
        return supplier_price_list_get(node_id=supplier_node_id(self.request.user), list_id=self.kwargs["pk"])

    @extend_schema(request=SupplierPriceSerializer, responses=SupplierPriceListSerializer)
    @action(detail=True, methods=["post"])
    def prices(self, request, pk=None):
        price_list = self.get_object()
        given = SupplierPriceSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        sku = Sku.objects.select_related("base_unit").filter(pk=given.validated_data["sku"]).first()
        if sku is None:
            raise ValidationFailed(_("The price could not be saved."), fields={"sku": [_("No such SKU.")]})
        price_entry_set(actor=request.user, price_list=price_list, sku=sku, unit=sku.base_unit,
                        price=given.validated_data["price"], min_quantity=given.validated_data["min_quantity"])
        return Response(SupplierPriceListSerializer(self.get_object()).data)


class SupplierWarehouseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's company's own warehouses; a warehouse's detail lists its stock."""

    serializer_class = SupplierWarehouseSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_INVENTORY, "retrieve": SUPPLIER_INVENTORY}

    def get_queryset(self):
        return supplier_warehouses(node_id=supplier_node_id(self.request.user))

    def retrieve(self, request, pk=None):
        warehouse = supplier_warehouse_get(node_id=supplier_node_id(request.user), warehouse_id=pk)
        data = dict(SupplierWarehouseSerializer(warehouse).data)
        data["stock"] = [{"sku": s.sku_id, "code": s.sku.code, "on_hand": s.on_hand, "reserved": s.reserved}
                         for s in warehouse_stock(warehouse=warehouse)]
        return Response(data)


class SupplierDemandViewSet(viewsets.ViewSet):
    """The caller's company's demand roll-up (ordering.demand): per SKU, its sub-dealers' open demand against its own
    stock, what it has on order from headquarters and its safety stock, with the suggested purchase;
    `POST to-cart/` puts the suggestions into its own cart (400 when there is nothing to add)."""

    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_INVENTORY, "to_cart": SUPPLIER_INVENTORY}

    @extend_schema(responses=DemandSerializer)
    def list(self, request):
        return Response(DemandSerializer(demand_rollup(dealer=request.user.dealer)).data)

    @extend_schema(request=None, responses=DemandToCartSerializer)
    @action(detail=False, methods=["post"], url_path="to-cart")
    def to_cart(self, request):
        if not has_perm(request.user, CART_EDIT):  # the company's own right to fill its cart, besides the roll-up's
            raise PermissionDenied
        return Response(DemandToCartSerializer(demand_to_cart(actor=request.user, dealer=request.user.dealer)).data)


class SupplierSafetyStockViewSet(viewsets.ViewSet):
    """The caller's company's safety stock per SKU (base units); `POST` sets one (`quantity` 0 removes it)."""

    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_INVENTORY, "create": SUPPLIER_INVENTORY}

    def _rows(self):
        levels = safety_stocks(node_id=supplier_node_id(self.request.user))
        codes = dict(Sku.objects.filter(pk__in=levels).values_list("pk", "code"))
        return sorted(({"sku": sku, "code": codes[sku], "quantity": quantity} for sku, quantity in levels.items()),
                      key=lambda row: row["code"])

    @extend_schema(responses=SupplierSafetyStockSerializer(many=True))
    def list(self, request):
        return Response(SupplierSafetyStockSerializer(self._rows(), many=True).data)

    @extend_schema(request=SupplierSafetyStockSerializer, responses=SupplierSafetyStockSerializer)
    def create(self, request):
        given = SupplierSafetyStockSerializer(data=request.data)
        if not given.is_valid():
            raise ValidationFailed(_("The safety stock could not be saved."), fields={
                name: [str(message) for message in messages] for name, messages in given.errors.items()})
        data = given.validated_data
        safety_stock_set(actor=request.user, owner=Node.objects.get(pk=supplier_node_id(request.user)),
                         sku_id=data["sku"], quantity=data["quantity"])
        code = Sku.objects.filter(pk=data["sku"]).values_list("code", flat=True).first()
        return Response(SupplierSafetyStockSerializer({"sku": data["sku"], "code": code,
                                                       "quantity": data["quantity"]}).data)
