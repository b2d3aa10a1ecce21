"""Per-request (or per-task) context that every log line carries: tenant, request id and user id.

Two formats (LOG_FORMAT): "plain" (default in development: a readable line with key=value fields) and "json"
(production: one JSON object per line, for the log pipeline). Neither carries personal data: the user is its id,
never its email, phone or name, and a field of that kind passed in `extra` is masked (PERSONAL_FIELDS)."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter

tenant_var: ContextVar[str] = ContextVar("tenant", default="-")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
request_var: ContextVar[object | None] = ContextVar("request", default=None)

# Fields never written as given, whoever passes them in `extra`: they would put personal data in the logs.
PERSONAL_FIELDS = frozenset({"email", "phone", "mobile", "full_name", "username", "address", "id_number"})
MASK = "[masked]"

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    """Keep a well-formed id given by the proxy in front of us; make one otherwise."""
    if incoming and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def request_user_id(request) -> int | str:
    """The signed-in user's id, if the request has already looked its user up ("-" otherwise).

    Never makes the lookup itself (a log line must not cost a query): Django's AuthenticationMiddleware leaves a lazy
    user that is read on first use, and DRF puts the user it authenticated (a token's) on the request."""
    if request is None:
        return "-"
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped if user._wrapped is not empty else request.__dict__.get("_cached_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return user.pk


class ContextFilter(logging.Filter):
    """Adds the current tenant, request id and user id, unless the call passed its own in `extra`; masks personal
    fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.setdefault("tenant", tenant_var.get())
        record.__dict__.setdefault("request_id", request_id_var.get())
        if "user_id" not in record.__dict__:
            record.user_id = request_user_id(request_var.get())
        for key in PERSONAL_FIELDS.intersection(record.__dict__):
            record.__dict__[key] = MASK
        return True


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "tenant", "request_id", "user_id"}


class KeyValueFormatter(logging.Formatter):
    """The plain format followed by the structured fields passed in `extra`, as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(
            f"{key}={value!r}" for key, value in record.__dict__.items() if key not in _STANDARD
        )
        return f"{line} {fields}" if fields else line


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, tenant, request_id, user_id and the `extra` fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s %(tenant)s %(request_id)s %(user_id)s",
                         *args, **kwargs)
