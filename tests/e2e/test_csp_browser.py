"""The Content-Security-Policy in a real browser: the key pages of each kind of user load without a single
violation (no inline script or handler blocked, no resource from elsewhere), and htmx still works under it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at "
                              + (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


def _watch(page) -> list[str]:
    """Violations seen by the page (its securitypolicyviolation events) and by the browser's console."""
    console: list[str] = []
    page.add_init_script(COLLECT)
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text else None)
    return console


def _visit(page, url: str, console: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__cspViolations") + console
    assert violations == [], f"{url}: {violations}"
    assert page.evaluate("typeof window.htmx") == "object" or "/api/docs/" in url, f"{url}: htmx did not load"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", "acme-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def test_key_pages_load_without_a_csp_violation(demo_platform, page):
    console = _watch(page)
    platform = f"http://localhost:{demo_platform['port']}"
    acme = f"http://acme.localhost:{demo_platform['port']}"
    _visit(page, f"{platform}/", console)
    _visit(page, f"{acme}/accounts/login/", console)
    _visit(page, f"{acme}/api/docs/", console)  # Swagger UI's CDN is allowed here (unreachable offline: no matter)
    _sign_in(page, acme, "owner@acme.test")
    _visit(page, f"{acme}/console/company/", console)
    _visit(page, f"{acme}/console/approvals/", console)
    _visit(page, f"{acme}/console/catalog/", console)
    product = page.locator("a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
        ".filter(h => /^\\/console\\/catalog\\/products\\/\\d+\\//.test(h))")
    assert product, "no product in the demo catalog"
    _visit(page, f"{acme}{product[0]}", console)
    _visit(page, f"{acme}/console/catalog/products/new/", console)
    page.context.clear_cookies()
    _sign_in(page, acme, "dealer@acme.test")
    _visit(page, f"{acme}/", console)
    _visit(page, f"{acme}/catalog/", console)


def test_the_signup_page_works_under_the_policy(demo_platform, page):
    """htmx's live subdomain check and the handlers that used to be inline (typed marker) run under the policy."""
    console = _watch(page)
    platform = f"http://localhost:{demo_platform['port']}"
    _visit(page, f"{platform}/signup/", console)
    page.fill("#id_company_name", "Zenith Tea")
    expect(page.locator("#id_slug")).to_have_value(re.compile("zenith"))  # suggested by htmx from the name
    page.fill("#id_slug", "zenith-tea-co")
    expect(page.locator("#id_slug_typed")).to_have_value("1")  # data-marks-typed, in app.js
    assert page.evaluate("window.__cspViolations") + console == []
