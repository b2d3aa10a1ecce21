"""Text that PostgreSQL cannot hold is refused at the door, for pages and the API alike.

A NUL byte ("\\x00") in a query string or a form field reaches the database through every view that reads a
parameter raw (`request.GET.get("q")`) and fails there (psycopg: "A string literal cannot contain NUL"): a 500.
Django's and DRF's form/serializer CharFields refuse it already; raw reads are the hole, so they are closed here
once, before any view runs: a 400 naming the fields, in the API's one error shape or as the error page.
Uploaded files are not looked at (their bytes are the upload checks' business); JSON bodies are parsed by DRF,
whose CharField refuses NUL.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def nul_fields(request) -> list[str]:
    """The names of the GET and form-POST parameters holding a NUL byte (in the name or a value)."""
    found = []
    sources = [request.GET]
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                              "multipart/form-data"):
        sources.append(request.POST)
    for params in sources:
        for name, values in params.lists():
            if NUL in name or any(NUL in value for value in values):
                found.append(name.replace(NUL, "") or "?")
    return found


class RefuseNulBytesMiddleware:
    """400 for a NUL byte in any text parameter (query string, form field), before a view reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = nul_fields(request)
        if not fields:
            return self.get_response(request)
        message = _("Null characters are not allowed.")
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid", "detail": _("The request has invalid fields."),
                                 "fields": {name: [message] for name in fields}}, status=400)
        return TemplateResponse(request, "400.html", {"fields": fields}, status=400).render()
