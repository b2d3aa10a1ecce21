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
    SupplierPassUpReceiveSerializer,
    SupplierPassUpSerializer,
    SupplierPriceListSerializer,
    SupplierPriceSerializer,
    SupplierReceiptSerializer,
    SupplierSafetyStockSerializer,
    SupplierSerializer,
    SupplierWarehouseCreateSerializer,
    SupplierWarehouseSerializer,
)
from tenant_apps.console.forms import AuditFilterForm
from tenant_apps.console.selectors import audit_entry_list
from tenant_apps.console.services import supplier_start, supplier_stop
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.models import Node
from tenant_apps.dealers.selectors import (
    dealer_get_for,
    supplier_dealer_get,
    supplier_dealers,
    supplier_get,
    supplier_list,
)
from tenant_apps.fulfillment.pass_up import pass_up_receive, supplier_order_pass_up
from tenant_apps.inventory.selectors import (
    safety_stocks,
    supplier_warehouse_get,
    supplier_warehouses,
    warehouse_stock,
)
from tenant_apps.inventory.services import safety_stock_set, stock_receive, warehouse_create
from tenant_apps.ordering.demand import demand_rollup, demand_to_cart
from tenant_apps.ordering.pass_up import line_open, pass_ups_of
from tenant_apps.ordering.selectors import supplier_order_get_for, supplier_order_list
from tenant_apps.pricing.selectors import supplier_price_list_get, supplier_price_lists
from tenant_apps.pricing.services import price_entry_set
from tenant_apps.promotions import services as promotions_services
from tenant_apps.promotions.api.views import PromotionInput, PromotionOutput, ReasonInput
from tenant_apps.promotions.selectors import supplier_promotion_get, supplier_promotions

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
        supplier = supplier_start(actor=request.user, dealer=dealer)
        return Response(SupplierSerializer(supplier_get(node_id=supplier.node_id)).data, status=201)

    @extend_schema(request=None, responses=SupplierSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        supplier = supplier_get(node_id=pk)
        supplier_stop(actor=request.user, supplier=supplier)
        return Response(SupplierSerializer(supplier_get(node_id=supplier.node_id)).data)


class SupplierOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders placed with the caller's company (a supplier)."""

    serializer_class = SupplierOrderSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_ORDERS, "retrieve": SUPPLIER_ORDERS, "pass_up": SUPPLIER_ORDERS,
                             "receive": SUPPLIER_INVENTORY}

    def get_queryset(self):
        return supplier_order_list(actor=self.request.user, status=self.request.query_params.get("status", ""))

    def get_object(self):
        return supplier_order_get_for(actor=self.request.user, order_id=self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        """The order, its lines (what is shipped, passed up, still open) and the orders its lines were passed up as."""
        order = self.get_object()
        return Response({**SupplierOrderSerializer(order).data, **pass_up_body(order)})

    @extend_schema(request=SupplierPassUpSerializer, responses={201: SupplierOrderSerializer})
    @action(detail=True, methods=["post"], url_path="pass-up")
    def pass_up(self, request, pk=None):
        """Pass lines up to headquarters as your own order (its prices for you, its approval, your credit)."""
        order = self.get_object()
        given = SupplierPassUpSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        passed = supplier_order_pass_up(actor=request.user, order=order, mode=given.validated_data["mode"],
                                        lines=given.validated_data.get("lines"),
                                        idempotency_key=request.headers.get("Idempotency-Key", ""))
        return Response({**SupplierOrderSerializer(passed).data, "mode": passed.pass_up_mode,
                         "passed_up_from": order.pk}, status=201)

    @extend_schema(request=SupplierPassUpReceiveSerializer, responses=SupplierOrderSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """The goods of a purchase passed up for this order arrived: into one of your warehouses, reserved here."""
        order = self.get_object()
        given = SupplierPassUpReceiveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        passed = next((o for o in pass_ups_of(order) if o.pk == given.validated_data["order"]), None)
        if passed is None:
            raise ValidationFailed(_("Nothing was received."),
                                   fields={"order": [_("No order passed up for this one.")]})
        warehouse = supplier_warehouse_get(node_id=supplier_node_id(request.user),
                                           warehouse_id=given.validated_data["warehouse"])
        pass_up_receive(actor=request.user, source=order, order=passed, warehouse=warehouse)
        order = self.get_object()
        return Response({**SupplierOrderSerializer(order).data, **pass_up_body(order)})


def pass_up_body(order) -> dict:
    """A supplier's order's lines with what is shipped, passed up and open, and its pass-up orders (base units)."""
    return {"lines": [{"id": line.pk, "line_no": line.line_no, "sku": line.sku_id, "ordered": line.base_quantity,
                       "reserved": line.reserved_base, "shipped": line.shipped_base, "passed_up": line.passed_base,
                       "open": line_open(line)} for line in order.lines.order_by("line_no")],
            "pass_ups": [{"id": o.pk, "number": o.number, "mode": o.pass_up_mode, "status": o.status,
                          "lines": {str(line.passed_from_id): line.base_quantity for line in o.lines.all()
                                    if line.passed_from_id}} for o in pass_ups_of(order)]}


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
    """The caller's company's own warehouses: list, detail with its stock, create (`POST`, code and name), and
    receive stock into one (`POST .../receive/`, SKU id and base units)."""

    serializer_class = SupplierWarehouseSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_INVENTORY, "retrieve": SUPPLIER_INVENTORY,
                             "create": SUPPLIER_INVENTORY, "receive": SUPPLIER_INVENTORY}

    def get_queryset(self):
        return supplier_warehouses(node_id=supplier_node_id(self.request.user))

    def _detail(self, warehouse):
        data = dict(SupplierWarehouseSerializer(warehouse).data)
        data["stock"] = [{"sku": s.sku_id, "code": s.sku.code, "on_hand": s.on_hand, "reserved": s.reserved}
                         for s in warehouse_stock(warehouse=warehouse)]
        return data

    def retrieve(self, request, pk=None):
        return Response(self._detail(supplier_warehouse_get(node_id=supplier_node_id(request.user),
                                                            warehouse_id=pk)))

    @extend_schema(request=SupplierWarehouseCreateSerializer, responses=SupplierWarehouseSerializer)
    def create(self, request):
        given = SupplierWarehouseCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        warehouse = warehouse_create(actor=request.user, code=given.validated_data["code"],
                                     name=given.validated_data["name"],
                                     owner=Node.objects.get(pk=supplier_node_id(request.user)))
        return Response(SupplierWarehouseSerializer(warehouse).data, status=201)

    @extend_schema(request=SupplierReceiptSerializer, responses=SupplierWarehouseSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        warehouse = supplier_warehouse_get(node_id=supplier_node_id(request.user), warehouse_id=pk)
        given = SupplierReceiptSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if not Sku.objects.filter(pk=given.validated_data["sku"]).exists():
            raise ValidationFailed(_("The stock could not be received."), fields={"sku": [_("No such SKU.")]})
        stock_receive(actor=request.user, sku_id=given.validated_data["sku"], warehouse_id=warehouse.pk,
                      quantity=given.validated_data["quantity"], reference=given.validated_data["reference"])
        return Response(self._detail(warehouse))


class SupplierPromotionViewSet(viewsets.GenericViewSet):
    """The caller's company's own promotions for its sub-dealers: list (?status=), detail, create (a draft; no
    regions or coupons, named dealers among its sub-dealers), publish, unpublish. A promotion that would resell a SKU
    below its minimum resale price is refused (400 on the rule's discount field naming the SKU, the floor and the
    unit; nothing written, the attempt kept for headquarters)."""

    serializer_class = PromotionOutput
    permission_classes = [HasCapability]
    metadata_class = None
    lookup_value_regex = "[0-9]+"
    required_capabilities = {"list": SUPPLIER_PRICING, "retrieve": SUPPLIER_PRICING, "create": SUPPLIER_PRICING,
                             "publish": SUPPLIER_PRICING, "unpublish": SUPPLIER_PRICING}

    def _node(self) -> int:
        return supplier_node_id(self.request.user)

    def _output(self, promotion, code=200) -> Response:
        return Response(PromotionOutput(supplier_promotion_get(node_id=self._node(), promotion_id=promotion.pk)).data,
                        status=code)

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, description="draft, published or "
                                                                                       "unpublished")])
    def list(self, request):
        page = self.paginate_queryset(supplier_promotions(node_id=self._node(),
                                                          status=request.query_params.get("status", "")))
        return self.get_paginated_response(PromotionOutput(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(PromotionOutput(supplier_promotion_get(node_id=self._node(), promotion_id=pk)).data)

    @extend_schema(request=PromotionInput, responses={201: PromotionOutput})
    def create(self, request):
        given = PromotionInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        errors = {}
        if data.get("territories"):
            errors["territories"] = [_("Your promotions go to your sub-dealers: name them, or tiers, not regions.")]
        if data.get("coupon_required"):
            errors["coupon_required"] = [_("Promotions with coupon codes are headquarters' only.")]
        dealers = set(data.get("dealers") or ())
        if dealers and supplier_dealers(node_id=self._node()).filter(pk__in=dealers).count() != len(dealers):
            errors["dealers"] = [_("Not one of your sub-dealers.")]
        if errors:
            raise ValidationFailed(_("The promotion could not be saved."), fields=errors)
        promotion = promotions_services.promotion_create(actor=request.user, owner=Node.objects.get(pk=self._node()),
                                                         **data)
        return self._output(promotion, 201)

    @extend_schema(request=ReasonInput, responses=PromotionOutput)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        promotion = supplier_promotion_get(node_id=self._node(), promotion_id=pk)
        given = ReasonInput(data=request.data)
        given.is_valid(raise_exception=True)
        promotions_services.promotion_publish(actor=request.user, promotion=promotion, **given.validated_data)
        return self._output(promotion)

    @extend_schema(request=ReasonInput, responses=PromotionOutput)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        promotion = supplier_promotion_get(node_id=self._node(), promotion_id=pk)
        given = ReasonInput(data=request.data)
        given.is_valid(raise_exception=True)
        promotions_services.promotion_unpublish(actor=request.user, promotion=promotion, **given.validated_data)
        return self._output(promotion)


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
