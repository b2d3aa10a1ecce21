"""The finance pages in a browser, on the demo brand: brand finance gives a dealer credit terms and records a
top-up through the console's account page; the dealer's owner, on a phone (390 px), reads the finance account
page and its ledger, in zh-Hans, without anything wider than the screen. E2E_SHOTS=<folder> keeps screenshots."""

from __future__ import annotations

import os

from playwright.sync_api import expect

SHOTS = os.environ.get("E2E_SHOTS")
PASSWORD = "acme-demo-2026"


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_finance_sets_terms_and_tops_up_and_the_dealer_reads_it_on_a_phone(demo_platform, browser):
    acme = demo_platform["base"].replace("localhost", "acme.localhost")
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, acme, "finance@acme.test")
    page.goto(f"{acme}/console/finance/")
    shot(page, "finance-console-home")
    page.goto(f"{acme}/console/finance/accounts/?q=SH-A01")
    shot(page, "finance-console-accounts")
    page.locator("#accounts tbody tr a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("#terms summary").click()
    page.select_option("#id_settlement-mode", "mixed")
    page.fill("#id_settlement-credit_limit", "50000")
    page.fill("#id_settlement-terms_days", "30")
    page.locator("#settlement-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_top_up-amount", "12000")
    page.fill("#id_top_up-reference", "ICBC-20261207-01")
    page.locator("#top-up button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#ledger")).to_contain_text("ICBC-20261207-01")
    shot(page, "finance-console-account")
    page.fill("#id_top_up-amount", "1e9999")
    page.locator("#top-up button[type=submit]").click()
    expect(page.locator("#field-top_up-amount .errorlist")).to_be_visible()
    desk.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    sign_in(page, acme, "dealer@acme.test")
    page.goto(f"{acme}/account/finance/")
    expect(page.locator("h1")).to_have_text("资金账户")
    expect(page.locator("#terms")).to_contain_text("混合")
    expect(page.locator("#recent")).to_contain_text("ICBC-20261207-01")
    assert fits_the_screen(page)
    shot(page, "finance-storefront-home-phone")
    page.goto(f"{acme}/account/finance/ledger/")
    expect(page.locator("#ledger")).to_contain_text("ICBC-20261207-01")
    assert fits_the_screen(page)
    shot(page, "finance-storefront-ledger-phone")
    page.goto(f"{acme}/console/finance/")
    assert "资金账户" not in page.content()
    phone.close()
