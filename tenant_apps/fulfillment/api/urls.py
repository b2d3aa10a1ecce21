"""REST API of fulfilment, mounted at /api/v1/."""

from django.urls import path

from tenant_apps.core.routers import ApiRouter
from tenant_apps.fulfillment.api import views

router = ApiRouter()
router.register("shipments", views.ShipmentViewSet, basename="shipment")
router.register("returns", views.ReturnViewSet, basename="return")
router.register("carriers", views.CarrierViewSet, basename="carrier")
router.register("fulfillment/orders", views.FulfillmentOrderViewSet, basename="fulfillment-order")

urlpatterns = [
    path("carriers/<slug:code>/webhook/", views.CarrierWebhookView.as_view(), name="carrier-webhook"),
    *router.urls,
]
