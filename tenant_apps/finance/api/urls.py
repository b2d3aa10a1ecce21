"""REST API of finance, mounted at /api/v1/."""

from django.urls import path

from tenant_apps.core.routers import ApiRouter
from tenant_apps.finance.api import bank_views, views

router = ApiRouter()
router.register("finance/accounts", views.AccountViewSet, basename="finance-account")
router.register("finance/top-ups", views.TopUpViewSet, basename="finance-top-up")
router.register("finance/adjustments", views.AdjustmentViewSet, basename="finance-adjustment")
router.register("finance/remittances", bank_views.RemittanceViewSet, basename="finance-remittance")
router.register("finance/bank-statements", bank_views.StatementViewSet, basename="finance-bank-statement")
router.register("finance/bank-lines", bank_views.LineViewSet, basename="finance-bank-line")
router.register("finance/bank-matches", bank_views.MatchViewSet, basename="finance-bank-match")
router.register("finance/bank-mappings", bank_views.MappingViewSet, basename="finance-bank-mapping")

urlpatterns = [
    *router.urls,
    path("finance/settings/", views.SettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="finance-settings"),
    path("finance/dealers/<int:dealer_id>/settlement/",
         views.SettlementViewSet.as_view({"get": "retrieve", "put": "update"}), name="finance-dealer-settlement"),
]
