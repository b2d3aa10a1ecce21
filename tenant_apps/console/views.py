from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tenant_apps.accounts.access import console_required, is_console_user, requires
from tenant_apps.accounts.permissions import (
    CART_EDIT,
    FULFILLMENT_SHIP,
    ORDERS_APPROVE,
    ORDERS_VIEW,
    ORDERS_VIEW_OWN,
    SETTINGS_EDIT,
    has_perm,
)
from tenant_apps.approvals.selectors import approval_inbox
from tenant_apps.console.checklist import checklist_for
from tenant_apps.console.forms import BrandingForm
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.fulfillment.selectors import work_waiting
from tenant_apps.ordering.presentation import STATUS_TONE
from tenant_apps.ordering.selectors import dealer_overview, frequently_ordered, order_status_counts
from tenants import services as tenant_services

HOME_FREQUENT = 5  # frequently ordered products on the dealer home; the rest on their own page


def home(request):
    """The storefront home on the brand's host; console users go to the console. A dealer's people see what
    waits for them (orders not submitted, goods to confirm), their orders under way, the latest ones and the cart."""
    if is_console_user(request.user):
        return redirect("console:home")
    user = request.user
    context = {}
    if user.is_authenticated and getattr(user, "dealer_id", None) and has_perm(user, ORDERS_VIEW_OWN):
        overview = dealer_overview(actor=user)
        for key in ("waiting", "recent"):  # as "My orders" lists them (ordering/_order_card.html)
            overview[key] = [{"order": order, "tone": STATUS_TONE.get(order.status, "")} for order in overview[key]]
        can_order = has_perm(user, CART_EDIT)
        context = {"overview": overview, "can_order": can_order,
                   "frequent": frequently_ordered(actor=user, limit=HOME_FREQUENT) if can_order else []}
    return render(request, "console/storefront_home.html", context)


@console_required
def console_home(request):
    steps = checklist_for(request.tenant, user=request.user)
    work = _work_for(request.user)
    return render(request, "console/console_home.html", {
        "steps": steps, "done_count": sum(step["done"] for step in steps),
        # shown once something waits for this person (an empty panel of zeros helps no one)
        "work": work if any(item["count"] for item in work) else [],
    })


def _work_for(user) -> list[dict]:
    """What waits for this person, by what they may do: orders at their approval step, orders to allocate and to
    ship and returns (warehouse), orders placed today (anyone who reads orders). One or two queries each."""
    work = []
    if has_perm(user, ORDERS_APPROVE):
        work.append({"key": "approvals", "label": _("Waiting for your approval"), "url": reverse("approvals:inbox"),
                     "count": approval_inbox(actor=user).count()})
    if has_perm(user, FULFILLMENT_SHIP):
        waiting = work_waiting(actor=user)
        home = reverse("fulfillment:home")
        work += [{"key": "to_allocate", "label": _("To allocate"), "url": home + "#to-allocate",
                  "count": waiting["to_allocate"]},
                 {"key": "to_ship", "label": _("To ship"), "url": home + "#to-ship", "count": waiting["to_ship"]},
                 {"key": "returns", "label": _("Returns waiting"), "url": reverse("fulfillment:returns"),
                  "count": waiting["returns"]}]
    if has_perm(user, ORDERS_VIEW):
        today = timezone.localdate()
        placed = sum(order_status_counts(actor=user, date_from=today, date_to=today).values())
        work.append({"key": "today", "label": _("Orders placed today"), "count": placed,
                     "url": f"{reverse('orders_console:board')}?from={today:%Y-%m-%d}&to={today:%Y-%m-%d}"})
    return work


@requires(SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def company(request):
    tenant = request.tenant
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                tenant_services.tenant_branding_update(
                    actor=request.user, tenant=tenant, display_name=form.cleaned_data["display_name"],
                    primary_colour=form.cleaned_data["primary_colour"],
                    default_locale=form.cleaned_data["default_locale"], logo=form.cleaned_data["logo"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("console:company")
    else:
        form = BrandingForm(initial={"display_name": tenant.display_name, "primary_colour": tenant.primary_colour,
                                     "default_locale": tenant.default_locale})
    return render(request, "console/company.html", {"form": form}, status=400 if form.is_bound else 200)
