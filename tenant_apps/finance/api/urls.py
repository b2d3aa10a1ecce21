"""REST API of finance, mounted at /api/v1/."""

from django.urls import path

from tenant_apps.core.routers import ApiRouter
from tenant_apps.finance.api import (
    views,
    views_bank,
    views_invoices,
    views_payments,
    views_rebates,
    views_receivables,
    views_statements,
)

router = ApiRouter()
router.register("finance/accounts", views.AccountViewSet, basename="finance-account")
router.register("finance/top-ups", views.TopUpViewSet, basename="finance-top-up")
router.register("finance/adjustments", views.AdjustmentViewSet, basename="finance-adjustment")
router.register("finance/rebate-rules", views_rebates.RebateRuleViewSet, basename="finance-rebate-rule")
router.register("finance/rebate-runs", views_rebates.RebateRunViewSet, basename="finance-rebate-run")
router.register("finance/rebate-lines", views_rebates.RebateLineViewSet, basename="finance-rebate-line")
router.register("finance/invoices", views_invoices.DealerInvoiceViewSet, basename="finance-invoice")
router.register("finance/statements", views_statements.StatementViewSet, basename="finance-statement")
router.register("finance/remittances", views_bank.RemittanceViewSet, basename="finance-remittance")
router.register("finance/bank-statements", views_bank.StatementViewSet, basename="finance-bank-statement")
router.register("finance/bank-lines", views_bank.LineViewSet, basename="finance-bank-line")
router.register("finance/bank-matches", views_bank.MatchViewSet, basename="finance-bank-match")
router.register("finance/bank-mappings", views_bank.MappingViewSet, basename="finance-bank-mapping")
router.register("finance/payments", views_payments.PaymentViewSet, basename="finance-payment")

urlpatterns = [
    *router.urls,
    path("finance/settings/", views.SettingsViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="finance-settings"),
    path("finance/dealers/<int:dealer_id>/settlement/",
         views.SettlementViewSet.as_view({"get": "retrieve", "put": "update"}), name="finance-dealer-settlement"),
    path("finance/dealers/<int:dealer_id>/tax-profile/",
         views_invoices.TaxProfileViewSet.as_view({"get": "retrieve", "put": "update"}), name="finance-tax-profile"),
    path("finance/receivables/", views_receivables.ReceivableViewSet.as_view({"get": "list"}),
         name="finance-receivable-list"),
    path("finance/receivables/ageing/", views_receivables.ReceivableViewSet.as_view({"get": "ageing"}),
         name="finance-receivable-ageing"),
    path("finance/dealers/<int:dealer_id>/block-lift/", views_receivables.BlockLiftViewSet.as_view(
        {"get": "retrieve", "post": "create", "delete": "destroy"}), name="finance-dealer-block-lift"),
    path("finance/settings/terms/", views_receivables.TermsViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="finance-terms"),
    path("finance/dealers/<int:dealer_id>/terms/",
         views_receivables.DealerTermsViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="finance-dealer-terms"),
]
