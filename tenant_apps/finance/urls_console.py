"""The brand console's finance pages, mounted at /console/finance/ (namespace finance_console): one list of
patterns per area, each area's views module adds its own."""

from tenant_apps.finance.pages import rebates_invoices

app_name = "finance_console"

urlpatterns: list = [
    *rebates_invoices.console_urls,  # rebates, invoices
]
