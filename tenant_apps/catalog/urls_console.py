from django.urls import path

from tenant_apps.catalog import views

app_name = "catalog_console"

urlpatterns = [
    # Console pages (views.py).
    path("", views.product_list, name="products"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<int:product_id>/", views.product_detail, name="product"),
    path("products/<int:product_id>/status/", views.product_status, name="product-status"),
    path("products/<int:product_id>/visibility/", views.product_visibility, name="product-visibility"),
    path("products/<int:product_id>/images/", views.product_images, name="product-images"),
    path("products/<int:product_id>/images/<int:image_id>/delete/", views.product_image_delete,
         name="product-image-delete"),
    path("products/<int:product_id>/images/<int:image_id>/move/", views.product_image_move,
         name="product-image-move"),
    path("products/<int:product_id>/skus/new/", views.sku_create, name="sku-create"),
    path("products/<int:product_id>/skus/<int:sku_id>/", views.sku_detail, name="sku"),
    path("products/<int:product_id>/skus/<int:sku_id>/units/", views.sku_unit_add, name="sku-unit-add"),
    path("products/<int:product_id>/skus/<int:sku_id>/units/<int:unit_id>/delete/", views.sku_unit_remove,
         name="sku-unit-remove"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:category_id>/", views.category_edit, name="category"),
    path("series/", views.series_list, name="series"),
    path("series/<int:series_id>/", views.series_rename, name="series-rename"),
    path("images/", views.bulk_images, name="images"),
    # Import / export.
    path("import/", views.catalog_import, name="import"),
    path("export/", views.catalog_export, name="export"),
]
