"""Pick the tenant from the Host header alone, and answer clearly when there is none to serve.

- the platform host (PLATFORM_DOMAIN) serves the public urlconf in the public schema;
- a tenant's host serves the tenant urlconf in that tenant's schema;
- an unknown host, or a custom domain still waiting for DNS verification: 404 (a page, or JSON under /api/);
- an active domain that is not the tenant's primary: a permanent redirect to the primary host;
- a suspended tenant: 403 "suspended", a page in the reader's language saying why and whom to contact, where the
  owner may sign in to see the plan (SuspendedWorkspaceMiddleware), or JSON under /api/; a deleted one: 404;
- a workspace billing made read-only (unpaid): every write but signing in and out and paying is 402, a page saying
  why or JSON under /api/; reading goes on (ReadOnlyWorkspaceMiddleware);
- the database unreachable: 503, never a 500.
No header, parameter or body field can choose a schema.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from billing_saas.limits import UPGRADE_PATH, WorkspaceReadOnly, read_only_message
from dms.logcontext import tenant_var
from dms.observability import tag_tenant
from tenant_apps.core.errors import error_response, wants_json
from tenants.models import Domain, TenantStatus
from tenants.selectors import domain_for_host

logger = logging.getLogger(__name__)


def unavailable_response(request) -> HttpResponse:
    response = error_response(
        request,
        status=503,
        code="service_unavailable",
        title=_("Service temporarily unavailable"),
        detail=_("We cannot reach our database right now. Please try again in a minute."),
    )
    response["Retry-After"] = "30"
    return response


def primary_redirect(request, domain: Domain, port: str) -> HttpResponse | None:
    """Send a request on a secondary domain to the same path on the tenant's primary domain (one query).

    The port is kept only for a platform subdomain (development runs on one port for all of them);
    a brand's custom domain is served on the default port. GET and HEAD get a 301; other methods a
    308, so that a client repeats its POST there rather than turning it into a GET.
    """
    primary = (
        Domain.objects.filter(tenant_id=domain.tenant_id, is_primary=True, status=Domain.Status.ACTIVE)
        .values_list("domain", flat=True)
        .first()
    )
    if primary is None or primary == domain.domain:
        return None
    host = f"{primary}:{port}" if port and primary.endswith(f".{settings.PLATFORM_HOST}") else primary
    response = HttpResponsePermanentRedirect(f"{request.scheme}://{host}{request.get_full_path()}")
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308
    return response


class TenantRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(translation.get_language_from_request(request))
        connection.set_schema_to_public()
        request.tenant = None
        try:
            host, port = split_domain_port(request.get_host())
        except DisallowedHost:
            host, port = "", ""
        if host and host == settings.PLATFORM_HOST:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            tenant_var.set("public")
            return self.get_response(request)
        domain = None
        if host:
            try:
                domain = domain_for_host(host)
            except (OperationalError, InterfaceError):
                logger.exception("database unreachable while routing host", extra={"host": host})
                return unavailable_response(request)
        if (
            domain is None
            or domain.status != Domain.Status.ACTIVE
            or domain.tenant.status == TenantStatus.DELETED
        ):
            return error_response(
                request,
                status=404,
                code="unknown_host",
                title=_("No workspace here"),
                detail=_(
                    "There is no workspace at this address. Check the address, or ask your brand for the right link."
                ),
            )
        tenant = domain.tenant
        # A suspended workspace is served on: SuspendedWorkspaceMiddleware (after sign-in) answers every page but
        # signing in and out with the page that says why, so that its owner can sign in and see the billing.
        if not domain.is_primary:
            try:
                redirect = primary_redirect(request, domain, port)
            except (OperationalError, InterfaceError):
                logger.exception("database unreachable while routing host", extra={"host": host})
                return unavailable_response(request)
            if redirect is not None:
                return redirect
        request.tenant = tenant
        request.tenant_domain = domain
        connection.set_tenant(tenant)
        tenant_var.set(tenant.schema_name)
        tag_tenant(tenant.schema_name)
        try:
            return self.get_response(request)
        finally:
            connection.set_schema_to_public()

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database error during request", exc_info=exception)
            return unavailable_response(request)
        return None


# Paths a suspended workspace still serves: signing in and out (so the owner can read the billing) and its logo.
SUSPENDED_OPEN_PATHS = ("/accounts/login/", "/accounts/logout/", "/media/branding/")


def suspended_response(request, tenant) -> HttpResponse:
    """403: why the workspace is closed, whom to contact (the platform's support, not the brand), and for its
    owner, signed in, the plan and trial (the billing). Two queries: the suspension, and the plan for the owner."""
    if wants_json(request):
        return JsonResponse({"code": "tenant_suspended", "detail": _("This workspace is suspended.")}, status=403)
    from tenants.selectors import tenant_suspension

    user = getattr(request, "user", None)
    is_owner = bool(user is not None and user.is_authenticated and getattr(user, "is_owner", False))
    plan = tenant.plan if is_owner and tenant.plan_id else None
    html = render_to_string("tenants/suspended.html", {
        "tenant": tenant,
        "brand_name": tenant.brand_name,
        "suspension": tenant_suspension(tenant),
        "support_email": settings.PLATFORM_SUPPORT_EMAIL,
        "platform_domain": settings.PLATFORM_DOMAIN,
        "signed_in": bool(user is not None and user.is_authenticated),
        "is_owner": is_owner,
        "plan": plan,
        "plan_price": plan.price(tenant.default_currency, "month") if plan else None,
    }, request=request)
    return HttpResponse(html, status=403)


class SuspendedWorkspaceMiddleware:
    """After authentication: on a suspended workspace's host, every page but signing in and out is the
    suspended page (403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (tenant is not None and tenant.status == TenantStatus.SUSPENDED
                and not request.path.startswith(SUSPENDED_OPEN_PATHS)):
            return suspended_response(request, tenant)
        return self.get_response(request)


# What a read-only workspace still takes writes on: signing in and out (the API's too) and resetting a password (the
# owner must get in to pay), the language switch, and the plan and billing pages (and their API) where it is paid;
# and the payment providers' webhooks (a dealer's money already taken is recorded whatever the brand's plan).
READ_ONLY_OPEN_PATHS = ("/accounts/login/", "/accounts/logout/", "/accounts/password/reset/", "/accounts/handoff/",
                        "/api/v1/auth/login/", "/api/v1/auth/logout/", "/api/v1/auth/password/reset/", "/i18n/",
                        UPGRADE_PATH, "/api/v1/billing/", "/finance/payments/webhook/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def read_only_response(request, tenant) -> HttpResponse:
    """402: the workspace is read-only because its subscription is unpaid; what still works, and where to pay.
    JSON under /api/ (the error shape, code workspace_read_only)."""
    refused = WorkspaceReadOnly(read_only_message())
    if wants_json(request):
        return JsonResponse(refused.as_dict(), status=refused.status)
    from tenant_apps.accounts.access import is_console_user

    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and is_console_user(user))
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "tenants/read_only.html", {
        "layout": "layouts/console.html" if staff else "layouts/storefront.html", "can_pay": staff,
        "upgrade_path": UPGRADE_PATH, "back": back,
    }, status=refused.status)


class ReadOnlyWorkspaceMiddleware:
    """After authentication: on the host of a workspace billing made read-only (unpaid, cancelled), every unsafe
    request (POST, PUT, PATCH, DELETE) but signing in and out and paying is refused with 402 and a page that says
    why; every page can still be read (dealers see their orders)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (tenant is not None and tenant.billing_state == "read_only" and request.method not in SAFE_METHODS
                and not request.path.startswith(READ_ONLY_OPEN_PATHS)):
            return read_only_response(request, tenant)
        return self.get_response(request)
