"""REST API of finance, mounted at /api/v1/."""

from tenant_apps.core.routers import ApiRouter
from tenant_apps.finance.api import views

router = ApiRouter()
router.register("finance/accounts", views.AccountViewSet, basename="finance-account")

urlpatterns = router.urls
