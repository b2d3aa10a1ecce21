"""The dealer's own approval of its buyers' larger orders (ordering.internal_approval), on the storefront: approve
or decline from the order's page; the waiting ones are listed on "My orders" for whoever may approve them."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import ORDERS_APPROVE_OWN, has_perm
from tenant_apps.core.errors import DomainError, NotFound
from tenant_apps.ordering import internal_approval
from tenant_apps.ordering.models import InternalApproval


def internal_state(request, order) -> dict | None:
    """The order's internal approval for its page: its state and whether the reader may decide it; None if it
    never needed one."""
    held = InternalApproval.objects.filter(order=order).select_related("decided_by", "requested_by").first()
    if held is None:
        return None
    return {"approval": held, "pending": held.status == InternalApproval.Status.PENDING,
            "may_decide": held.status == InternalApproval.Status.PENDING
            and has_perm(request.user, ORDERS_APPROVE_OWN)}


@requires(ORDERS_APPROVE_OWN)
@require_POST
def internal_decide(request, order_id: int, decision: str):
    try:
        if decision == "approve":
            order = internal_approval.order_internal_approve(actor=request.user, order_id=order_id)
            messages.success(request, _("Order %(number)s approved; it goes on to the brand.")
                             % {"number": order.number})
        else:
            order = internal_approval.order_internal_decline(actor=request.user, order_id=order_id,
                                                             reason=request.POST.get("reason", ""))
            messages.success(request, _("Order %(number)s declined.") % {"number": order.number})
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, " ".join([error.detail, *[m for ms in error.fields.values() for m in ms]]))
    return redirect("orders:detail", order_id=order_id)
