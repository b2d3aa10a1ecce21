"""Replenishment in a browser, on a phone: a dealer whose sell-out (sent through the service, as its POS would)
says two products are running low opens its suggestions, edits one quantity, adds every line to the cart in one
tap, and the cart shows the edited quantity and the other suggested one."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_pricing_browser import platform_shell

DEALER, PASSWORD = "dealer@acme.test", "acme-demo-2026"

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from django_tenants.utils import schema_context
from tenants.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.ordering.services import cart_clear
from tenant_apps.pricing.selectors import dealer_prices
from tenant_apps.replenishment.selectors import suggestions_for
from tenant_apps.replenishment.services import sell_out_records_add

with schema_context(Tenant.objects.get(slug="acme").schema_name):
    user = User.objects.get(email=%(dealer)r)
    dealer = user.dealer
    cart_clear(actor=None, dealer=dealer)
    skus = list(sku_search(dealer=dealer).order_by("code")[:40])
    priced = dealer_prices(dealer, [s.pk for s in skus])
    chosen = [s for s in skus if s.pk in priced][:2]
    today = timezone.localdate()
    records = [{"date": (today - timedelta(days=d)).isoformat(), "sku": s.code, "quantity": 6,
                "on_hand": 2 if d == 0 else None} for s in chosen for d in range(7)]
    sell_out_records_add(actor=user, dealer=dealer, records=records)
    lines = {l.sku.code: l for l in suggestions_for(dealer=dealer).due}
    print(json.dumps([{"code": s.code, "quantity": lines[s.code].quantity, "step": max(s.order_step, 1)}
                      for s in chosen]))
"""


def test_dealer_adds_its_suggestions_to_the_cart_in_one_tap_and_edits_one(demo_platform, page):
    first, second = platform_shell(demo_platform, SETUP % {"dealer": DEALER})
    acme = f"http://acme.localhost:{demo_platform['port']}"
    page.goto(f"{acme}/accounts/login/")
    page.fill("#id_username", DEALER)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.click("#home-suggestions")  # from the storefront home
    page.wait_for_url(re.compile(r"/replenishment/$"))
    for sku in (first, second):
        line = page.locator(f"#suggestions-due .rp-line[data-sku='{sku['code']}']")
        expect(line.locator(".rp-reason")).to_contain_text("天")  # its reason, in one sentence (zh-Hans)
        expect(line.locator("input[type=number]")).to_have_value(str(sku["quantity"]))
    edited = first["quantity"] + first["step"]
    page.fill(f"#q-{first['code']}", str(edited))
    page.click("#add-all")
    page.wait_for_url(re.compile(r"/cart/$"))
    expect(page.locator(f".cart-line[data-sku='{first['code']}'] input[name=quantity]")).to_have_value(str(edited))
    expect(page.locator(f".cart-line[data-sku='{second['code']}'] input[name=quantity]")).to_have_value(
        str(second["quantity"]))
