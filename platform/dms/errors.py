"""The last word on an uncaught exception: Django's `handler500`, set in both root urlconfs.

Django turns an exception raised anywhere in a request (a view, a template being rendered, or any middleware:
the session read by authentication, the language chosen from the user's preference, a session saved on the
way out) into the response of `handler500`, whatever layer it came from. It is the one place that sees them all,
so a database outage is told apart here: an OperationalError or InterfaceError (or an error raised while handling
one) answers the same clean 503 with Retry-After as routing does, a page or JSON by the Accept header; anything
else keeps the 500 page (JSON under /api/ in the API's error shape).

(With DEBUG on, Django shows its technical 500 page instead and never calls this.)
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views import defaults

DATABASE_DOWN = (OperationalError, InterfaceError)


def database_outage(exc: BaseException | None) -> bool:
    """True when the exception is, or was raised while handling, a lost or refused database connection."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DATABASE_DOWN):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    """handler500: 503 + Retry-After for a database outage, the 500 page (or JSON) for anything else."""
    from tenant_apps.core.errors import wants_json
    from tenants.middleware import unavailable_response

    if database_outage(sys.exc_info()[1]):
        return unavailable_response(request)
    if wants_json(request):
        return JsonResponse({"code": "server_error", "detail": "Server error."}, status=500)
    return defaults.server_error(request)
