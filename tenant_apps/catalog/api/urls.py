"""REST API of the catalog, mounted at /api/v1/."""

from tenant_apps.catalog.api import transfer, views
from tenant_apps.core.routers import ApiRouter

router = ApiRouter()
router.register("catalog/categories", views.CategoryViewSet, basename="catalog-category")
router.register("catalog/products", views.ProductViewSet, basename="catalog-product")
# catalog/skus: served by inventory/api (the same list, with each SKU's stock for the reader).
urlpatterns = [*transfer.urlpatterns, *router.urls]  # import / export: api/transfer.py
