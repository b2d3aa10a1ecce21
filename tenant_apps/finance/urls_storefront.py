"""The dealer's finance pages on the storefront, mounted at /account/finance/ (namespace finance): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance import views_storefront
from tenant_apps.finance.bank import views as views_bank
from tenant_apps.finance.pages import rebates_invoices
from tenant_apps.finance.pages import statements_storefront as statements
from tenant_apps.finance.payments import views as views_payments

app_name = "finance"

core_patterns = [
    path("", views_storefront.home, name="home"),
    path("ledger/", views_storefront.ledger, name="ledger"),
]

statement_patterns = [
    path("statements/", statements.my_statements, name="statements"),
    path("statements/<int:statement_id>/", statements.my_statement, name="statement"),
    path("statements/<int:statement_id>/pdf/", statements.my_statement_file, {"fmt": "pdf"}, name="statement_pdf"),
    path("statements/<int:statement_id>/xlsx/", statements.my_statement_file, {"fmt": "xlsx"},
         name="statement_xlsx"),
    path("statements/<int:statement_id>/confirm/", statements.my_statement_confirm, name="statement_confirm"),
    path("statements/<int:statement_id>/dispute/", statements.my_statement_dispute, name="statement_dispute"),
]

bank_patterns = [
    path("transfers/", views_bank.transfers, name="transfers"),
    path("transfers/<int:remittance_id>/slip/", views_bank.transfer_slip, name="transfer-slip"),
]

payments_patterns = [
    path("pay/", views_payments.pay_page, name="pay"),
    path("top-up/", views_payments.top_up_page, name="top_up"),
    path("payments/<int:payment_id>/", views_payments.payment_return, name="payment_return"),
]

urlpatterns: list = [
    *core_patterns,
    *statement_patterns,
    *bank_patterns,
    *payments_patterns,
    *rebates_invoices.storefront_urls,  # rebates, invoices
]
