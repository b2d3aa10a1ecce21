"""URLs of the replenishment API, mounted at /api/v1/ (platform/dms/urls_tenant.py)."""

from django.urls import path

from tenant_apps.replenishment.api.views import DealerReplenishmentViewSet, OwnReplenishmentViewSet

own, dealer = OwnReplenishmentViewSet.as_view, DealerReplenishmentViewSet.as_view

urlpatterns = [
    path("replenishment/suggestions/", own({"get": "suggestions"}), name="replenishment-suggestions"),
    path("replenishment/suggestions/cart/", own({"post": "to_cart"}), name="replenishment-to-cart"),
    path("replenishment/safety-stock/", own({"get": "safety_stock_list", "post": "safety_stock_set"}),
         name="replenishment-safety-stock"),
    path("replenishment/sell-out/", own({"post": "sell_out"}), name="replenishment-sell-out"),
    path("dealers/<int:dealer_id>/replenishment/", dealer({"get": "suggestions"}),
         name="dealer-replenishment"),
    path("dealers/<int:dealer_id>/replenishment/safety-stock/",
         dealer({"get": "safety_stock_list", "post": "safety_stock_set"}), name="dealer-replenishment-safety-stock"),
    path("dealers/<int:dealer_id>/replenishment/sell-out/", dealer({"post": "sell_out"}),
         name="dealer-replenishment-sell-out"),
]
