"""Issue 8 in a browser: a dealer's buyer orders on a phone (catalog -> product -> cart -> checkout -> submit),
the regional manager and then HQ approve in the console, the warehouse allocates and ships with a carrier and
a tracking number, and the buyer sees the order shipped with its tracking number and confirms receipt.

The demo workflow: 区域经理审批 (scope: the dealer's region) -> 总部销售审批 (sales rep or admin) -> 财务审批
only from ¥50,000, which this small order stays below; tier-A dealers' small orders are approved
automatically, so the buyer here is of a tier-B dealer (D310104-1 徐汇东城 in 华东, manager rm.east)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_pricing_browser import PASSWORD, platform_shell, screenshot, sign_in

BUYER = "buyer@d310104-1.test"
WAREHOUSE = "warehouse@acme.test"
TRACKING = "SF1234567890"

# Runs in the live platform's database: the demo has no dealer user for D310104-1 and no warehouse user,
# and its carriers come with the fulfilment demo helpers; a SKU in stock and its minimum order quantity.
SETUP = """
import json
from django_tenants.utils import schema_context
from tenants.models import Tenant
from shared_apps.demo.fulfillment import seed_carriers
from tenant_apps.accounts import services as accounts
from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Sku
from tenant_apps.dealers.models import Dealer
from tenant_apps.ordering.services import cart_clear

with schema_context(Tenant.objects.get(slug="acme").schema_name):
    dealer = Dealer.objects.get(code="D310104-1")
    for email, name, fields in ((%(buyer)r, "徐汇采购 周婷", {"role": "dealer_buyer", "dealer": dealer}),
                                (%(warehouse)r, "仓库 孙强", {"role": "warehouse"})):
        if not User.objects.filter(email=email).exists():
            accounts.user_create(actor=None, email=email, password=%(password)r, full_name=name, **fields)
    cart_clear(actor=None, dealer=dealer)  # the dealer's shared cart starts empty, also when run again
    carrier = seed_carriers()[0]
    sku = Sku.objects.select_related("product").order_by("code")[200]
    print(json.dumps({"product": sku.product_id, "name": sku.product.name, "sku": sku.code,
                      "quantity": sku.min_order_qty, "carrier": carrier.name}))
"""


def console_page(browser, base: str, email: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, email)
    return page


def approve(page, base: str, number: str, order_id: str) -> None:
    """From the approval inbox: open the order, approve at this step, confirm."""
    page.goto(f"{base}/console/approvals/")
    page.locator(f"#inbox-table tr[data-order='{number}'] a[href$='/orders/{order_id}/']").click()
    page.click("#approve")
    page.click("#confirm-dialog button[value=yes]")
    page.wait_for_url(f"{base}/console/approvals/")
    expect(page.locator(f"#inbox-table tr[data-order='{number}']")).to_have_count(0)


def test_dealer_orders_on_a_phone_managers_approve_warehouse_ships_dealer_confirms_receipt(
        demo_platform, browser, page):
    facts = platform_shell(demo_platform, SETUP % {"buyer": BUYER, "warehouse": WAREHOUSE, "password": PASSWORD})
    acme = f"http://acme.localhost:{demo_platform['port']}"

    # the dealer's buyer, on a phone: catalog -> product -> add to cart -> checkout -> submit
    sign_in(page, acme, BUYER)
    page.goto(f"{acme}/catalog/")
    page.fill("#q", facts["name"])
    page.click("#search-submit")
    page.locator(f"#results a[href$='/catalog/products/{facts['product']}/']").first.click()
    expect(page.locator("#product-name")).to_contain_text(facts["name"])
    form = page.locator(f"form.add-to-cart[data-sku='{facts['sku']}']")
    form.locator("input[name=quantity]").fill(str(facts["quantity"]))
    form.get_by_role("button").click()
    expect(page.locator("#toasts .toast").first).to_contain_text(str(facts["quantity"]))
    page.goto(f"{acme}/cart/")
    expect(page.locator(f"#cart-lines .cart-line[data-sku='{facts['sku']}']")).to_be_visible()
    page.click("#to-checkout")
    expect(page.locator("#address-choice input[name=address]:checked")).to_have_count(1)
    shown_total = page.locator("#quote-total").inner_text()
    screenshot(page, "e2e-order-checkout-phone.png")
    page.click("#submit-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    number = page.locator("#order-head h1").inner_text().strip()
    expect(page.locator("#order-status")).to_have_attribute("data-status", "in_approval")
    expect(page.locator("#order-total")).to_have_text(shown_total)

    # the regional manager of 华东, then HQ (an administrator; the sales rep is not this dealer's), in the console
    manager = console_page(browser, acme, "rm.east@acme.test")
    approve(manager, acme, number, order_id)
    manager.goto(f"{acme}/console/approvals/orders/{order_id}/")
    expect(manager.locator("#status")).to_have_attribute("data-status", "in_approval")
    expect(manager.locator("#waiting-for")).to_contain_text("总部销售审批")
    manager.context.close()

    admin = console_page(browser, acme, "admin@acme.test")
    approve(admin, acme, number, order_id)
    admin.goto(f"{acme}/console/approvals/orders/{order_id}/")
    expect(admin.locator("#status")).to_have_attribute("data-status", "approved")
    expect(admin.locator("#steps tbody tr[data-status=approved]")).to_have_count(2)
    skipped = admin.locator("#steps tbody tr[data-status=skipped]")  # finance: only from ¥50,000
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text("财务审批")
    expect(admin.locator("#timeline")).not_to_contain_text("in_approval")  # statuses in words, not codes
    screenshot(admin, "e2e-order-approved-console.png", full_page=True)
    admin.context.close()

    # the warehouse allocates, picks and ships with a carrier and a tracking number
    warehouse = console_page(browser, acme, WAREHOUSE)
    warehouse.goto(f"{acme}/console/fulfillment/")
    warehouse.locator(f"#to-allocate a[href$='/orders/{order_id}/']").click()
    warehouse.click("#allocate")
    expect(warehouse.locator("#order-status")).to_have_attribute("data-status", "allocated")
    create = warehouse.locator("form:has(input[name=action][value=create_shipment]) button[type=submit]")
    while create.count():  # one shipment per warehouse holding the order's stock
        create.first.click()
        warehouse.wait_for_load_state()
        expect(warehouse.locator("#toasts .toast").first).to_be_visible()
    ship = warehouse.locator("form:has(input[name=action][value=ship])")
    expect(ship).not_to_have_count(0)
    while ship.count():
        form = ship.first
        form.locator("select[name=carrier]").select_option(label=facts["carrier"])
        form.locator("input[name=tracking_number]").fill(TRACKING)
        form.get_by_role("button").click()
        warehouse.wait_for_load_state()
    expect(warehouse.locator("#order-status")).to_have_attribute("data-status", "shipped")
    expect(warehouse.locator("#shipments")).to_contain_text(TRACKING)
    screenshot(warehouse, "e2e-order-shipped-console.png", full_page=True)
    warehouse.context.close()

    # the buyer sees it shipped on "my orders", with the tracking number, and confirms receipt
    page.goto(f"{acme}/orders/")
    card = page.locator(f"#orders a.ord-card[data-number='{number}']")
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "shipped")
    card.click()
    expect(page.locator("#order-status")).to_have_attribute("data-status", "shipped")
    shipments = page.locator("#order-shipments")
    expect(shipments).to_contain_text(TRACKING)
    expect(shipments).to_contain_text(facts["carrier"])
    shipments.scroll_into_view_if_needed()
    screenshot(page, "e2e-order-shipped-phone.png")
    page.click("#confirm-receipt")
    page.click("#confirm-dialog button[value=yes]")
    page.wait_for_url(f"{acme}/orders/{order_id}/")  # back on the order, with a message
    expect(page.locator("#toasts .toast").first).to_contain_text(number)
    page.goto(f"{acme}/orders/{order_id}/")
    expect(page.locator("#order-status")).to_have_attribute("data-status", "completed")
    expect(page.locator("#confirm-receipt")).to_have_count(0)


def test_no_order_page_of_the_demo_dealer_is_wider_than_a_phone(demo_platform, page):
    """Every order of the demo's Shanghai dealer (every state; long promotion names such as 量大优惠's tiers in the
    price breakdown) fits a 390 px screen: no sideways scrolling."""
    acme = f"http://acme.localhost:{demo_platform['port']}"
    sign_in(page, acme, "dealer@acme.test")
    page.goto(f"{acme}/orders/")
    links = page.eval_on_selector_all("#orders a.ord-card", "cards => cards.map(card => card.getAttribute('href'))")
    assert len(links) >= 10
    for link in links:
        page.goto(f"{acme}{link}")
        expect(page.locator("#order-status")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], link


def test_the_regional_manager_reads_the_inbox_and_the_order_to_approve_on_a_phone(demo_platform, page):
    """Approvers decide from a phone too: on a 390 px screen the inbox and the approval page read as one card per
    row (no table wider than its card, each order number on one line), not as columns squeezed a few characters
    wide."""
    acme = f"http://acme.localhost:{demo_platform['port']}"
    sign_in(page, acme, "rm.east@acme.test")
    page.goto(f"{acme}/console/approvals/")
    numbers = page.locator("#inbox-table code")
    expect(numbers.first).to_be_visible()
    assert max(numbers.evaluate_all("codes => codes.map(code => code.getBoundingClientRect().height)")) < 30
    assert page.eval_on_selector("#inbox-table", "table => table.scrollWidth <= table.parentElement.clientWidth")
    page.locator("#inbox-table tbody a").first.click()
    expect(page.locator("#lines")).to_be_visible()
    for table in ("#lines", "#steps"):
        assert page.eval_on_selector(table, "table => table.scrollWidth <= table.parentElement.clientWidth"), table
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
