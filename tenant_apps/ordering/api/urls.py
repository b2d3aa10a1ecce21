"""URLs of the ordering API, mounted at /api/v1/ (platform/dms/urls_tenant.py)."""

from django.urls import path

from tenant_apps.ordering.api.internal import InternalApprovalViewSet
from tenant_apps.ordering.api.on_behalf import OnBehalfViewSet
from tenant_apps.ordering.api.views import CartViewSet, OrderTemplateViewSet, OrderViewSet


def _routes(viewset, mapping: dict, route: str, name: str):
    return path(route, viewset.as_view(mapping), name=name)


urlpatterns = [
    _routes(CartViewSet, {"get": "retrieve", "delete": "clear"}, "cart/", "cart"),
    _routes(CartViewSet, {"post": "line_add"}, "cart/lines/", "cart-lines"),
    _routes(CartViewSet, {"put": "line_set", "delete": "line_remove"}, "cart/lines/<int:line_id>/", "cart-line"),
    _routes(CartViewSet, {"put": "coupons"}, "cart/coupons/", "cart-coupons"),
    _routes(CartViewSet, {"post": "quick"}, "cart/quick/", "cart-quick"),
    _routes(CartViewSet, {"post": "upload"}, "cart/upload/", "cart-upload"),
    _routes(OrderTemplateViewSet, {"get": "list", "post": "create"}, "order-templates/", "order-templates"),
    _routes(OrderTemplateViewSet, {"get": "retrieve", "delete": "destroy"}, "order-templates/<int:pk>/",
            "order-template"),
    _routes(OrderTemplateViewSet, {"post": "load"}, "order-templates/<int:pk>/load/", "order-template-load"),
    _routes(OrderViewSet, {"get": "list", "post": "create"}, "orders/", "orders"),
    _routes(OrderViewSet, {"get": "retrieve"}, "orders/<int:pk>/", "order"),
    _routes(OrderViewSet, {"post": "cancel"}, "orders/<int:pk>/cancel/", "order-cancel"),
    _routes(OrderViewSet, {"post": "reorder"}, "orders/<int:pk>/reorder/", "order-reorder"),
    _routes(OrderViewSet, {"post": "revise"}, "orders/<int:pk>/revise/", "order-revise"),
    _routes(OnBehalfViewSet, {"post": "confirm"}, "orders/<int:pk>/confirm/", "order-confirm"),
    _routes(OnBehalfViewSet, {"post": "decline"}, "orders/<int:pk>/decline/", "order-decline"),
    _routes(OnBehalfViewSet, {"post": "place"}, "dealers/<int:dealer_id>/orders/", "dealer-orders-place"),
    _routes(InternalApprovalViewSet, {"post": "approve"}, "orders/<int:pk>/internal-approve/",
            "order-internal-approve"),
    _routes(InternalApprovalViewSet, {"post": "decline"}, "orders/<int:pk>/internal-decline/",
            "order-internal-decline"),
]
