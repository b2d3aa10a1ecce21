from django.urls import path

from tenant_apps.fulfillment import views_storefront as views

app_name = "shipments"

urlpatterns = [
    path("", views.shipments_page, name="list"),
    path("orders/<int:order_id>/", views.order_page, name="order"),
    path("orders/<int:order_id>/confirm/", views.confirm_receipt, name="confirm"),
    path("orders/<int:order_id>/returns/", views.return_create, name="return_create"),
]
