"""The brand console's finance pages, mounted at /console/finance/ (namespace finance_console): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance.payments import views as views_payments

app_name = "finance_console"

payments_patterns = [
    path("providers/", views_payments.providers_page, name="providers"),
    path("payments/", views_payments.payments_page, name="payments"),
    path("payments/<int:payment_id>/refund/", views_payments.payment_refund, name="payment_refund"),
]

urlpatterns: list = [*payments_patterns]
