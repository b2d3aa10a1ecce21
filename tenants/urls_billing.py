"""The brand console's plan and billing, included by tenant_apps.console.urls_console under /console/billing/."""

from django.urls import path

from tenants import views_billing

urlpatterns = [
    path("", views_billing.billing, name="billing"),
    path("change/", views_billing.plan_change, name="billing-change"),
    path("checkout/", views_billing.checkout, name="billing-checkout"),
    path("portal/", views_billing.portal, name="billing-portal"),
    path("prepay/", views_billing.prepay, name="billing-prepay"),
    path("cancel/", views_billing.cancel, name="billing-cancel"),
    path("resume/", views_billing.resume, name="billing-resume"),
]
