"""Billing's URLs on the platform host (mounted under /billing/ by dms.urls_public)."""

from django.urls import path

from billing_saas import views

app_name = "billing"
urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
