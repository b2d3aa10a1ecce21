"""REST API of the approval chain, mounted at /api/v1/."""

from rest_framework.routers import SimpleRouter

from tenant_apps.approvals import api

router = SimpleRouter()
router.register("approvals", api.ApprovalViewSet, basename="approval")
router.register("orders", api.OrderDecisionViewSet, basename="order-decision")
router.register("approval-workflows", api.WorkflowViewSet, basename="approval-workflow")

urlpatterns = router.urls
