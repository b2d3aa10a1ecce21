from django.utils import timezone

from tenant_apps.accounts.access import is_console_user
from tenant_apps.accounts.permissions import CART_EDIT, ORDERS_VIEW_OWN, has_perm
from tenant_apps.console.nav import nav_for


def console(request):
    """Console navigation and the support-access banner, on tenant hosts only."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return {}
    context = {}
    if tenant.support_until and tenant.support_until > timezone.now():
        context["support_access"] = {"operator_email": tenant.support_operator, "expires_at": tenant.support_until}
    user = getattr(request, "user", None)
    if user is not None and is_console_user(user):
        context["console_nav"] = nav_for(request)
    if user is not None and has_perm(user, CART_EDIT):
        context["can_order"] = True
    if user is not None and has_perm(user, ORDERS_VIEW_OWN):
        context["is_dealer_user"] = True
    return context
