"""REST API of promotions, mounted at /api/v1/."""

from tenant_apps.core.routers import ApiRouter
from tenant_apps.promotions.api import views as api

router = ApiRouter()
router.register("promotions", api.PromotionViewSet, basename="promotion")

urlpatterns = router.urls
