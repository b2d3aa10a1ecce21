"""The brand console's finance pages, mounted at /console/finance/ (namespace finance_console): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance.bank import views as views_bank

app_name = "finance_console"

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

urlpatterns: list = [*bank_patterns]
