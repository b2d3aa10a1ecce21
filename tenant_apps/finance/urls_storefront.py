"""The dealer's finance pages on the storefront, mounted at /account/finance/ (namespace finance): one list of
patterns per area, each area's views module adds its own."""

from tenant_apps.finance.pages import rebates_invoices

app_name = "finance"

urlpatterns: list = [
    *rebates_invoices.storefront_urls,  # rebates, invoices
]
