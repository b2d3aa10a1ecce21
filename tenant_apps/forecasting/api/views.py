"""Forecasting API (read-only): the back-test's accuracy per series and the stored weekly forecasts.

Filters (query string, ignored when malformed): scope (region, the default, or warehouse), sku, region, warehouse."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from tenant_apps.accounts.permissions import INVENTORY_VIEW
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.forecasting.models import Accuracy, Forecast, Scope


class ForecastAccuracySerializer(serializers.ModelSerializer):
    sku_code = serializers.CharField(source="sku.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True, default=None, allow_null=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True, default=None,
                                           allow_null=True)
    reason = serializers.CharField(read_only=True)

    class Meta:
        model = Accuracy
        fields = ["id", "scope", "sku", "sku_code", "region", "region_name", "warehouse", "warehouse_code", "method",
                  "model_kind", "model_wape", "model_mape", "naive_wape", "naive_mape", "moving_average_wape",
                  "moving_average_mape", "history_weeks", "origins", "trained_at", "reason"]


class WeeklyForecastSerializer(serializers.ModelSerializer):
    class Meta:
        model = Forecast
        fields = ["id", "scope", "sku", "region", "warehouse", "week", "quantity"]


def _filtered(rows, params):
    scope = params.get("scope") if params.get("scope") in Scope.values else Scope.REGION
    rows = rows.filter(scope=scope)
    for name in ("sku", "region", "warehouse"):
        if params.get(name, "").isdigit():
            rows = rows.filter(**{f"{name}_id": int(params[name])})
    return rows


class AccuracyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Each series' back-test: model, naive and moving-average WAPE / MAPE, the method used and why."""

    serializer_class = ForecastAccuracySerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": INVENTORY_VIEW}

    def get_queryset(self):
        rows = Accuracy.objects.select_related("sku", "region", "warehouse").order_by("sku__code", "id")
        return _filtered(rows, self.request.query_params)


class ForecastViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The chosen method's expected demand (base units) per series and week."""

    serializer_class = WeeklyForecastSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": INVENTORY_VIEW}

    def get_queryset(self):
        return _filtered(Forecast.objects.order_by("sku_id", "region_id", "warehouse_id", "week", "id"),
                         self.request.query_params)
