from django.urls import path

from tenant_apps.fulfillment import views

app_name = "fulfillment"

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/picking/<int:warehouse_id>/", views.picking_list, name="picking"),
    path("bulk/allocate/", views.bulk_allocate, name="bulk-allocate"),
    path("bulk/ship/", views.bulk_ship, name="bulk-ship"),
    path("bulk/picking/", views.bulk_picking, name="bulk-picking"),
    path("shipments/", views.shipments, name="shipments"),
    path("returns/", views.returns, name="returns"),
    path("carriers/", views.carriers, name="carriers"),
]
