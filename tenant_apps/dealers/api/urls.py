"""The dealer network API, on tenant hosts under /api/v1/ (platform/dms/urls_tenant.py)."""

from django.urls import path

from tenant_apps.core.routers import ApiRouter
from tenant_apps.dealers.api import people, views

app_name = "dealers-api"

router = ApiRouter()
router.register("dealers", views.DealerViewSet, basename="dealer")
router.register("network/nodes", views.NodeViewSet, basename="node")
router.register("tiers", views.TierViewSet, basename="tier")
router.register("territories", views.TerritoryViewSet, basename="territory")
router.register("qualification-types", views.QualificationTypeViewSet, basename="qualification-type")

# The network's people, without the "dealers-api" name space (api-users, api-invitations): mounted under /api/v1/
# by the tenant URLconf.
people_patterns = [
    path("users/", views.UserList.as_view(), name="api-users"),
    path("invitations/", views.InvitationList.as_view(), name="api-invitations"),
]

urlpatterns = [
    path("me/company/", views.MyCompanyViewSet.as_view({"get": "retrieve"}), name="my-company"),
    path("me/company/people/", people.CompanyPeopleViewSet.as_view({"get": "list"}), name="my-company-people"),
    path("me/company/people/<int:pk>/", people.CompanyPeopleViewSet.as_view({"patch": "partial_update"}),
         name="my-company-person"),
    *router.urls,
]
