"""The brand console's finance pages, mounted at /console/finance/ (namespace finance_console): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance import views_console
from tenant_apps.finance.pages import rebates_invoices

app_name = "finance_console"

core_patterns = [
    path("", views_console.home, name="home"),
    path("accounts/", views_console.accounts, name="accounts"),
    path("accounts/<int:dealer_id>/", views_console.account, name="account"),
    path("adjustments/", views_console.adjustments, name="adjustments"),
    path("adjustments/<int:adjustment_id>/approve/", views_console.adjustment_approve, name="adjustment-approve"),
    path("settings/", views_console.finance_settings, name="settings"),
]

urlpatterns: list = [
    *core_patterns,
    *rebates_invoices.console_urls,  # rebates, invoices
]
