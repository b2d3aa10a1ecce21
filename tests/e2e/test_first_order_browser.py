"""Issue 17 in a browser, from an empty platform (no demo seed, no shell step): a brand signs up in zh-Hans and
sets up its company, warehouse, one product with a price and stock, a dealer, and invites the dealer's buyer, all
through pages; the buyer, on a phone, finds the product by its pinyin initials and orders; the brand confirms and
ships; the buyer confirms receipt."""

from __future__ import annotations

import os

from playwright.sync_api import expect

SHOTS = os.environ.get("E2E_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_from_sign_up_to_the_first_delivered_order(empty_platform, browser):
    base, port = empty_platform["base"], empty_platform["port"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    brand = context.new_page()
    brand.goto(f"{base}/signup/")
    brand.fill("#id_company_name", "清泉饮品集团")
    brand.fill("#id_slug", "qingquan")
    expect(brand.locator('[data-available="qingquan"]')).to_be_visible(timeout=10_000)
    brand.fill("#id_owner_name", "林 清泉")
    brand.fill("#id_email", "owner@qingquan.test")
    brand.fill("#id_password", "Qingquan-Owner-2026")
    brand.click("#signup-submit")
    console = f"http://qingquan.localhost:{port}"
    brand.wait_for_url(f"{console}/console/", timeout=30_000)
    shot(brand, "01-console")
