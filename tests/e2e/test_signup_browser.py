"""A new brand signs up on the public site and lands signed in on its own console, on its subdomain."""

import re
import time

from playwright.sync_api import expect


def test_signup_lands_signed_in_on_the_new_subdomain(live_platform, page):
    base, port = live_platform["base"], live_platform["port"]
    page.goto(f"{base}/signup/")
    expect(page.locator("h1")).to_have_text("开始免费试用")

    page.fill("#id_company_name", "Playwright 饮料集团")
    # the subdomain is suggested from the name (pinyin) and checked live
    expect(page.locator("#id_slug")).to_have_value("playwright-yinliaojituan", timeout=10_000)
    expect(page.locator("[data-available]")).to_be_visible()
    page.fill("#id_slug", "www")
    expect(page.locator("#slug-status .errorlist")).to_contain_text("保留")
    page.fill("#id_slug", "playwright-drinks")
    expect(page.locator('[data-available="playwright-drinks"]')).to_be_visible(timeout=10_000)

    page.fill("#id_owner_name", "测试 老板")
    page.fill("#id_email", "boss@playwright.test")
    page.fill("#id_password", "e2e-Correct-Horse-42")
    started = time.perf_counter()
    page.click("#signup-submit")
    page.wait_for_url(re.compile(rf"^http://playwright-drinks\.localhost:{port}/console/$"), timeout=30_000)
    landed_ms = (time.perf_counter() - started) * 1000

    expect(page.locator("header .brand")).to_have_text("Playwright 饮料集团")
    # the welcome toast speaks to the customer: no provisioning figures (bench/provision.py measures those)
    expect(page.locator("#toasts .toast").first).to_have_text("您的工作台已就绪。")
    print(f"\nsign-up: submit to signed-in console {landed_ms:.0f} ms (browser)")
    # the steps a brand needs; sign-up already set how orders are approved (the brand confirms each one)
    steps = page.locator("#checklist li")
    expect(steps).to_have_count(5)
    expect(page.locator("#checklist li.done")).to_have_count(1)
    expect(page.locator('#checklist li[data-step="approval"]')).to_have_class("done")
    # nothing waits yet, so no empty "Your work" panel
    expect(page.locator("#work")).to_have_count(0)

    # signed in on the new host only: the platform host has no session of this owner
    cookies = {c["domain"]: c["name"] for c in page.context.cookies()}
    assert cookies.get("playwright-drinks.localhost") == "dms_session"
    assert "localhost" not in [c["domain"] for c in page.context.cookies() if c["name"] == "dms_session"]
