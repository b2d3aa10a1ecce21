"""`{% load fulfillment %}{% order_shipments order as f %}` and `{% order_returns order as f %}`: what the
storefront partials show for one order (its shipments with tracking; what may be returned and its returns),
each in a constant number of queries. The partials `fulfillment/_order_shipments.html` and
`fulfillment/_return_form.html` call them themselves, so a page including them only needs `order` (and
`request`) in its context; each partial reads only what it shows."""

from __future__ import annotations

from django import template
from django.db.models import Q

from tenant_apps.accounts.permissions import CART_EDIT, has_perm
from tenant_apps.fulfillment import selectors
from tenant_apps.fulfillment.models import ReturnReason, ReturnRequest, Shipment
from tenant_apps.fulfillment.services import RETURNABLE
from tenant_apps.ordering.models import OrderStatus

register = template.Library()


def _can_act(context, order) -> bool:
    user = getattr(context.get("request"), "user", None)
    return bool(user and has_perm(user, CART_EDIT) and user.dealer_id == order.dealer_id)


@register.simple_tag(takes_context=True)
def order_shipments(context, order) -> dict:
    return {
        # its own, and headquarters' drop-ships to it (S2B2B pass-up: the supplier's order to headquarters)
        "shipments": list(selectors.shipment_list(Shipment.objects.filter(
            Q(order=order) | Q(drop_ship_for=order))).order_by("id")),
        "can_confirm": order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and _can_act(context, order),
    }


@register.simple_tag(takes_context=True)
def order_returns(context, order) -> dict:
    returnable = [row for row in selectors.returnable_lines(order) if row.returnable] \
        if order.status in RETURNABLE else []
    return {
        "returns": list(selectors.return_list(ReturnRequest.objects.filter(order=order)).order_by("-id")),
        "returnable": returnable,
        "reasons": ReturnReason.choices,
        "can_return": bool(returnable) and _can_act(context, order),
    }
