from django.urls import path

from tenant_apps.integrations.api import views

urlpatterns = [
    path("orders/changes/", views.OrderChanges.as_view(), name="integrations-order-changes"),
    path("shipments/changes/", views.ShipmentChanges.as_view(), name="integrations-shipment-changes"),
    path("orders/<str:number>/acknowledge/", views.OrderAcknowledge.as_view(),
         name="integrations-order-acknowledge"),
    path("shipments/confirm/", views.ShipmentConfirm.as_view(), name="integrations-shipment-confirm"),
]
