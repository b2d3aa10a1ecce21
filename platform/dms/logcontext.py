"""Per-request (or per-task) context that every log line carries: tenant and request id."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

tenant_var: ContextVar[str] = ContextVar("tenant", default="-")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    """Keep a well-formed id given by the proxy in front of us; make one otherwise."""
    if incoming and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class ContextFilter(logging.Filter):
    """Adds the current tenant and request id, unless the call passed its own in `extra`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.setdefault("tenant", tenant_var.get())
        record.__dict__.setdefault("request_id", request_id_var.get())
        return True


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "tenant", "request_id"}


class KeyValueFormatter(logging.Formatter):
    """The plain format followed by the structured fields passed in `extra`, as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(
            f"{key}={value!r}" for key, value in record.__dict__.items() if key not in _STANDARD
        )
        return f"{line} {fields}" if fields else line
