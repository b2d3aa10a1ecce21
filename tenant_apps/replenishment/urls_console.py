"""Console pages, mounted at /console/replenishment/ (namespace replenishment_console)."""

from django.urls import path

from tenant_apps.replenishment import views_console as views

app_name = "replenishment_console"

urlpatterns = [
    path("", views.dealers_page, name="dealers"),
    path("dealers/<int:dealer_id>/", views.dealer_page, name="dealer"),
]
