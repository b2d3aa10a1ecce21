from django.urls import path

from tenant_apps.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock, name="warehouses"),
    path("ledger/", views.ledger, name="ledger"),
]
