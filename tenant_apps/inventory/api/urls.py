from tenant_apps.core.routers import ApiRouter
from tenant_apps.inventory.api import views

router = ApiRouter()
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("stock", views.StockViewSet, basename="stock")
router.register("catalog/skus", views.SkuStockViewSet, basename="catalog-sku")

urlpatterns = router.urls
