"""Reports (issue 22) in a browser, on the demo brand Acme (zh-Hans) and its year of order history:

(a) HQ opens the sales dashboard (charts drawn by ECharts), drills from a region to its dealers, from a dealer to
    the order lines behind its figure, and from a line to the order;
(b) the regional manager of 华东 sees only their region: their sales page equals HQ's page filtered to that region;
(c) the demo dealer on a phone sees its purchases chart;
(d) HQ saves a report in the builder and downloads it as XLSX: openpyxl opens it and its total is the page's.

E2E_SHOTS=<folder> keeps screenshots."""

from __future__ import annotations

import io
import os
import re
from decimal import Decimal

from openpyxl import load_workbook
from playwright.sync_api import expect

SHOTS = os.environ.get("E2E_SHOTS")
PASSWORD = "acme-demo-2026"  # the demo seed's (shared_apps/demo/seed.py)
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def drawn(page, chart_id: str) -> None:
    """ECharts drew the chart: a canvas inside its container."""
    expect(page.locator(f"[data-chart='{chart_id}'] canvas").first).to_be_visible()


def table_total(page) -> Decimal:
    return Decimal(page.locator("#sales-table tfoot td[data-measure='net']").get_attribute("data-value"))


def dealers_and_figures(page) -> dict[str, str]:
    rows = page.locator("#sales-table tbody tr[data-key]")
    return {rows.nth(i).locator("td[data-dim]").first.inner_text().strip():
            rows.nth(i).locator("td[data-measure='net']").get_attribute("data-value")
            for i in range(rows.count())}


def test_hq_drills_a_region_manager_sees_hers_a_dealer_its_purchases_and_a_report_exports(demo_platform, browser):
    acme = demo_platform["base"].replace("localhost", "acme.localhost")

    # (a) HQ: the dashboard, then region -> dealers -> rows -> order
    desk = browser.new_context(**DESK, accept_downloads=True)
    page = desk.new_page()
    sign_in(page, acme, "owner@acme.test")
    page.goto(f"{acme}/console/reports/")
    expect(page.locator("#sales-figures")).to_be_visible()
    drawn(page, "chart-region")
    drawn(page, "chart-province")  # the China map
    shot(page, "reports-1-dashboard")
    card = page.locator("#chart-region-card")
    card.locator("summary").click()
    card.locator("table tbody tr a").first.click()
    page.wait_for_url(re.compile(r"/console/reports/sales/\?.*region=\d+"))
    expect(page.locator("#sales-table")).to_be_visible()
    drawn(page, "sales-chart")
    region_total = table_total(page)
    assert region_total > 0
    shot(page, "reports-2-region")
    first = page.locator("#sales-table tbody tr[data-key]").first
    figure = Decimal(first.locator("td[data-measure='net']").get_attribute("data-value"))
    first.locator("a[data-drill='rows']").click()
    page.wait_for_url(re.compile(r"/console/reports/sales/rows/"))
    expect(page.locator("#rows-sums")).to_be_visible()
    listed = page.locator("#rows-sums [data-measure='net']").get_attribute("data-value")
    assert Decimal(listed) == figure  # the rows add up to the figure clicked
    shot(page, "reports-3-rows")
    page.locator("#rows-table a[href*='/console/orders/']").first.click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"SO\d+"))

    # (b) the regional manager of 华东: her page is HQ's page filtered to her region
    manager = browser.new_context(**DESK).new_page()
    sign_in(manager, acme, "rm.east@acme.test")
    manager.goto(f"{acme}/console/reports/sales/?period=this_year&dims=dealer")
    expect(manager.locator("#sales-table")).to_be_visible()
    region = manager.locator("#f-region option:not([value=''])").first.get_attribute("value")
    mine = dealers_and_figures(manager)
    shot(manager, "reports-4-regional-manager")
    page.goto(f"{acme}/console/reports/sales/?period=this_year&dims=dealer&region={region}")
    assert dealers_and_figures(page) == mine
    assert table_total(page) == Decimal(manager.locator("#sales-table tfoot td[data-measure='net']")
                                        .get_attribute("data-value"))
    page.goto(f"{acme}/console/reports/sales/?period=this_year&dims=dealer")
    assert len(dealers_and_figures(page)) > len(mine)  # HQ sees more dealers than her region holds

    # (c) the demo dealer on a phone: its purchases by month
    phone = browser.new_context(**PHONE).new_page()
    sign_in(phone, acme, "dealer@acme.test")
    phone.goto(f"{acme}/account/reports/")
    drawn(phone, "chart-months")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "reports-5-dealer-phone")

    # (d) HQ saves a report and downloads it as XLSX
    page.goto(f"{acme}/console/reports/builder/new/")
    page.fill("#id_name", "区域月度销售")
    page.select_option("select[name=dim1]", "region")
    page.select_option("select[name=period]", "this_year")
    page.locator("#save").click()
    page.wait_for_url(re.compile(r"/console/reports/builder/\d+/$"))
    total = page.locator("#preview table tfoot td.num").first.inner_text().strip().replace(",", "")
    shot(page, "reports-6-saved-report")
    with page.expect_download() as download:
        page.locator("#download-xlsx").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "合计"
    assert Decimal(str(rows[-1][1])).quantize(Decimal("0.01")) == Decimal(total)
    assert sum(Decimal(str(row[1])) for row in rows[1:-1]) == Decimal(str(rows[-1][1]))
