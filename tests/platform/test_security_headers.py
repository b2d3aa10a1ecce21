"""Security headers on every kind of response (a brand's page, the platform's page, the API, an unknown host), the
Content-Security-Policy that the templates can live with (no inline script anywhere), and HSTS in production."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import host_client
from tests.platform.test_settings import PRODUCTION_ENV, _manage

ROOT = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


def _assert_secure(response) -> None:
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"][0] == "'self'"
    assert policy["img-src"] == ["'self'", "data:"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_brand_page_the_platform_page_and_the_api_carry_the_security_headers(client_a, public_client):
    _assert_secure(client_a.get("/accounts/login/"))
    _assert_secure(public_client.get("/"))
    api = client_a.get("/api/v1/me/")
    assert api.status_code == 401
    _assert_secure(api)


def test_an_unknown_host_gets_the_policy_too(db):
    response = host_client("nobody.localhost").get("/")
    assert response.status_code == 404
    assert _policy(response)["frame-ancestors"] == ["'none'"]


def test_forms_may_hand_over_to_the_brand_subdomains_and_nowhere_else(public_client):
    assert _policy(public_client.get("/"))["form-action"] == [
        "'self'", "http://localhost:*", "http://*.localhost:*"]


def test_only_the_api_docs_may_load_swagger_ui_from_its_cdn(client_a):
    docs = client_a.get("/api/docs/")
    assert docs.status_code == 200
    policy = _policy(docs)
    assert policy["script-src"] == ["'self'", "https://cdn.jsdelivr.net"]
    assert policy["frame-ancestors"] == ["'none'"]
    page = docs.content.decode()
    assert "<script>" not in page  # its start-up script is a file of its own (the split view)
    [start] = re.findall(r'<script src="([^"]+\?script=)"', page)
    script = client_a.get(start)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "cdn.jsdelivr.net" not in client_a.get("/accounts/login/")["Content-Security-Policy"]


TEMPLATES = [path for base in ("platform", "tenant_apps", "shared_apps", "onboarding", "billing_saas", "tenants")
             for path in (ROOT / base).rglob("templates/**/*.html")]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_script_that_the_policy_would_block(template):
    """script-src 'self': a <script> without src, an on*= handler or a javascript: link would silently not run."""
    html = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>: move it to a static file"
    assert not re.search(r"\son[a-z]+\s*=", html), "event handler attribute: use a data-* attribute and dms/app.js"
    assert "javascript:" not in html
    assert "hx-on" not in html  # htmx evaluates those with eval


@pytest.mark.slow
def test_production_sends_hsts_and_redirects_to_https():
    result = _manage("shell", "-c", "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, "
                     "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
                     "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "31536000 True True True [\"'self'\", 'https://dms.example.com:*', 'https://*.dms.example.com:*']")
