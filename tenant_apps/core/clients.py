"""Who is calling: the client's address, from the proxy setup we document (TRUSTED_PROXY_COUNT), never from a
header the client alone controls. Every throttle of ours keys on it (sign-in, sign-up, invitations)."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import AnonRateThrottle

from tenant_apps.core.errors import error_response


def client_address(request) -> str:
    """The client's IP address. With TRUSTED_PROXY_COUNT = 0 (the default: nothing in front of the app that we
    trust), REMOTE_ADDR, whatever X-Forwarded-For says. With N > 0 (N proxies of ours in front, each appending
    the address it was called from), the N-th address from the right of X-Forwarded-For: the one our outermost
    proxy saw; what the client wrote to the left of it is ignored. The same rule as DRF's NUM_PROXIES."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if trusted <= 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(trusted, len(addresses))] or remote


class ClientAddressThrottle(AnonRateThrottle):
    """DRF's anonymous rate throttle, keyed on client_address (set `rate` in a subclass)."""

    def get_ident(self, request):
        return client_address(request)


def page_throttled(request, throttle_class: type[ClientAddressThrottle]) -> HttpResponse | None:
    """For a page's POST that its API twin throttles: None while the client may go on, else a 429 page with
    Retry-After. The page and the API count together (the throttle's scope)."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    response = error_response(request, status=429, code="throttled", title=_("Too many attempts"),
                              detail=_("Too many attempts from your address. Please try again later."),
                              tenant=getattr(request, "tenant", None))
    wait = throttle.wait()
    if wait:
        response["Retry-After"] = str(math.ceil(wait))
    return response
