from tenant_apps.core.routers import ApiRouter
from tenant_apps.inventory.api import views

router = ApiRouter()
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("stock", views.StockViewSet, basename="stock")

urlpatterns = router.urls
