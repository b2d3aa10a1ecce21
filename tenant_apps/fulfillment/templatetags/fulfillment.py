"""`{% load fulfillment %}{% order_fulfillment order as f %}`: what the storefront partials show for one
order (its shipments with tracking, what may be returned, its returns), in a constant number of queries.
The partials `fulfillment/_order_shipments.html` and `fulfillment/_return_form.html` call it themselves,
so a page including them only needs `order` (and `request`) in its context."""

from __future__ import annotations

from django import template

from tenant_apps.accounts.permissions import CART_EDIT, has_perm
from tenant_apps.fulfillment import selectors
from tenant_apps.fulfillment.models import ReturnReason, ReturnRequest, Shipment
from tenant_apps.fulfillment.services import RETURNABLE
from tenant_apps.ordering.models import OrderStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def order_fulfillment(context, order) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    can_act = bool(user and has_perm(user, CART_EDIT) and user.dealer_id == order.dealer_id)
    returnable = [row for row in selectors.returnable_lines(order) if row.returnable] \
        if order.status in RETURNABLE else []
    return {
        "shipments": list(selectors.shipment_list(Shipment.objects.filter(order=order)).order_by("id")),
        "returns": list(selectors.return_list(ReturnRequest.objects.filter(order=order)).order_by("-id")),
        "returnable": returnable,
        "reasons": ReturnReason.choices,
        "can_confirm": can_act and order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
        "can_return": can_act and bool(returnable),
    }
