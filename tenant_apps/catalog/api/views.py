"""Catalog API: categories, products, and SKU search (dealers get only what is visible to them, with
stock as the brand chooses to show it)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets

from tenant_apps.accounts.permissions import CATALOG_EDIT, CATALOG_VIEW
from tenant_apps.catalog import services
from tenant_apps.catalog.models import Category, Product, ProductStatus, Series, Sku, Unit
from tenant_apps.catalog.selectors import catalog_for
from tenant_apps.dealers.api.permissions import HasCapability


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "parent", "path", "sort_order"]
        read_only_fields = ["path"]


class ProductSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    series = serializers.PrimaryKeyRelatedField(queryset=Series.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Product
        fields = ["id", "code", "name", "name_en", "category", "series", "description", "specifications", "status"]


class SkuSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_name = serializers.CharField(source="product.name", read_only=True)
    base_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())
    stock = serializers.SerializerMethodField()

    class Meta:
        model = Sku
        fields = ["id", "product", "product_name", "code", "name", "attributes", "barcode", "base_unit",
                  "min_order_qty", "order_step", "status", "stock"]
        read_only_fields = ["status"]

    def get_stock(self, sku) -> dict:
        return self.context.get("stock", {}).get(sku.pk, {})


class CategoryViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.order_by("path")
    permission_classes = [HasCapability]
    required_capabilities = {"list": CATALOG_VIEW, "create": CATALOG_EDIT}

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.category_create(
            actor=self.request.user, parent=data.get("parent"), code=data["code"], name=data["name"],
            name_en=data.get("name_en", ""), sort_order=data.get("sort_order", 0))


class ProductViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ProductSerializer
    queryset = Product.objects.select_related("category", "series").order_by("code")
    permission_classes = [HasCapability]
    required_capabilities = {"list": CATALOG_EDIT, "create": CATALOG_EDIT}

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.product_create(
            actor=self.request.user, category=data["category"], code=data["code"], name=data["name"],
            name_en=data.get("name_en", ""), series=data.get("series"), description=data.get("description", ""),
            specifications=data.get("specifications"), status=data.get("status", ProductStatus.DRAFT))


class SkuViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Search: `q` (Chinese or English name, code, barcode), `category` (with its subcategories), `order`."""

    serializer_class = SkuSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": CATALOG_VIEW, "create": CATALOG_EDIT}

    def get_queryset(self):
        params = self.request.query_params
        category = Category.objects.filter(pk=params["category"]).first() if params.get("category", "").isdigit() \
            else None
        order = params.get("order") if params.get("order") in ("relevance", "name", "code") else "relevance"
        return catalog_for(self.request.user, q=params.get("q", "")[:100], category=category, order=order)

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("category", int),
                               OpenApiParameter("order", str, enum=["relevance", "name", "code"])])
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), **self.page_context(page)}
        return self.get_paginated_response(SkuSerializer(page, many=True, context=context).data)

    def page_context(self, page) -> dict:
        """What the apps above the catalog add to a page of SKUs (inventory: "stock"); the catalog adds nothing."""
        return {}

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.sku_create(
            actor=self.request.user, product=data["product"], code=data["code"], name=data["name"],
            base_unit=data["base_unit"], attributes=data.get("attributes"), barcode=data.get("barcode", ""),
            min_order_qty=data.get("min_order_qty", 1), order_step=data.get("order_step", 1))
