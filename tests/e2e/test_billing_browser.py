"""Issue 20 in a browser: a brand signs up (a trial of the default plan), upgrades to Growth on its plan page,
pays by card on Stripe Checkout (the platform's local fake Stripe, test mode) and comes back active; the operator
sees the new monthly revenue on the Business page."""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal

from playwright.sync_api import expect

SHOTS = os.environ.get("E2E_SHOTS")
OPERATOR = ("operator@platform.test", "operator-demo-2026")  # the demo seed's operator (shared_apps/demo/seed.py)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def operator_mrr_cny(page, base: str) -> Decimal:
    page.goto(f"{base}/operator/business/")
    text = page.locator("#mrr-cny").inner_text()
    return Decimal(re.sub(r"[^\d.]", "", text))


def test_sign_up_upgrade_pay_by_card_and_the_operator_sees_it_in_mrr(live_platform, browser):
    base, port = live_platform["base"], live_platform["port"]
    operator = browser.new_context(locale="zh-CN").new_page()
    operator.goto(f"{base}/accounts/login/")
    operator.fill("#id_username", OPERATOR[0])
    operator.fill("#id_password", OPERATOR[1])
    operator.locator("main form button[type=submit]").click()
    operator.wait_for_url(re.compile(r"/operator/"))
    mrr_before = operator_mrr_cny(operator, base)

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{base}/signup/")
    page.fill("#id_company_name", "Billing 饮料集团")
    page.fill("#id_slug", "billing-drinks")
    expect(page.locator('[data-available="billing-drinks"]')).to_be_visible(timeout=10_000)
    page.fill("#id_owner_name", "测试 老板")
    page.fill("#id_email", "boss@billing-drinks.test")
    page.fill("#id_password", "e2e-Billing-Horse-42")
    page.click("#signup-submit")
    console = f"http://billing-drinks.localhost:{port}"
    page.wait_for_url(re.compile(rf"^{re.escape(console)}/console/$"), timeout=30_000)

    # the plan page: a trial of the default plan (Starter), usage against its limits
    page.goto(f"{console}/console/billing/")
    expect(page.locator("#subscription-state")).to_have_attribute("data-state", "trialing")
    expect(page.locator("#plan-name")).to_contain_text("入门版")
    expect(page.locator("#usage-dealers td").nth(2)).to_have_text("50")  # Starter: 50 dealers
    shot(page, "billing-1-trial")

    # upgrade to Growth, monthly: the price difference is shown before confirming (nothing due in the trial)
    page.locator("#plan-growth a", has_text="按月").click()
    expect(page.locator("#due-now")).to_contain_text("0.00")
    shot(page, "billing-2-preview")
    page.click("#confirm-change")
    expect(page.locator("#plan-name")).to_contain_text("成长版")

    # pay by card on Stripe Checkout (the local fake), and come back to the plan page
    page.click("#pay-by-card")
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/pay/cs_test_"))
    shot(page, "billing-3-checkout")
    page.locator("button[name=action][value=pay]").click()
    page.wait_for_url(re.compile(rf"^{re.escape(console)}/console/billing/\?paid=1"))
    # Stripe's webhooks arrive a moment after the redirect: the page shows the subscription active once they have
    deadline = time.monotonic() + 15
    while page.locator("#subscription-state").get_attribute("data-state") != "active":
        assert time.monotonic() < deadline, "the subscription did not become active after paying"
        time.sleep(0.5)
        page.reload()
    expect(page.locator("#paid-through")).to_be_visible()
    expect(page.locator("#manage-card")).to_be_visible()
    shot(page, "billing-4-active")

    # the operator's Business page counts the new monthly revenue (Growth: ¥6,999 a month)
    assert operator_mrr_cny(operator, base) - mrr_before == Decimal("6999.00")
    shot(operator, "billing-5-operator")
