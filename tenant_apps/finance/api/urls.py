"""REST API of finance, mounted at /api/v1/."""

from django.urls import path

from tenant_apps.core.routers import ApiRouter
from tenant_apps.finance.api import views, views_payments

router = ApiRouter()
router.register("finance/accounts", views.AccountViewSet, basename="finance-account")
router.register("finance/top-ups", views.TopUpViewSet, basename="finance-top-up")
router.register("finance/adjustments", views.AdjustmentViewSet, basename="finance-adjustment")
router.register("finance/payments", views_payments.PaymentViewSet, basename="finance-payment")

urlpatterns = [
    *router.urls,
    path("finance/settings/", views.SettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="finance-settings"),
    path("finance/dealers/<int:dealer_id>/settlement/",
         views.SettlementViewSet.as_view({"get": "retrieve", "put": "update"}), name="finance-dealer-settlement"),
]
