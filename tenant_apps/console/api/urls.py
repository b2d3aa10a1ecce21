from tenant_apps.console.api import supplier_receivables, views
from tenant_apps.core.routers import ApiRouter

router = ApiRouter()
router.register("audit/entries", views.AuditEntryViewSet, basename="audit-entry")
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("supplier/orders", views.SupplierOrderViewSet, basename="supplier-order")
router.register("supplier/dealers", views.SupplierDealerViewSet, basename="supplier-dealer")
router.register("supplier/price-lists", views.SupplierPriceListViewSet, basename="supplier-price-list")
router.register("supplier/promotions", views.SupplierPromotionViewSet, basename="supplier-promotion")
router.register("supplier/warehouses", views.SupplierWarehouseViewSet, basename="supplier-warehouse")
router.register("supplier/receivables", supplier_receivables.SupplierReceivableViewSet,
                basename="supplier-receivable")
router.register("supplier/demand", views.SupplierDemandViewSet, basename="supplier-demand")
router.register("supplier/safety-stock", views.SupplierSafetyStockViewSet, basename="supplier-safety-stock")

urlpatterns = router.urls
