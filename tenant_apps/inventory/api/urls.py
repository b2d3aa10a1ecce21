from rest_framework.routers import SimpleRouter

from tenant_apps.inventory.api import views

router = SimpleRouter()
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("stock", views.StockViewSet, basename="stock")

urlpatterns = router.urls
