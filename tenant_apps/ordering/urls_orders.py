"""Storefront URLs of the dealer's orders (/orders/, namespace "orders")."""

from django.urls import path

from tenant_apps.ordering import views_storefront as views

app_name = "orders"

urlpatterns = [
    path("", views.my_orders, name="list"),
    path("<int:order_id>/", views.my_order, name="detail"),
    path("<int:order_id>/cancel/", views.my_order_cancel, name="cancel"),
    path("<int:order_id>/reorder/", views.my_order_reorder, name="reorder"),
    path("<int:order_id>/edit/", views.my_order_edit, name="edit"),
]
