from django.urls import path

from tenant_apps.catalog import views, views_transfer

app_name = "catalog_console"

urlpatterns = [
    # Console pages (views.py).
    path("", views.product_list, name="products"),
    # Import / export (views_transfer.py).
    path("import/", views_transfer.catalog_import, name="import"),
    path("export/", views_transfer.catalog_export, name="export"),
]
