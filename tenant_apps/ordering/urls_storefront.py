"""Storefront URLs of the cart and what fills it (/cart/, namespace "cart"); the dealer's orders are in
urls_orders (/orders/)."""

from django.urls import path

from tenant_apps.ordering import views_storefront as views

app_name = "cart"

urlpatterns = [
    path("", views.cart_page, name="cart"),
    path("add/", views.cart_add, name="add"),
    path("checkout/", views.checkout, name="checkout"),
    path("quick/", views.quick_order, name="quick"),
    path("frequent/", views.frequent, name="frequent"),
    path("upload/", views.upload, name="upload"),
    path("upload/order.csv", views.upload_template, name="upload_template"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:template_id>/load/", views.template_action, {"action": "load"}, name="template_load"),
    path("templates/<int:template_id>/delete/", views.template_action, {"action": "delete"},
         name="template_delete"),
]
