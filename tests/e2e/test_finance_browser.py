"""Dealer finance (issue 21) in a browser, on the demo brand Acme (zh-Hans) with its Stripe connected to the
platform's local fake (test mode), on phones (390 x 844) where dealers work:

(a) the demo dealer opens an order it still owes money on, taps "Pay now", pays on Stripe's hosted page and comes
    back to the order paid (once Stripe's webhook has landed);
(b) the finance clerk of another dealer (JS-A01, overdue in the demo) records a bank transfer with a photo of the
    slip; brand finance imports the bank's statement holding that transfer and confirms the suggested match; the
    clerk sees the transfer received;
(c) the demo dealer confirms last month's statement.

Every dealer page is checked for fitting the phone's width. E2E_SHOTS=<folder> keeps screenshots."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

SHOTS = os.environ.get("E2E_SHOTS")
PASSWORD = "acme-demo-2026"  # the demo seed's (shared_apps/demo/seed.py)
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def slip_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "TRANSFER 1000.00 CNY DJS-A01", fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def brand_today():
    """The brand's date (Acme keeps Shanghai time): a transfer is never dated tomorrow."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_dealers_pay_online_and_by_transfer_and_confirm_their_statement(demo_platform, browser):
    acme = demo_platform["base"].replace("localhost", "acme.localhost")

    # (a) the demo dealer on a phone: its finance account, then an order it owes money on, paid by card
    dealer = browser.new_context(**PHONE)
    page = dealer.new_page()
    sign_in(page, acme, "dealer@acme.test")
    page.goto(f"{acme}/account/finance/")
    expect(page.locator("h1")).to_have_text("资金账户")
    expect(page.locator("#recent")).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "finance-1-account-phone")
    page.goto(f"{acme}/account/finance/ledger/")
    expect(page.locator("#ledger")).to_contain_text("BANK-DEMO-0")  # last month's deposit
    assert fits_the_screen(page)
    shot(page, "finance-2-ledger-phone")

    page.goto(f"{acme}/orders/?status=shipped")
    page.locator("main a[href*='/orders/']").filter(has_text=re.compile(r"SO\d+")).first.click()
    expect(page.locator("#pay-order")).to_be_visible()
    number = page.locator("h1").inner_text().strip()
    assert fits_the_screen(page)
    shot(page, "finance-3-order-owed-phone")
    page.locator("#pay-order").tap()
    expect(page.locator("#owed")).to_contain_text(number)
    assert fits_the_screen(page)
    shot(page, "finance-4-pay-phone")
    page.locator("main form[method=post] button[type=submit]").tap()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/pi/pi_"))
    shot(page, "finance-5-stripe-phone")
    page.locator("button[name=method]").first.tap()
    page.wait_for_url(re.compile(rf"^{re.escape(acme)}/account/finance/payments/\d+/"))
    # Stripe's webhook arrives a moment after the redirect: the page shows the payment received once it has
    deadline = time.monotonic() + 15
    while page.locator("#payment").get_attribute("data-state") != "succeeded":
        assert time.monotonic() < deadline, "the payment was not confirmed by Stripe's webhook"
        time.sleep(0.5)
        page.reload()
    assert fits_the_screen(page)
    shot(page, "finance-6-paid-phone")
    page.goto(f"{acme}/orders/?status=shipped")
    page.locator("main a[href*='/orders/']").filter(has_text=number).first.click()
    expect(page.locator("#order-paid")).to_be_visible()
    expect(page.locator("#pay-order")).to_have_count(0)
    shot(page, "finance-7-order-paid-phone")

    # (b) JS-A01's finance clerk records a transfer, with the slip
    clerk = browser.new_context(**PHONE)
    cashier = clerk.new_page()
    sign_in(cashier, acme, "cashier@acme.test")
    cashier.goto(f"{acme}/account/finance/transfers/")
    expect(cashier.locator("#payment-code")).to_have_text("DJS-A01")
    cashier.fill("#id_amount", "1000.00")
    cashier.fill("#id_paid_on", brand_today().isoformat())
    cashier.fill("#id_payer_name", "江苏饮料贸易有限公司")
    cashier.fill("#id_remark", "DJS-A01 货款")
    cashier.set_input_files("#id_slip", files=[{"name": "slip.png", "mimeType": "image/png", "buffer": slip_png()}])
    cashier.locator("#record button[type=submit]").tap()
    transfer = cashier.locator("#my-transfers li").first
    expect(transfer).to_contain_text("1000.00")
    expect(transfer.locator(".badge")).to_have_text("待到账")
    expect(transfer.get_by_role("link")).to_be_visible()  # the slip, served to its own dealer
    assert fits_the_screen(cashier)
    shot(cashier, "finance-8-transfer-recorded-phone")

    # brand finance imports the bank's statement and confirms the suggested match (high: the payment code)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    books = desk.new_page()
    sign_in(books, acme, "finance@acme.test")
    books.goto(f"{acme}/console/finance/bank/")
    today = brand_today()
    csv = ("交易日期,交易流水号,贷方发生额,借方发生额,对方户名,对方账号,摘要\n"
           f"{today:%Y-%m-%d},E2E0001,\"1,000.00\",,江苏饮料贸易有限公司,6222021000001234,DJS-A01 货款\n"
           f"{today:%Y-%m-%d},E2E0002,,350.00,上海电力,31001500000,电费\n").encode()
    books.select_option("#id_mapping", "generic")
    books.set_input_files("#id_file", files=[{"name": "statement.csv", "mimeType": "text/csv", "buffer": csv}])
    books.locator("#import button[type=submit]").click()
    line = books.locator("#bank-lines tbody tr", has_text="E2E0001")
    expect(line).to_contain_text("JS-A01")
    expect(line.locator(".badge.ok")).to_be_visible()  # high confidence
    shot(books, "finance-9-bank-import")
    line.get_by_role("button", name="确认", exact=True).click()
    expect(line.locator(".badge.ok")).to_have_text("已认领")
    books.goto(f"{acme}/console/finance/bank/?status=matched")
    expect(books.locator("#bank-lines tbody tr", has_text="E2E0001")).to_contain_text("JS-A01")
    expect(books.locator("#pending")).not_to_contain_text("DJS-A01 货款")  # no longer waiting for the bank
    shot(books, "finance-10-bank-matched")
    # and on the dealer's account page: the payment in its ledger; a top-up by hand, a nonsense amount refused
    books.goto(f"{acme}/console/finance/accounts/?q=JS-A01")
    books.locator("#accounts tbody tr a").first.click()
    books.wait_for_load_state("networkidle")
    expect(books.locator("#ledger")).to_contain_text("BANK-")
    books.fill("#id_top_up-amount", "12000")
    books.fill("#id_top_up-reference", "ICBC-20261207-01")
    books.locator("#top-up button[type=submit]").click()
    books.wait_for_load_state("networkidle")
    expect(books.locator("#ledger")).to_contain_text("ICBC-20261207-01")
    books.fill("#id_top_up-amount", "1e9999")
    books.locator("#top-up button[type=submit]").click()
    expect(books.locator("#field-top_up-amount .errorlist")).to_be_visible()
    shot(books, "finance-11-console-account")
    desk.close()

    cashier.goto(f"{acme}/account/finance/transfers/")
    expect(cashier.locator("#my-transfers li").first.locator(".badge")).to_have_text("已到账")
    cashier.goto(f"{acme}/account/finance/ledger/")
    expect(cashier.locator("#ledger")).to_contain_text("ICBC-20261207-01")
    assert fits_the_screen(cashier)
    shot(cashier, "finance-12-transfer-received-phone")
    clerk.close()

    # (c) the demo dealer confirms last month's statement
    page.goto(f"{acme}/account/finance/statements/")
    card = page.locator("#my-statements a").first
    expect(card).to_contain_text("ST-")
    assert fits_the_screen(page)
    shot(page, "finance-13-statements-phone")
    card.tap()
    expect(page.locator("#statement-status")).to_have_text("待确认")
    expect(page.locator("main")).to_contain_text("BANK-DEMO-0")
    assert fits_the_screen(page)
    shot(page, "finance-14-statement-phone")
    page.get_by_role("button", name="确认对账单").tap()
    expect(page.locator("#statement-status")).to_have_text("已确认")
    expect(page.locator("#dispute-form")).to_have_count(0)
    shot(page, "finance-15-statement-confirmed-phone")
    page.goto(f"{acme}/console/finance/")
    assert "资金账户" not in page.content()  # a dealer never reaches the brand's console
    dealer.close()
