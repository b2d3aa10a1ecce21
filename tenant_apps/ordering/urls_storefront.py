"""Storefront URLs of ordering: the cart and what fills it (`cart_patterns`, /cart/, namespace "cart") and the
dealer's orders (`orders_patterns`, /orders/, namespace "orders"); platform/dms/urls_tenant.py mounts both."""

from django.urls import path

from tenant_apps.ordering import views_storefront as views

cart_patterns = ([
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
], "cart")

orders_patterns = ([
    path("", views.my_orders, name="list"),
    path("<int:order_id>/", views.my_order, name="detail"),
    path("<int:order_id>/cancel/", views.my_order_cancel, name="cancel"),
    path("<int:order_id>/reorder/", views.my_order_reorder, name="reorder"),
    path("<int:order_id>/edit/", views.my_order_edit, name="edit"),
    path("<int:order_id>/confirm/", views.order_confirm, name="confirm"),
    path("<int:order_id>/decline/", views.order_decline, name="decline"),
    path("<int:order_id>/internal-approve/", views.internal_decide, {"decision": "approve"},
         name="internal-approve"),
    path("<int:order_id>/internal-decline/", views.internal_decide, {"decision": "decline"},
         name="internal-decline"),
], "orders")
