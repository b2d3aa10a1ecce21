"""A browser's form on a provider fake's hosted page (tests/billing/conftest.py has the same for the Stripe fake)."""

from __future__ import annotations

import http.client
from urllib.parse import urlencode, urlsplit


def hosted_post(url: str, form: dict) -> tuple[int, str]:
    """POST `form` to `url` (its query kept) as a browser submitting the page: (status, Location)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", target, body=urlencode(form),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def hosted_get(url: str) -> tuple[int, str]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()
