"""Storefront fragments of recommendations, mounted at /recommendations/ (namespace "recommendations")."""

from django.urls import path

from tenant_apps.recommendations import views_storefront as views

app_name = "recommendations"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("product/<int:product_id>/", views.product, name="product"),
    path("cart/", views.cart, name="cart"),
]
