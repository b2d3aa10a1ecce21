"""Multi-tier distribution (S2B2B) in a browser: a city dealer orders two products from its provincial agent on a
phone; the agent, in its supplier console, passes one line up to headquarters as a drop-ship and ships the other
from its own stock; headquarters' warehouse ships the agent's order to headquarters in the console; the city dealer
opens its order and sees both shipments, with their tracking numbers, on its one order.

The live platform seeds Acme, whose plan lacks multi-tier distribution: the set-up puts it on the enterprise plan
and runs the demo's supplier seed (agent SH-A01 with its sub-dealers, price list, warehouse and stock)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_order_flow_browser import approve, console_page
from tests.e2e.test_pricing_browser import PASSWORD, platform_shell, screenshot, sign_in

SUB = "sub@acme.test"  # the demo's sub-dealer buyer (supplier seed)
AGENT = "dealer@acme.test"  # the agent's owner
WAREHOUSE = "warehouse@acme.test"
TRACKING = "SF2026120801"

SETUP = """
import json
from django.db.models import F, Sum
from django_tenants.utils import schema_context
from billing_saas import services as billing
from billing_saas.models import Plan
from tenants.models import Tenant
from shared_apps.demo.fulfillment import seed_carriers
from shared_apps.demo.suppliers import AGENT, seed_suppliers
from tenant_apps.accounts import services as accounts
from tenant_apps.accounts.models import User
from tenant_apps.dealers.models import Node
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.services import cart_clear
from tenant_apps.pricing.models import PriceEntry

tenant = Tenant.objects.get(slug="acme")
plan = Plan.objects.get(code="enterprise")
if tenant.subscription.plan_id != plan.pk:
    billing.subscription_plan_set(actor=None, subscription=tenant.subscription, plan=plan, reason="e2e: multi-tier")
    tenant.refresh_from_db()
with schema_context(tenant.schema_name):
    seed_suppliers(brand_slug="acme", password=%(password)r, tenant=tenant)
    if not User.objects.filter(email=%(warehouse)r).exists():
        accounts.user_create(actor=None, email=%(warehouse)r, password=%(password)r, full_name="仓库 孙强",
                             role="warehouse")
    sub = User.objects.get(email=%(sub)r)
    cart_clear(actor=None, dealer=sub.dealer)
    node = Node.objects.get(code=AGENT)
    skus = [e.sku for e in PriceEntry.objects.filter(price_list__owner=node).select_related("sku", "sku__product")
            .order_by("sku__code")]
    free = dict(Stock.objects.filter(sku__in=skus, warehouse__owner__isnull=True, warehouse__is_active=True)
                .values("sku_id").annotate(free=Sum(F("on_hand") - F("reserved"))).values_list("sku_id", "free"))
    quantity = {s.pk: max(s.min_order_qty, s.order_step) for s in skus}
    kept = skus[0]
    passed = next(s for s in skus[1:] if s.product_id != kept.product_id and free.get(s.pk, 0) >= quantity[s.pk])
    print(json.dumps({"carrier": seed_carriers()[0].name,
                      "skus": [{"code": s.code, "product": s.product_id, "quantity": quantity[s.pk]}
                               for s in (kept, passed)]}))
"""


def status_of(platform: dict, number: str) -> str:
    return platform_shell(platform, f"""
import json
from django_tenants.utils import schema_context
from tenants.models import Tenant
from tenant_apps.ordering.models import Order
with schema_context(Tenant.objects.get(slug="acme").schema_name):
    print(json.dumps(Order.objects.get(number={number!r}).status))
""")


def test_a_city_dealer_sees_its_agents_shipment_and_headquarters_drop_ship_on_one_order(
        demo_platform, browser, page):
    facts = platform_shell(demo_platform, SETUP % {"password": PASSWORD, "warehouse": WAREHOUSE, "sub": SUB})
    acme = f"http://acme.localhost:{demo_platform['port']}"
    kept, passed = facts["skus"]

    # the city dealer, on a phone, orders both products from its agent (the agent's prices, the agent's stock)
    sign_in(page, acme, SUB)
    for sku in (kept, passed):
        page.goto(f"{acme}/catalog/products/{sku['product']}/")
        form = page.locator(f"form.add-to-cart[data-sku='{sku['code']}']")
        form.locator("input[name=quantity]").fill(str(sku["quantity"]))
        form.get_by_role("button").click()
        expect(page.locator("#toasts .toast").first).to_be_visible()
    page.goto(f"{acme}/cart/")
    page.click("#to-checkout")
    page.click("#submit-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    number = page.locator("#order-head h1").inner_text().strip()
    expect(page.locator("#order-status")).to_have_attribute("data-status", "approved")  # the agent has no workflow

    # the agent: passes the second line up to headquarters as a drop-ship, ships the first from its own stock
    agent = console_page(browser, acme, AGENT)
    agent.goto(f"{acme}/supplier/orders/{order_id}/")
    pass_up = agent.locator("#pass-up")
    inputs = pass_up.locator("input[type=number]")
    expect(inputs).to_have_count(2)
    inputs.nth(0).fill("0")
    inputs.nth(1).fill(inputs.nth(1).get_attribute("max"))
    pass_up.locator("select[name=mode]").select_option("drop_ship")
    agent.click("#pass-up-submit")
    expect(agent.locator("#toasts .toast").first).to_be_visible()
    card = agent.locator("#pass-ups .pass-up").first
    expect(card).to_have_attribute("data-mode", "drop_ship")
    hq_number, hq_id = card.get_attribute("data-number"), card.get_attribute("data-id")
    agent.locator("button[name=action][value=ship]").click()
    expect(agent.locator("#order-status")).to_have_attribute("data-status", "partially_shipped")
    agent.context.close()

    # headquarters: its approval chain (if the agent's order needs it), then the warehouse ships it in the console
    for approver in ("rm.east@acme.test", "admin@acme.test"):
        if status_of(demo_platform, hq_number) != "in_approval":
            break
        manager = console_page(browser, acme, approver)
        approve(manager, acme, hq_number, hq_id)
        manager.context.close()
    warehouse = console_page(browser, acme, WAREHOUSE)
    warehouse.goto(f"{acme}/console/fulfillment/orders/{hq_id}/")
    expect(warehouse.locator("#drop-ship")).to_contain_text(number)  # it says whose order it serves, and where
    warehouse.click("#allocate")
    expect(warehouse.locator("#order-status")).to_have_attribute("data-status", "allocated")
    create = warehouse.locator("form:has(input[name=action][value=create_shipment]) button[type=submit]")
    while create.count():
        create.first.click()
        warehouse.wait_for_load_state()
    ship = warehouse.locator("form:has(input[name=action][value=ship])")
    expect(ship).not_to_have_count(0)
    while ship.count():
        form = ship.first
        form.locator("select[name=carrier]").select_option(label=facts["carrier"])
        form.locator("input[name=tracking_number]").fill(TRACKING)
        form.get_by_role("button").click()
        warehouse.wait_for_load_state()
    expect(warehouse.locator("#order-status")).to_have_attribute("data-status", "shipped")
    warehouse.context.close()

    # the city dealer sees its order shipped, with both shipments and headquarters' tracking number
    page.goto(f"{acme}/orders/{order_id}/")
    expect(page.locator("#order-status")).to_have_attribute("data-status", "shipped")
    shipments = page.locator("#order-shipments .shipment")
    expect(shipments).to_have_count(2)
    expect(page.locator(f"#order-shipments .shipment[data-number='{number}-D1']")).to_contain_text(TRACKING)
    expect(page.locator("#order-shipments")).to_contain_text(facts["carrier"])
    expect(page.locator("main")).not_to_contain_text(hq_number)  # the agent's order to headquarters stays its own
    screenshot(page, "e2e-pass-up-phone.png", full_page=True)
