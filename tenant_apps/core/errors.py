"""The base of every domain error: a machine code, a translatable message, field errors, an HTTP status.

Services raise these; the API exception handler and the views turn them into one shape:
{"code": "...", "detail": "...", "fields": {"name": ["..."]}}.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def field_messages(detail, prefix: str = "") -> dict[str, list[str]]:
    """Field errors as {"name": ["message", ...]}, plain strings: nested errors (a list of objects, a list
    field's items) get dotted names, list positions counted from 1 as the submission's own ("lines.2.quantity").
    Never str() of a list or dict, whose text would be Python's repr (`[ErrorDetail(string=...)]`)."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{_position(key)}" if prefix else str(key)
            for field, messages in field_messages(value, name).items():
                found.setdefault(field, []).extend(messages)
        return found
    if isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]} if detail else {}
        found = {}
        for index, item in enumerate(detail, start=1):
            if isinstance(item, dict | list | tuple):
                name = f"{prefix}.{index}" if prefix else str(index)
                if not isinstance(item, dict) or item:
                    for field, messages in field_messages(item, name).items():
                        found.setdefault(field, []).extend(messages)
            else:
                found.setdefault(prefix or "non_field_errors", []).append(str(item))
        return found
    return {prefix or "non_field_errors": [str(detail)]}


def _position(key) -> str:
    """A list field's item index (0-based, as DRF gives it) counted from 1; a name as it is."""
    return str(key + 1) if isinstance(key, int) and not isinstance(key, bool) else str(key)


def plain_message(detail) -> str:
    """One readable sentence from an error detail that may be a list or dict of messages."""
    if isinstance(detail, dict | list | tuple):
        return " ".join(message for messages in field_messages(detail).values() for message in messages)
    return str(detail)


class DomainError(Exception):
    code = "invalid"
    status = 400

    def __init__(
        self, detail: str, *, code: str | None = None, fields: dict | None = None, status: int | None = None
    ):
        super().__init__(str(detail))
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = field_messages(fields) if fields else {}

    def as_dict(self) -> dict:
        body = {"code": self.code, "detail": str(self.detail)}
        if self.fields:
            body["fields"] = self.fields
        return body


class ValidationFailed(DomainError):
    code = "invalid"
    status = 400


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    """An illegal state transition or a uniqueness clash: 409."""

    code = "conflict"
    status = 409


# --- the error page (middleware, throttled pages) --------------------------------------------------


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or request.headers.get("Accept", "").startswith(
        "application/json"
    )


def error_response(request, *, status: int, code: str, title: str, detail: str, tenant=None) -> HttpResponse:
    """A clear error page (or JSON under /api/), rendered without touching the database."""
    if wants_json(request):
        return JsonResponse({"code": code, "detail": detail}, status=status)
    html = render_to_string(
        "tenants/error.html",
        {
            "status": status,
            "code": code,
            "title": title,
            "detail": detail,
            "tenant": tenant,
            "platform_domain": settings.PLATFORM_DOMAIN,
        },
    )
    return HttpResponse(html, status=status)
