"""Project-wide middleware: health probes and request context (request id, log context)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from dms import health
from dms.logcontext import new_request_id, request_id_var, tenant_var


class HealthCheckMiddleware:
    """Answer /healthz and /readyz on any host, before host validation and tenant routing.

    Kubernetes probes reach pods by IP, so these paths must not depend on the Host header, and
    /healthz must not touch the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return HttpResponse("ok\n", content_type="text/plain")
        if request.path == "/readyz":
            ok, checks = health.readiness()
            return JsonResponse({"ready": ok, "checks": checks}, status=200 if ok else 503)
        return self.get_response(request)


class RequestContextMiddleware:
    """Give every request an id (kept from X-Request-ID when well formed) for logs and the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Set, not reset afterwards: Django logs the response (django.request) after the middleware
        # chain returns, and that line should carry this request's id and tenant too. The next
        # request on this thread sets both again.
        request.id = new_request_id(request.headers.get("X-Request-ID"))
        request_id_var.set(request.id)
        tenant_var.set("-")
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class TenantLocaleMiddleware(LocaleMiddleware):
    """Django's language choice (URL, cookie, Accept-Language), with the brand's default language
    in place of LANGUAGE_CODE when the browser names none we have, and the user's own preference
    before the browser's."""

    def process_request(self, request):
        super().process_request(request)
        chosen_explicitly = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        user = getattr(request, "user", None)
        preferred = getattr(user, "preferred_language", "") if user is not None and user.is_authenticated else ""
        if not chosen_explicitly and preferred in dict(settings.LANGUAGES):
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        elif not chosen_explicitly and not request.headers.get("Accept-Language"):
            tenant = getattr(request, "tenant", None)
            if tenant is not None:
                translation.activate(tenant.default_locale)
                request.LANGUAGE_CODE = tenant.default_locale
