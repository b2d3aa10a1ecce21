from django.urls import path

from tenant_apps.ordering import views_storefront as views

app_name = "cart"

urlpatterns = [
    path("", views.cart_page, name="cart"),
    path("add/", views.cart_add, name="add"),
]
