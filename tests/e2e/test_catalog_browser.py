"""A dealer searches the catalog in Chinese, filters by category, opens a product and sees its stock badge."""

from playwright.sync_api import expect


def test_dealer_searches_filters_opens_a_product_and_sees_stock(demo_platform, page):
    acme = f"http://acme.localhost:{demo_platform['port']}"
    page.goto(f"{acme}/accounts/login/")
    page.fill("#id_username", "dealer@acme.test")
    page.fill("#id_password", "acme-demo-2026")
    page.click("button[type=submit]")
    page.goto(f"{acme}/catalog/")
    page.fill("#q", "乌龙")
    page.click("#filters-toggle")  # the filters open as a sheet under the search box
    page.select_option("#category", label="茶饮")
    page.click("#search-submit")
    first = page.locator("#results a").first
    expect(first).to_contain_text("乌龙")
    expect(page.locator("#results")).to_contain_text("一叶茶 乌龙茶")
    expect(page.locator("#results")).not_to_contain_text("艾可山泉")  # water: another category
    first.click()
    expect(page.locator("#product-name")).to_contain_text("乌龙")
    expect(page.locator("#sku-table [data-stock]").first).to_be_visible()
