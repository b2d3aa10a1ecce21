"""An invited dealer user accepts the invitation, sets a password, is signed in, and sees their company."""

import re

from playwright.sync_api import expect


def _last_mail(mail_dir) -> str:
    files = sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime)
    return files[-1].read_text()


def test_invited_dealer_user_accepts_signs_in_and_sees_their_company(demo_platform, page):
    port = demo_platform["port"]
    acme = f"http://acme.localhost:{port}"
    # the brand owner invites a buyer of the Shanghai agent
    page.goto(f"{acme}/accounts/login/")
    page.fill("#id_username", "owner@acme.test")
    page.fill("#id_password", "acme-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{acme}/console/")
    page.goto(f"{acme}/accounts/people/")
    page.fill("#id_email", "buyer@sh-agent.test")
    page.select_option("#id_role", "dealer_buyer")
    dealer_id = page.locator("#id_dealer option", has_text="SH-A01 ").get_attribute("value")
    page.select_option("#id_dealer", dealer_id)
    page.click("#invite-submit")
    expect(page.locator("#toasts .toast").first).to_contain_text("buyer@sh-agent.test")
    page.context.clear_cookies()

    link = re.search(r"http://acme\.localhost:\d+/accounts/invite/[\w-]+/", _last_mail(demo_platform["mail_dir"]))
    page.goto(link.group(0))
    page.fill("#id_full_name", "王采购")
    page.fill("#id_password", "Shanghai-Buyer-2026")
    page.click("#accept-submit")
    page.wait_for_url(f"{acme}/")  # a dealer's people land on the ordering home
    page.goto(f"{acme}/account/company/")
    expect(page.locator("main")).to_contain_text("上海总代理")

    # and signs in again later with the new password
    page.context.clear_cookies()
    page.goto(f"{acme}/accounts/login/")
    page.fill("#id_username", "buyer@sh-agent.test")
    page.fill("#id_password", "Shanghai-Buyer-2026")
    page.click("button[type=submit]")
    page.goto(f"{acme}/account/company/")
    expect(page.locator("main")).to_contain_text("上海总代理")
