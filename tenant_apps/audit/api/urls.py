from tenant_apps.audit.api import views
from tenant_apps.core.routers import ApiRouter

router = ApiRouter()
router.register("audit/entries", views.AuditEntryViewSet, basename="audit-entry")

urlpatterns = router.urls
