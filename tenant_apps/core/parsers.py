"""The API's JSON parser: every endpoint takes a JSON object as its body (none takes a bare list), so anything
else (an array, a number, a string) is a 400 here, once, instead of being read as an empty request by a view
that looks at `request.data` itself (an order submit did: a JSON array submitted the cart)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("Send a JSON object as the request body, not %(kind)s.")
                             % {"kind": _json_kind(data)})
        return data


def _json_kind(data) -> str:
    if isinstance(data, list):
        return _("an array")
    if data is None:
        return "null"
    if isinstance(data, str):
        return _("a string")
    return _("a number") if not isinstance(data, bool) else _("a boolean")
