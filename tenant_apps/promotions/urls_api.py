"""REST API of promotions, mounted at /api/v1/."""

from rest_framework.routers import SimpleRouter

from tenant_apps.promotions import api

router = SimpleRouter()
router.register("promotions", api.PromotionViewSet, basename="promotion")

urlpatterns = router.urls
