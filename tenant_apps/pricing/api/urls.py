"""REST API of pricing, mounted at /api/v1/."""

from tenant_apps.core.routers import ApiRouter
from tenant_apps.pricing.api import views as api

router = ApiRouter()
router.register("pricing/lists", api.PriceListViewSet, basename="pricing-list")
router.register("pricing/entries", api.PriceEntryViewSet, basename="pricing-entry")
router.register("pricing/protections", api.ProtectionWindowViewSet, basename="pricing-protection")
router.register("pricing/compensations", api.CompensationViewSet, basename="pricing-compensation")
router.register("pricing/floor-violations", api.FloorViolationViewSet, basename="pricing-floor-violation")
router.register("pricing/resale-prices", api.ResalePriceViewSet, basename="pricing-resale-price")

urlpatterns = router.urls
