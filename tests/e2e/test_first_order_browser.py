"""Issue 17 in a browser, from an empty platform (no demo seed, no shell step): a brand signs up in zh-Hans and
sets up its company, warehouse, one product with a price and stock, a dealer, and invites the dealer's buyer, all
through pages; the buyer, on a phone, finds the product by its pinyin initials and orders; the brand confirms and
ships; the buyer confirms receipt."""

from __future__ import annotations

import io
import os
import re

from PIL import Image
from playwright.sync_api import expect

SHOTS = os.environ.get("E2E_SHOTS")  # a folder: a screenshot of each step, to look at the pages
SLUG = "qingquan"
OWNER, OWNER_PASSWORD = "owner@qingquan.test", "Qingquan-Owner-2026"
BUYER, BUYER_PASSWORD = "buyer@xihu.test", "Xihu-Buyer-2026"


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def toast(page):
    return page.locator("#toasts .toast").first


def logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), "#0E7C66").save(buffer, "PNG")
    return buffer.getvalue()


def checklist_step(page, key: str):
    return page.locator(f"#checklist li[data-step='{key}']")


def last_invitation(mail_dir, email: str) -> str:
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        text = path.read_text()
        if email in text:
            return re.search(r"http://[\w.-]+:\d+/accounts/invite/[\w-]+/", text).group(0)
    raise AssertionError(f"no invitation mail to {email}")


def brand_sets_up(page, console: str, mail_dir) -> None:
    # company and logo: from the checklist's first step
    checklist_step(page, "company").get_by_role("link").click()
    page.fill("#id_display_name", "清泉饮品")
    page.fill("#id_primary_colour", "#0e7c66")
    page.set_input_files("#id_logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}])
    page.locator("main form button[type=submit]").first.click()
    expect(toast(page)).to_be_visible()
    page.goto(f"{console}/console/")
    # the very next page shows the new name, whichever of the server's workers answers it
    expect(page.locator("header .brand")).to_have_text(re.compile(r"^\s*清泉饮品\s*$"))
    expect(checklist_step(page, "company")).to_have_class(re.compile(r"\bdone\b"))

    # a product: the form says there is no category yet and its link comes back to the form
    checklist_step(page, "products").get_by_role("link").click()
    page.get_by_role("link", name="新建商品").first.click()
    page.get_by_role("link", name="添加分类").click()
    page.fill("#id_code", "water")
    page.fill("#id_name", "饮用水")
    page.locator("form:has(#id_code) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/catalog/products/new/"))
    page.fill("#id_code", "QQ-WATER")
    page.fill("#id_name", "清泉矿泉水")
    page.select_option("#id_category", label="饮用水 (water)")
    page.get_by_role("button", name="创建商品").click()
    expect(toast(page)).to_contain_text("QQ-WATER")
    product_url = page.url
    page.get_by_role("link", name="添加 SKU").click()
    page.fill("#id_code", "QQ-550")
    page.fill("#id_name", "550ml 瓶装")
    page.select_option("#id_base_unit", label="瓶")  # default units come with sign-up
    page.locator("main form button[type=submit]").first.click()
    expect(toast(page)).to_contain_text("QQ-550")
    units = page.locator("form[action$='/units/']")
    units.locator("select[name=unit]").select_option(label="箱")
    units.locator("input[name=factor]").fill("24")
    units.locator("button[type=submit]").click()
    expect(toast(page)).to_be_visible()
    page.goto(product_url)
    page.get_by_role("button", name="上架销售").click()
    confirm = page.locator("dialog[open] button[type=submit]")
    if confirm.count():
        confirm.last.click()
    expect(page.locator("#status")).to_have_text("在售")

    # its price, in the base price list that sign-up made active: by the bottle and by the case
    page.goto(f"{console}/console/pricing/")
    page.locator("table a", has_text="DEFAULT").click()
    for unit, price in (("", "2.50"), ("CS", "55.00")):
        entry = page.locator("form:has(#id_sku_code)")
        entry.locator("#id_sku_code").fill("QQ-550")
        if unit:
            entry.locator("#id_unit_code").select_option(unit)
        entry.locator("#id_price").fill(price)
        entry.locator("button[type=submit]").click()
        expect(toast(page)).to_be_visible()
    expect(page.locator("main table")).to_contain_text("箱 (CS)")
    shot(page, "04-price-list")

    # stock in the warehouse sign-up made
    checklist = f"{console}/console/"
    page.goto(checklist)
    checklist_step(page, "warehouse").get_by_role("link").click()
    adjust = page.locator("form:has(input[name=adjust])")
    adjust.locator("input[name=sku_code]").fill("QQ-550")
    adjust.locator("select[name=warehouse]").select_option(index=1)
    adjust.locator("input[name=delta]").fill("2400")
    adjust.locator("input[name=reason]").fill("期初库存")
    adjust.locator("button[type=submit]").click()
    expect(toast(page)).to_be_visible()
    expect(page.locator("main table")).to_contain_text("QQ-550")
    shot(page, "05-stock")

    # a dealer under headquarters (made at sign-up), active, with a shipping address in a district of China
    page.goto(checklist)
    checklist_step(page, "dealers").get_by_role("link").click()
    page.get_by_role("link", name="添加经销商").first.click()
    page.select_option("#id_parent", label="清泉饮品集团 (HQ)")
    page.fill("#id_code", "HZ001")
    page.fill("#id_legal_name", "杭州西湖饮品商行有限公司")
    page.fill("#id_name", "西湖商行")
    page.get_by_role("button", name="创建经销商").click()
    expect(toast(page)).to_contain_text("HZ001")
    dealer_url = page.url
    page.get_by_role("button", name="启用").click()
    confirm = page.locator("dialog[open] button[type=submit]")
    if confirm.count():
        confirm.last.click()
    expect(toast(page)).to_contain_text("正常")
    page.get_by_role("link", name="添加地址").click()
    page.fill("#id_recipient", "王 采购")
    page.fill("#id_phone", "13800000000")
    page.select_option("#id_territory", label="西湖区 (330106)")
    page.fill("#id_line", "文三路 100 号 1 号仓")
    page.check("#id_is_default")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(dealer_url)
    expect(page.locator("main")).to_contain_text("文三路 100 号")

    # and invites its buyer
    page.goto(f"{console}/accounts/people/")
    page.fill("#id_email", BUYER)
    page.select_option("#id_role", "dealer_buyer")
    page.select_option("#id_dealer", label="HZ001 西湖商行")
    page.click("#invite-submit")
    expect(toast(page)).to_contain_text(BUYER)


def test_from_sign_up_to_the_first_delivered_order(empty_platform, browser):
    base, port, mail_dir = empty_platform["base"], empty_platform["port"], empty_platform["mail_dir"]
    console = f"http://{SLUG}.localhost:{port}"
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    brand = desk.new_page()
    brand.goto(f"{base}/signup/")
    brand.fill("#id_company_name", "清泉饮品集团")
    brand.fill("#id_slug", SLUG)
    expect(brand.locator(f'[data-available="{SLUG}"]')).to_be_visible(timeout=10_000)
    brand.fill("#id_owner_name", "林 清泉")
    brand.fill("#id_email", OWNER)
    brand.fill("#id_password", OWNER_PASSWORD)
    brand.click("#signup-submit")
    brand.wait_for_url(f"{console}/console/", timeout=30_000)
    shot(brand, "01-console")
    brand_sets_up(brand, console, mail_dir)

    # the buyer accepts the invitation on a phone and lands on the ordering home
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    buyer = phone.new_page()
    buyer.goto(last_invitation(mail_dir, BUYER))
    buyer.fill("#id_full_name", "王 采购")
    buyer.fill("#id_password", BUYER_PASSWORD)
    buyer.click("#accept-submit")
    buyer.wait_for_url(f"{console}/")
    shot(buyer, "10-buyer-home")

    # finds the product by its pinyin initials (清泉矿泉水: qqkqs), orders 2 cases
    buyer.goto(f"{console}/catalog/")
    buyer.fill("#q", "kqs")
    buyer.keyboard.press("Enter")
    row = buyer.locator("#results .sf-row[data-sku='QQ-550']")
    expect(row).to_contain_text("清泉矿泉水")
    shot(buyer, "11-search-kqs")
    # added from the list, in cases: the quantity typed is of the unit chosen
    form = row.locator("form")
    case = form.locator("select[name=unit] option", has_text="箱").get_attribute("value")
    form.locator("select[name=unit]").select_option(case)
    form.locator("input[name=quantity]").fill("2")
    form.get_by_role("button").click()
    expect(toast(buyer)).to_contain_text("2")
    buyer.goto(f"{console}/cart/")
    expect(buyer.locator("#cart-lines .cart-line[data-sku='QQ-550']")).to_contain_text("箱")
    buyer.click("#to-checkout")
    expect(buyer.locator("#address-choice input[name=address]:checked")).to_have_count(1)
    expect(buyer.locator("#quote-total")).to_contain_text("110.00")  # 2 cases at ¥55.00
    shot(buyer, "12-checkout")
    buyer.click("#submit-order")
    buyer.wait_for_url(re.compile(r"/orders/\d+/$"))
    order_id = buyer.url.rstrip("/").rsplit("/", 1)[-1]
    number = buyer.locator("#order-head h1").inner_text().strip()
    # not approved by "the system": it waits for the brand to confirm it
    expect(buyer.locator("#order-status")).to_have_attribute("data-status", "in_approval")

    # the brand confirms (接单) from its approval inbox
    brand.goto(f"{console}/console/approvals/")
    brand.locator(f"#inbox-table tr[data-order='{number}'] a[href$='/orders/{order_id}/']").click()
    brand.click("#approve")
    brand.click("#confirm-dialog button[value=yes]")
    brand.wait_for_url(f"{console}/console/approvals/")
    brand.goto(f"{console}/console/approvals/orders/{order_id}/")
    expect(brand.locator("#status")).to_have_attribute("data-status", "approved")
    expect(brand.locator("#steps")).to_contain_text("接单")

    # allocates and ships it with a carrier sign-up provided
    brand.goto(f"{console}/console/fulfillment/")
    brand.locator(f"#to-allocate a[href$='/orders/{order_id}/']").first.click()
    brand.click("#allocate")
    expect(brand.locator("#order-status")).to_have_attribute("data-status", "allocated")
    expect(brand.locator("main")).to_contain_text("2 箱")  # the pack ordered, beside the base units
    brand.locator("form:has(input[name=action][value=create_shipment]) button[type=submit]").first.click()
    expect(toast(brand)).to_be_visible()
    ship = brand.locator("form:has(input[name=action][value=ship])").first
    ship.locator("select[name=carrier]").select_option(label="顺丰速运")
    ship.locator("input[name=tracking_number]").fill("SF7700112233")
    ship.get_by_role("button").click()
    expect(brand.locator("#order-status")).to_have_attribute("data-status", "shipped")
    shot(brand, "20-shipped-console")

    # the buyer sees it shipped with its tracking number and confirms receipt, back on the order
    buyer.goto(f"{console}/orders/{order_id}/")
    expect(buyer.locator("#order-status")).to_have_attribute("data-status", "shipped")
    expect(buyer.locator("#order-shipments")).to_contain_text("SF7700112233")
    buyer.click("#confirm-receipt")
    buyer.click("#confirm-dialog button[value=yes]")
    buyer.wait_for_url(f"{console}/orders/{order_id}/")
    expect(buyer.locator("#order-status")).to_have_attribute("data-status", "completed")
    shot(buyer, "21-received")

    # getting started is done
    brand.goto(f"{console}/console/")
    expect(brand.locator("#checklist li.done")).to_have_count(5)
    desk.close()
    phone.close()
