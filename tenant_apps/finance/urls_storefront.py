"""The dealer's finance pages on the storefront, mounted at /account/finance/ (namespace finance): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance.payments import views as views_payments

app_name = "finance"

payments_patterns = [
    path("pay/", views_payments.pay_page, name="pay"),
    path("top-up/", views_payments.top_up_page, name="top_up"),
    path("payments/<int:payment_id>/", views_payments.payment_return, name="payment_return"),
]

urlpatterns: list = [*payments_patterns]
