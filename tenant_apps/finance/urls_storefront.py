"""The dealer's finance pages on the storefront, mounted at /account/finance/ (namespace finance): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance import views_storefront
from tenant_apps.finance.pages import rebates_invoices

app_name = "finance"

core_patterns = [
    path("", views_storefront.home, name="home"),
    path("ledger/", views_storefront.ledger, name="ledger"),
]

urlpatterns: list = [
    *core_patterns,
    *rebates_invoices.storefront_urls,  # rebates, invoices
]
