from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing_saas.limits import feature_enabled
from billing_saas.models import Feature
from dms.ui import listing
from tenant_apps.accounts.access import console_required, is_console_user, requires
from tenant_apps.accounts.permissions import (
    AUDIT_VIEW,
    BILLING_MANAGE,
    CART_EDIT,
    FULFILLMENT_SHIP,
    ORDERS_APPROVE,
    ORDERS_VIEW,
    ORDERS_VIEW_OWN,
    SETTINGS_EDIT,
    SUPPLIER_ORDERS,
    SUPPLIERS_MANAGE,
    Scope,
    has_perm,
    scope_of,
)
from tenant_apps.approvals.selectors import approval_inbox
from tenant_apps.audit.labels import action_label, subject_label
from tenant_apps.console.checklist import checklist_for
from tenant_apps.console.forms import AuditFilterForm, BrandingForm
from tenant_apps.console.selectors import AuditFilters, audit_entry_list
from tenant_apps.console.services import supplier_start, supplier_stop
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers import services as dealers_services
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.selectors import dealers_visible_to, network_settings, supplier_get, supplier_list
from tenant_apps.fulfillment.selectors import work_waiting
from tenant_apps.ordering.presentation import STATUS_TONE
from tenant_apps.ordering.selectors import (
    dealer_overview,
    frequently_ordered,
    order_status_counts,
)
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
        context = {"overview": overview, "can_order": can_order, "supplier": has_perm(user, SUPPLIER_ORDERS),
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


# The audit log's page
AUDIT_PER_PAGE = 50
AUDIT_HIDDEN = ("action", "target_type", "dealer")
# The records an entry links to (pages every reader of the log may open, for rows that are never deleted).
AUDIT_LINKS = {"ordering.order": "orders_console:detail", "dealers.dealer": "dealers:detail"}


def _changes(before: dict, after: dict) -> list[dict]:
    """before -> after per field, in the order the entry lists them."""
    keys = list(dict.fromkeys([*before, *after]))
    return [{"field": key, "before": before.get(key, ""), "after": after.get(key, ""), "had": key in before}
            for key in keys]


@requires(AUDIT_VIEW)
def audit_log(request):
    """The audit log: who changed what, when, before and after, newest first, in the reader's scope."""
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if form.is_bound and valid else AuditFilters()
    entries = audit_entry_list(actor=request.user, filters=filters)
    if not valid:
        entries = entries.none()
    page = listing(request, entries, sorts={"when": "created_at"}, default="-when", per_page=AUDIT_PER_PAGE)
    rows = []
    for entry in page.page:
        link = AUDIT_LINKS.get(entry.target_type)
        rows.append({
            "entry": entry, "subject": subject_label(entry.action), "verb": action_label(entry.action),
            "changes": _changes(entry.before or {}, entry.after or {}),
            "link": reverse(link, args=[entry.target_id]) if link and entry.target_id.isdigit() else "",
        })
    return render(request, "console/audit.html", {
        "listing": page, "rows": rows, "form": form, "scoped": scope_of(request.user) != Scope.ALL,
        "filter_errors": {} if valid else form.errors,
        "has_filters": any(value for key, value in request.GET.items() if key not in ("page", "sort")),
        # filters given by links (an order's or a dealer's history), kept when the form is sent again
        "hidden": [(name, request.GET[name][:64]) for name in AUDIT_HIDDEN if request.GET.get(name)],
    }, status=200 if valid else 400)


# --- suppliers (S2B2B): headquarters makes dealers suppliers to their sub-dealers ----------------------------


@requires(SUPPLIERS_MANAGE)
@require_http_methods(["GET", "POST"])
def suppliers_page(request):
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "designate":
                code = request.POST.get("dealer_code", "").strip()
                dealer = dealers_visible_to(request.user).filter(code=code).first() if code else None
                if dealer is None:
                    raise DealerNotFound(_("No dealer with this code."))
                supplier_start(actor=request.user, dealer=dealer)
                messages.success(request, _("%(name)s now supplies its sub-dealers.") % {"name": dealer.display_name})
            elif action == "stop":
                supplier = supplier_get(node_id=request.POST.get("node", ""))
                supplier_stop(actor=request.user, supplier=supplier)
                messages.success(request, _("%(name)s is no longer a supplier.") % {"name": supplier.node.name})
            elif action == "orders_view":
                dealers_services.network_orders_view_update(
                    actor=request.user, hq_orders_only_own=request.POST.get("only_own") == "1")
                messages.success(request, _("Saved."))
        except DomainError as error:
            messages.error(request, str(error.detail))
        return redirect("console:suppliers")
    return render(request, "console/suppliers.html", {
        "suppliers": supplier_list(), "only_own": network_settings().hq_orders_only_own,
        "available": feature_enabled(Feature.MULTI_TIER), "may_billing": has_perm(request.user, BILLING_MANAGE)})
