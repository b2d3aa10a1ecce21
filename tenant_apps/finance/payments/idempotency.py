"""The API's `Idempotency-Key` header for writes that move money (top-ups, payments).

`idempotent(request=, scope=, run=)`: without the header, `run()` as it is. With it, the first request runs and
its answer (status and body, 2xx only) is kept under (scope, the user, the key); the same key with the same
request (method, path and body) answers that first response again without writing anything; the same key with
another request is IdempotencyKeyReused (422), nothing written. Concurrent requests with one key queue on a
transaction-scoped advisory lock, so only one of them runs. An error answer is not kept: the key stays free."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import connection, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from tenant_apps.finance.errors import FinanceInvalid, IdempotencyKeyReused
from tenant_apps.finance.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY = 80


def fingerprint(request) -> str:
    body = request.data if isinstance(request.data, dict | list) else str(request.data)
    asked = {"method": request.method, "path": request.path, "body": body}
    return hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(*, request, scope: str, run: Callable[[], Response]) -> Response:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return run()
    if len(key) > MAX_KEY:
        raise FinanceInvalid(_("The Idempotency-Key is too long."),
                             fields={"idempotency_key": [_("At most %(max)s characters.") % {"max": MAX_KEY}]})
    asked = fingerprint(request)
    with transaction.atomic():
        name = f"{connection.schema_name}:{scope}:{request.user.pk}:{key}"
        lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
        first = IdempotentRequest.objects.filter(scope=scope, actor=request.user, key=key).first()
        if first is not None:
            if first.fingerprint != asked:
                raise IdempotencyKeyReused(
                    _("This Idempotency-Key was already used for a different request. Send a new key for a new "
                      "request, or the same request to get its first answer."),
                    fields={"idempotency_key": [_("Already used for another request.")]})
            response = Response(first.body, status=first.status)
            response["Idempotent-Replayed"] = "true"
            return response
        response = run()
        if 200 <= response.status_code < 300:
            IdempotentRequest.objects.create(scope=scope, key=key, actor=request.user, fingerprint=asked,
                                             status=response.status_code, body=json.loads(json.dumps(
                                                 response.data, default=str)))
        return response
