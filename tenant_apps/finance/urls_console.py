"""The brand console's finance pages, mounted at /console/finance/ (namespace finance_console): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance import views_console
from tenant_apps.finance.bank import views as views_bank
from tenant_apps.finance.pages import rebates_invoices
from tenant_apps.finance.pages import receivables as receivables_pages
from tenant_apps.finance.pages import statements_console as statements
from tenant_apps.finance.payments import views as views_payments

app_name = "finance_console"

core_patterns = [
    path("", views_console.home, name="home"),
    path("accounts/", views_console.accounts, name="accounts"),
    path("accounts/<int:dealer_id>/", views_console.account, name="account"),
    path("adjustments/", views_console.adjustments, name="adjustments"),
    path("adjustments/<int:adjustment_id>/approve/", views_console.adjustment_approve, name="adjustment-approve"),
    path("settings/", views_console.finance_settings, name="settings"),
]

receivables_patterns = [
    path("receivables/", receivables_pages.receivables_dashboard, name="receivables"),
    path("receivables/ageing.xlsx", receivables_pages.receivables_export, name="receivables-export"),
    path("receivables/dealers/<int:dealer_id>/", receivables_pages.dealer_receivables, name="receivables-dealer"),
    path("receivables/dealers/<int:dealer_id>/lift/", receivables_pages.block_lift, name="receivables-lift"),
    path("receivables/dealers/<int:dealer_id>/lift/end/", receivables_pages.block_lift_end,
         name="receivables-lift-end"),
]

statement_patterns = [
    path("statements/", statements.statements_page, name="statements"),
    path("statements/generate/", statements.statements_generate, name="statements_generate"),
    path("statements/<int:statement_id>/", statements.statement_page, name="statement"),
    path("statements/<int:statement_id>/pdf/", statements.statement_file, {"fmt": "pdf"}, name="statement_pdf"),
    path("statements/<int:statement_id>/xlsx/", statements.statement_file, {"fmt": "xlsx"}, name="statement_xlsx"),
    path("statements/<int:statement_id>/resolve/", statements.statement_resolve, name="statement_resolve"),
]

bank_patterns = [
    path("bank/", views_bank.bank_home, name="bank"),
    path("bank/statements/<int:statement_id>/", views_bank.bank_statement, name="bank-statement"),
    path("bank/lines/<int:line_id>/confirm/", views_bank.line_confirm, name="bank-line-confirm"),
    path("bank/lines/<int:line_id>/match/", views_bank.line_match, name="bank-line-match"),
    path("bank/lines/<int:line_id>/ignore/", views_bank.line_ignore, name="bank-line-ignore"),
    path("bank/lines/<int:line_id>/reopen/", views_bank.line_reopen, name="bank-line-reopen"),
    path("bank/matches/<int:match_id>/reverse/", views_bank.match_reverse, name="bank-match-reverse"),
    path("bank/remittances/<int:remittance_id>/reject/", views_bank.remittance_reject, name="bank-remittance-reject"),
    path("bank/rematch/", views_bank.rematch, name="bank-rematch"),
    path("bank/settings/", views_bank.bank_settings, name="bank-settings"),
    path("bank/mappings/", views_bank.mappings, name="bank-mappings"),
    path("bank/mappings/new/", views_bank.mapping_edit, name="bank-mapping-new"),
    path("bank/mappings/<int:mapping_id>/", views_bank.mapping_edit, name="bank-mapping-edit"),
]

payments_patterns = [
    path("providers/", views_payments.providers_page, name="providers"),
    path("payments/", views_payments.payments_page, name="payments"),
    path("payments/<int:payment_id>/refund/", views_payments.payment_refund, name="payment_refund"),
]

urlpatterns: list = [
    *core_patterns,
    *receivables_patterns,
    *statement_patterns,
    *bank_patterns,
    *payments_patterns,
    *rebates_invoices.console_urls,  # rebates, invoices
]
