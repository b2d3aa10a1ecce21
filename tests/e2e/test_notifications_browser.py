"""Issue 23 in a browser: a dealer's buyer submits an order on a phone; the regional manager's bell shows it and the
notification opens the order's approval page, where the manager approves; the buyer then has the approval in the
bell on the phone, and an SMS went to the buyer's mobile through the (fake, loopback) Aliyun endpoint the live
platform is configured with (tests/e2e/conftest.py `sms_fake`).

Nothing here waits for a worker: the live platform relays inline (EVENTS_RELAY=inline, tests/e2e/conftest.py), the
outbox relay and the sending running in the web request after the commit that wrote the event
(events.services.relay_soon), so the notification exists when the next page loads.

SMS for an approval is off by default (defaults.py: the buyer is not texted for every order approved at once at
submission), so the buyer turns it on in their notification settings, with their mobile number, as a buyer who
wants it would. The demo's chain needs HQ after the regional manager; the setup gives this dealer (D310115-2,
tier C, of rm.east's 华东) a workflow of one regional-manager step, tried before the demo's."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_pricing_browser import PASSWORD, platform_shell, screenshot, sign_in

DEALER = "D310115-2"
BUYER = "buyer@d310115-2.test"
MOBILE = "13912345678"
# Playwright's "Pixel 7" descriptor (the sync API's `playwright.devices` is not at hand in the browser fixture).
PHONE = {"viewport": {"width": 412, "height": 839}, "device_scale_factor": 2.625, "is_mobile": True,
         "has_touch": True, "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like "
                                          "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"}

# Runs in the live platform's database: the buyer; the dealer's one-step workflow; everyone's earlier
# notifications read (the manager has the demo's and other tests' orders of 华东), so the bells count what this
# test causes; a SKU the dealer may order, and its minimum quantity.
SETUP = """
import json
from django_tenants.utils import schema_context
from tenants.models import Tenant
from tenant_apps.accounts import services as accounts
from tenant_apps.accounts.models import User
from tenant_apps.approvals import services as approvals
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.catalog.models import Sku
from tenant_apps.dealers.models import Dealer
from tenant_apps.notifications.services import notifications_read_all
from tenant_apps.ordering.services import cart_clear

with schema_context(Tenant.objects.get(slug="acme").schema_name):
    dealer = Dealer.objects.select_related("node", "regional_manager").get(code=%(dealer)r)
    buyer = User.objects.filter(email=%(buyer)r).first() or accounts.user_create(
        actor=None, email=%(buyer)r, password=%(password)r, full_name="浦东采购 王芳", role="dealer_buyer",
        dealer=dealer)
    name = "浦东东城：区域经理审批即可"
    if not ApprovalWorkflow.objects.filter(name=name).exists():
        approvals.workflow_create(actor=None, name=name, priority=1, nodes=[dealer.node], steps=[
            approvals.StepSpec(name="区域经理审批", approver_roles=["regional_manager"], scope="region")])
    cart_clear(actor=buyer, dealer=dealer)
    for person in (buyer, dealer.regional_manager):
        notifications_read_all(actor=person)
    sku = Sku.objects.select_related("product").order_by("code")[210]
    print(json.dumps({"product": sku.product_id, "sku": sku.code, "quantity": sku.min_order_qty,
                      "manager": dealer.regional_manager.email}))
"""


def unread_items(page):
    return page.locator("#notifications-list li.unread")


def test_a_phone_order_reaches_the_managers_bell_and_the_approval_reaches_the_dealer_in_app_and_by_sms(
        demo_platform, browser):
    facts = platform_shell(demo_platform, SETUP % {"dealer": DEALER, "buyer": BUYER, "password": PASSWORD})
    acme = f"http://acme.localhost:{demo_platform['port']}"
    sms = demo_platform["sms"]
    phone = browser.new_context(**PHONE, locale="zh-CN").new_page()
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    try:
        # the buyer, on a phone: SMS on for approvals, with a mobile number, from the inbox's settings link
        sign_in(phone, acme, BUYER)
        phone.locator("#notifications-bell").click()
        phone.click("#notifications-settings")
        # the SMS column is offered once she has a mobile number: save it, then tick SMS
        phone.fill("input[name=mobile]", MOBILE)
        phone.locator("main form button[type=submit]").click()
        expect(phone.locator("input[name=mobile]")).to_have_value(MOBILE)
        phone.check("tr[data-kind='order.approved'] input[value='order.approved:sms']")
        phone.locator("main form button[type=submit]").click()
        expect(phone.locator("input[name=mobile]")).to_have_value(MOBILE)
        expect(phone.locator("tr[data-kind='order.approved'] input[value='order.approved:sms']")).to_be_checked()

        # adds to the cart and submits
        phone.goto(f"{acme}/catalog/products/{facts['product']}/")
        form = phone.locator(f"form.add-to-cart[data-sku='{facts['sku']}']")
        form.locator("input[name=quantity]").fill(str(facts["quantity"]))
        form.get_by_role("button").click()
        expect(phone.locator("#toasts .toast").first).to_be_visible()
        phone.goto(f"{acme}/cart/")
        phone.click("#to-checkout")
        phone.click("#submit-order")
        phone.wait_for_url(re.compile(r"/orders/\d+/$"))
        order_id = phone.url.rstrip("/").rsplit("/", 1)[-1]
        number = phone.locator("#order-head h1").inner_text().strip()
        expect(phone.locator("#order-status")).to_have_attribute("data-status", "in_approval")

        # the regional manager, at a desk: the bell counts what is new, all of it about this order
        sign_in(desk, acme, facts["manager"])
        desk.goto(f"{acme}/console/")
        count = desk.locator("#notifications-bell #notifications-count")
        expect(count).to_have_text(re.compile(r"^[1-9]\d*$"))
        unread = int(count.inner_text())
        screenshot(desk, "e2e-notifications-bell-desktop.png")
        desk.locator("#notifications-bell").click()
        items = unread_items(desk)
        expect(items).to_have_count(unread)
        for index in range(unread):
            expect(items.nth(index)).to_contain_text(number)
        screenshot(desk, "e2e-notifications-inbox-desktop.png")
        items.first.get_by_role("button").click()
        desk.wait_for_url(f"{acme}/console/approvals/orders/{order_id}/")
        expect(desk.locator("#status")).to_have_attribute("data-status", "in_approval")
        desk.click("#approve")
        desk.click("#confirm-dialog button[value=yes]")
        desk.wait_for_url(f"{acme}/console/approvals/")
        desk.goto(f"{acme}/console/approvals/orders/{order_id}/")
        expect(desk.locator("#status")).to_have_attribute("data-status", "approved")

        # the buyer's phone: one unread notification, the approval, which opens the order
        phone.goto(f"{acme}/orders/")
        expect(phone.locator("#notifications-bell #notifications-count")).to_have_text("1")
        screenshot(phone, "e2e-notifications-bell-phone.png")
        phone.locator("#notifications-bell").click()
        approved = unread_items(phone)
        expect(approved).to_have_count(1)
        expect(approved).to_contain_text("审核通过")
        expect(approved).to_contain_text(number)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
        screenshot(phone, "e2e-notifications-inbox-phone.png")
        approved.get_by_role("button").click()
        phone.wait_for_url(f"{acme}/orders/{order_id}/")
        expect(phone.locator("#order-status")).to_have_attribute("data-status", "approved")
        expect(phone.locator("#notifications-bell")).to_be_visible()
        expect(phone.locator("#notifications-count")).to_have_count(0)

        # and one SMS to the buyer's mobile, about this order (sent in the manager's request, after its commit)
        texts = [message["text"] for message in sms.messages if message["to"] == MOBILE]
        assert sms.rejected == []
        assert len(texts) == 1 and number in texts[0] and "审核通过" in texts[0], texts
    finally:
        phone.context.close()
        desk.context.close()
