"""Screenshots of every surface, for docs/screenshots/. Run against `make run` (the demo seed):

    .venv/bin/python scripts/screenshots.py [--base-port 8000] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-port", type=int, default=8000)
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", choices=["reports", "notifications"], help="only this section's screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = args.base_port
    platform = f"http://localhost:{port}"
    acme = f"http://acme.localhost:{port}"
    globex = f"http://globex.localhost:{port}"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)

        def shot(context, url, name, full=True):
            page = context.new_page()
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            page.close()

        def sign_in(context, base, email, password):
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", email)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.close()

        if args.only:
            {"reports": reports, "notifications": notifications}[args.only](browser, acme, shot, sign_in, out)
            browser.close()
            return
        desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        shot(desktop, f"{platform}/", "public-home")
        page = desktop.new_page()
        page.goto(f"{platform}/signup/")
        page.fill("#id_company_name", "青岛啤酒 Tsingtao")
        page.wait_for_selector("[data-available]")
        page.screenshot(path=str(out / "public-signup.png"), full_page=True)
        page.close()
        shot(desktop, f"{platform}/find/", "public-find-workspace")

        sign_in(desktop, platform, "operator@platform.test", "operator-demo-2026")
        shot(desktop, f"{platform}/operator/", "operator-tenants")
        page = desktop.new_page()
        page.goto(f"{platform}/operator/?q=acme")
        page.click("#tenant-table tbody a")
        page.wait_for_url("**/operator/tenants/*/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "operator-tenant-detail.png"), full_page=True)
        page.close()

        sign_in(desktop, acme, "owner@acme.test", "acme-demo-2026")
        shot(desktop, f"{acme}/console/", "console-getting-started")
        shot(desktop, f"{acme}/console/company/", "console-company")
        shot(desktop, f"{acme}/console/domains/", "console-domains")
        shot(desktop, f"{acme}/console/network/", "console-dealer-network")
        page = desktop.new_page()
        page.goto(f"{acme}/console/network/?q=SH-A01")
        page.click("table tbody a")
        page.wait_for_url("**/console/network/dealers/*/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "console-dealer-detail.png"), full_page=True)
        page.close()
        shot(desktop, f"{acme}/console/network/import/", "console-dealer-import")
        shot(desktop, f"{acme}/console/network/settings/", "console-network-settings")
        shot(desktop, f"{acme}/accounts/people/", "console-people")
        shot(desktop, f"{acme}/console/inventory/", "console-stock", full=False)
        shot(desktop, f"{acme}/console/inventory/ledger/", "console-stock-ledger", full=False)

        def open_first(context, url, link, name, full=True):
            """Open `url`, follow the first link matching `link`, screenshot what it leads to."""
            page = context.new_page()
            page.goto(url)
            page.locator(link).first.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            page.close()

        shot(desktop, f"{acme}/console/catalog/", "console-catalog-products", full=False)
        open_first(desktop, f"{acme}/console/catalog/", "table tbody a[href*='/products/']", "console-product-editor")
        shot(desktop, f"{acme}/console/catalog/categories/", "console-catalog-categories", full=False)
        shot(desktop, f"{acme}/console/catalog/import/", "console-catalog-import", full=False)
        shot(desktop, f"{acme}/console/catalog/images/", "console-catalog-bulk-images", full=False)
        shot(desktop, f"{acme}/console/pricing/", "console-price-lists")
        open_first(desktop, f"{acme}/console/pricing/", "table tbody a[href*='/lists/']", "console-price-list-entries",
                   full=False)
        shot(desktop, f"{acme}/console/pricing/protection/", "console-price-protection", full=False)
        shot(desktop, f"{acme}/console/promotions/", "console-promotions")
        shot(desktop, f"{acme}/console/promotions/new/", "console-promotion-builder")
        shot(desktop, f"{acme}/console/orders/", "console-orders-board", full=False)
        open_first(desktop, f"{acme}/console/orders/?status=partially_shipped",
                   "table tbody a[href*='/console/orders/']", "console-order-detail")
        shot(desktop, f"{acme}/console/approvals/workflows/", "console-approval-workflows", full=False)
        shot(desktop, f"{acme}/console/fulfillment/", "console-fulfillment", full=False)
        shot(desktop, f"{acme}/console/fulfillment/returns/", "console-returns", full=False)
        manager = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        sign_in(manager, acme, "rm.east@acme.test", "acme-demo-2026")
        shot(manager, f"{acme}/console/approvals/", "console-approval-inbox", full=False)

        dealer_phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                           device_scale_factor=2)
        sign_in(dealer_phone, acme, "dealer@acme.test", "acme-demo-2026")
        shot(dealer_phone, f"{acme}/account/company/", "storefront-my-company-phone")
        shot(dealer_phone, f"{acme}/account/addresses/", "storefront-my-addresses-phone")
        shot(dealer_phone, f"{acme}/catalog/?q=%E4%B9%8C%E9%BE%99", "storefront-catalog-search-phone", full=False)
        # pinyin initials as dealers type them: aksq is 艾可山泉
        shot(dealer_phone, f"{acme}/catalog/?q=aksq", "storefront-catalog-pinyin-phone", full=False)
        open_first(dealer_phone, f"{acme}/catalog/", "#results a", "storefront-product-phone")
        shot(dealer_phone, f"{acme}/promotions/", "storefront-promotions-phone", full=False)
        shot(dealer_phone, f"{acme}/cart/", "storefront-cart-phone")
        shot(dealer_phone, f"{acme}/cart/quick/", "storefront-quick-order-phone", full=False)
        shot(dealer_phone, f"{acme}/cart/frequent/", "storefront-frequent-phone", full=False)
        shot(dealer_phone, f"{acme}/orders/", "storefront-my-orders-phone", full=False)
        open_first(dealer_phone, f"{acme}/orders/?status=partially_shipped",
                   "a[href*='/orders/']:not([href$='/orders/'])", "storefront-order-detail-phone")

        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
        shot(phone, f"{acme}/accounts/login/", "storefront-sign-in-phone", full=False)
        english = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", device_scale_factor=2)
        shot(english, f"{globex}/", "storefront-home-phone-en", full=False)
        reports(browser, acme, shot, sign_in, out)
        notifications(browser, acme, shot, sign_in, out)
        browser.close()
    for path in sorted(out.glob("*.png")):
        print(path)


def reports(browser, acme, shot, sign_in, out) -> None:
    """Every dashboard and analysis page (issue 22), on the demo's year of history."""
    password = "acme-demo-2026"  # noqa: S105 - the demo seed's, printed by `make run`
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(desk, acme, "owner@acme.test", password)
    for path, name in (("/console/reports/", "reports-dashboard-hq"),
                       ("/console/reports/sales/?period=last_12m&dims=month,region", "reports-sales"),
                       ("/console/reports/sales/?period=this_year&dims=region,category",
                        "reports-sales-region-category"),
                       ("/console/reports/inventory/", "reports-inventory"),
                       ("/console/reports/dealers/", "reports-dealers"),
                       ("/console/reports/promotions/", "reports-promotions"),
                       ("/console/reports/pricing/", "reports-pricing"),
                       ("/console/reports/builder/", "reports-builder"),
                       ("/console/reports/builder/new/?dims=month,region&period=last_12m", "reports-builder-new"),
                       ("/console/reports/exports/", "reports-exports")):
        long_table = path.startswith(("/console/reports/inventory/", "/console/reports/dealers/"))
        shot(desk, f"{acme}{path}", name, full=not long_table)  # their tables run to hundreds of rows
    page = desk.new_page()
    page.goto(f"{acme}/console/orders/?status=partially_shipped")
    page.locator("table tbody a[href*='/console/orders/']").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("a[href*='/console/reports/documents/'][href$='/']").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / "reports-order-confirmation.png"), full_page=True)
    page.close()
    manager = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(manager, acme, "rm.east@acme.test", password)
    shot(manager, f"{acme}/console/reports/", "reports-dashboard-regional-manager")
    warehouse = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(warehouse, acme, "warehouse@acme.test", password)
    shot(warehouse, f"{acme}/console/reports/", "reports-dashboard-warehouse")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    sign_in(phone, acme, "dealer@acme.test", password)
    shot(phone, f"{acme}/account/reports/", "reports-dashboard-dealer-phone")


def notifications(browser, acme, shot, sign_in, out) -> None:
    """The bell and the inbox (issue 23): the regional manager's at a desk (the demo's orders waiting for them), the
    demo dealer's on a phone (its orders approved, rejected, sent back)."""
    password = "acme-demo-2026"  # noqa: S105 - the demo seed's, printed by `make run`
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    sign_in(desk, acme, "rm.east@acme.test", password)
    shot(desk, f"{acme}/console/", "notifications-bell-desktop", full=False)
    shot(desk, f"{acme}/console/notifications/", "notifications-inbox-desktop", full=False)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    sign_in(phone, acme, "dealer@acme.test", password)
    shot(phone, f"{acme}/orders/", "notifications-bell-phone", full=False)
    shot(phone, f"{acme}/account/notifications/", "notifications-inbox-phone", full=False)
    shot(phone, f"{acme}/account/notifications/settings/", "notifications-settings-phone")


if __name__ == "__main__":
    main()
