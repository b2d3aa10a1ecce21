from django.urls import path

from tenant_apps.integrations.api import views

urlpatterns = [
    path("orders/changes/", views.OrderChanges.as_view(), name="integrations-order-changes"),
    path("shipments/changes/", views.ShipmentChanges.as_view(), name="integrations-shipment-changes"),
    path("orders/<str:number>/acknowledge/", views.OrderAcknowledge.as_view(),
         name="integrations-order-acknowledge"),
    path("shipments/confirm/", views.ShipmentConfirm.as_view(), name="integrations-shipment-confirm"),
    path("dealers/bulk/", views.DealersUpsert.as_view(), name="integrations-dealers-bulk"),
    path("skus/bulk/", views.SkusUpsert.as_view(), name="integrations-skus-bulk"),
    path("prices/bulk/", views.PricesUpsert.as_view(), name="integrations-prices-bulk"),
    path("sell-out/", views.SellOutRecords.as_view(), name="integrations-sell-out"),
]
