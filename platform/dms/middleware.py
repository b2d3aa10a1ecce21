"""Project-wide middleware: health probes and request context (request id, log context)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from dms import health
from dms.logcontext import new_request_id, request_id_var, request_var, tenant_var
from tenants.domains import domain_serves_tls


class HealthCheckMiddleware:
    """Answer /healthz, /readyz, /internal/tls-ask and /internal/metrics on any host, before tenant routing.

    Kubernetes probes reach pods by IP, so these paths must not depend on the Host header, and
    /healthz must not touch the database. /internal/tls-ask?domain=H is Caddy's on-demand TLS "ask":
    200 when a certificate may be issued for H (an active domain of a workspace not deleted), else 404.
    /internal/metrics is Prometheus' scrape (dms.metrics), for a caller with the METRICS_TOKEN only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return HttpResponse("ok\n", content_type="text/plain")
        if request.path == "/readyz":
            ok, checks = health.readiness()
            return JsonResponse({"ready": ok, "checks": checks}, status=200 if ok else 503)
        if request.path == "/internal/tls-ask":
            return self.tls_ask(request)
        if request.path == "/internal/metrics":
            return self.metrics(request)
        return self.get_response(request)

    @staticmethod
    def metrics(request) -> HttpResponse:
        """The scrape: 404 while METRICS_TOKEN is unset (the endpoint does not exist), 401 without the token."""
        from dms.metrics import exposition

        token = settings.METRICS_TOKEN
        if not token:
            return HttpResponse("not found\n", content_type="text/plain", status=404)
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            response = HttpResponse("unauthorized\n", content_type="text/plain", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        body, content_type = exposition()
        return HttpResponse(body, content_type=content_type)

    @staticmethod
    def tls_ask(request) -> HttpResponse:
        host = request.GET.get("domain", "").strip().rstrip(".").lower()
        connection.set_schema_to_public()
        try:
            allowed = bool(host) and domain_serves_tls(host)
        except (OperationalError, InterfaceError):
            return HttpResponse("unavailable\n", content_type="text/plain", status=503)
        if allowed:
            return HttpResponse("ok\n", content_type="text/plain")
        return HttpResponse("unknown domain\n", content_type="text/plain", status=404)


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
        request_var.set(request)
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
