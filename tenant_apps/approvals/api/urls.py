"""REST API of the approval chain, mounted at /api/v1/."""

from tenant_apps.approvals.api import views
from tenant_apps.core.routers import ApiRouter

router = ApiRouter()
router.register("approvals", views.ApprovalViewSet, basename="approval")
router.register("orders", views.OrderDecisionViewSet, basename="order-decision")
router.register("approval-workflows", views.WorkflowViewSet, basename="approval-workflow")

urlpatterns = router.urls
