"""Project-wide middleware: health probes and request context (request id, log context)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

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
