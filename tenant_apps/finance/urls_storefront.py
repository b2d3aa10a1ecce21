"""The dealer's finance pages on the storefront, mounted at /account/finance/ (namespace finance): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance.bank import views as views_bank

app_name = "finance"

bank_patterns = [
    path("transfers/", views_bank.transfers, name="transfers"),
    path("transfers/<int:remittance_id>/slip/", views_bank.transfer_slip, name="transfer-slip"),
]

urlpatterns: list = [*bank_patterns]
