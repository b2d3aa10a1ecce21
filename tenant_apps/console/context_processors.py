from django.utils import timezone

from billing_saas.limits import UPGRADE_PATH
from billing_saas.selectors import read_only_from
from tenant_apps.accounts.access import is_console_user
from tenant_apps.accounts.permissions import CART_EDIT, ORDERS_VIEW_OWN, has_perm
from tenant_apps.console.nav import nav_for


def _billing_notice(tenant, user, staff: bool) -> dict | None:
    """The banner of an unpaid workspace: past due, to the brand's staff, with the date it turns read-only (one
    query, only then); read-only, to everyone signed in (dealers learn why nothing can be ordered). The staff get
    the link to pay."""
    state = tenant.billing_state
    if state == "past_due" and staff:
        return {"state": state, "pay_by": read_only_from(tenant.pk), "url": UPGRADE_PATH, "can_pay": True}
    if state == "read_only" and user is not None and user.is_authenticated:
        return {"state": state, "pay_by": None, "url": UPGRADE_PATH, "can_pay": staff}
    return None


def console(request):
    """Console navigation, the support-access banner and the billing banner, on tenant hosts only."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return {}
    context = {}
    if tenant.support_until and tenant.support_until > timezone.now():
        context["support_access"] = {"operator_email": tenant.support_operator, "expires_at": tenant.support_until}
    user = getattr(request, "user", None)
    staff = user is not None and is_console_user(user)
    if staff:
        context["console_nav"] = nav_for(request)
    if tenant.billing_state:
        context["billing_notice"] = _billing_notice(tenant, user, staff)
    if user is not None and has_perm(user, CART_EDIT):
        context["can_order"] = True
    if user is not None and has_perm(user, ORDERS_VIEW_OWN):
        context["is_dealer_user"] = True
    return context
