"""The base of every domain error: a machine code, a translatable message, field errors, an HTTP status.

Services raise these; the API exception handler and the views turn them into one shape:
{"code": "...", "detail": "...", "fields": {"name": ["..."]}}.
"""

from __future__ import annotations


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
        self.fields = {
            name: [str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
            for name, msgs in (fields or {}).items()
        }

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
