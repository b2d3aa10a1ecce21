"""Storefront pages, mounted at /replenishment/ (namespace replenishment)."""

from django.urls import path

from tenant_apps.replenishment import views_storefront as views

app_name = "replenishment"

urlpatterns = [
    path("", views.suggestions_page, name="suggestions"),
    path("manage/", views.manage_page, name="manage"),
]
