"""REST API of the approval chain, mounted at /api/v1/."""

from tenant_apps.approvals import api
from tenant_apps.core.routers import ApiRouter

router = ApiRouter()
router.register("approvals", api.ApprovalViewSet, basename="approval")
router.register("orders", api.OrderDecisionViewSet, basename="order-decision")
router.register("approval-workflows", api.WorkflowViewSet, basename="approval-workflow")

urlpatterns = router.urls
