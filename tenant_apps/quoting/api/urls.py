"""REST API of quoting, mounted at /api/v1/."""

from django.urls import path

from tenant_apps.quoting.api import views

urlpatterns = [
    path("quote/", views.QuoteView.as_view(), name="quote"),
]
