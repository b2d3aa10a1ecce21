from django.urls import path

from tenant_apps.console import views_storefront as views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_home, name="home"),
    path("products/<int:product_id>/", views.product_page, name="product"),
]
