"""The console home's getting-started checklist and "Your work" panel, and branding seen on the very next page."""

import re

import pytest
from django.conf import settings as django_settings

from tenant_apps.accounts.services import user_create
from tenant_apps.approvals import services as approvals
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Unit
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import Node
from tenant_apps.inventory import services as inventory
from tenant_apps.inventory.models import Warehouse
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import PriceList
from tenants import selectors, services
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

STEPS = ["company", "warehouse", "products", "dealers", "approval"]


def _browser(email: str):
    client = host_client("acme.localhost")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _steps(page: str) -> dict[str, bool]:
    return {key: bool(done) for done, key in re.findall(r'<li class="(done)?" data-step="(\w+)">', page)}


def _links(page: str) -> list[str]:
    checklist = page.split('id="checklist"')[1].split("</ul>")[0] if 'id="checklist"' in page else ""
    return re.findall(r'href="([^"]+)"', checklist)


def test_each_step_ticks_when_it_is_really_done(tenant_a, in_tenant):
    owner = _browser("owner@acme.test")
    # a new workspace: orders already wait for the brand's confirmation; the rest is the brand's to add
    assert _steps(owner.get("/console/").content.decode()) == {
        "company": False, "warehouse": False, "products": False, "dealers": False, "approval": True}

    # saving the branding ticks, even with the default colour and no logo
    services.tenant_branding_update(actor=None, tenant=tenant_a, display_name="", primary_colour="#1F6FEB")
    with in_tenant(tenant_a):
        category = catalog.category_create(actor=None, parent=None, code="DRINK", name="饮料")
        product = catalog.product_create(actor=None, category=category, code="W", name="矿泉水", status="on_sale")
        piece = Unit.objects.get(code="PCE")
        sku = catalog.sku_create(actor=None, product=product, code="W-550", name="矿泉水 550ml", base_unit=piece)
    steps = _steps(owner.get("/console/").content.decode())
    assert steps["company"] and not steps["products"]  # a SKU without a price is not yet for sale

    with in_tenant(tenant_a):
        pricing.price_entry_set(actor=None, price_list=PriceList.objects.get(code="DEFAULT"), sku=sku, unit=piece,
                                price="2.00")
        inventory.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=Warehouse.objects.get(code="MAIN").pk,
                                quantity=240)
        dealer = dealers.dealer_create(actor=None, parent=Node.objects.get(kind="headquarters"), code="SH-1",
                                       legal_name="上海经销商")
    steps = _steps(owner.get("/console/").content.decode())
    assert steps["products"] and steps["warehouse"] and not steps["dealers"]  # a dealer without people

    with in_tenant(tenant_a):
        user_create(actor=None, email="buyer@sh.test", password=DEFAULT_PASSWORD, role="dealer_buyer", dealer=dealer)
    page = owner.get("/console/").content.decode()
    assert all(_steps(page).values()) and "Every step is done: your dealers can order." in page

    # turning the confirmation off with no auto-approval rule leaves approval to be decided
    with in_tenant(tenant_a):
        approvals.workflow_update(actor=None, workflow=ApprovalWorkflow.objects.get(), active=False)
    assert _steps(owner.get("/console/").content.decode())["approval"] is False


@pytest.mark.parametrize(("role", "steps"), [
    ("admin", STEPS),
    ("warehouse", ["warehouse"]),
    ("regional_manager", ["dealers"]),
    ("finance", []),
    ("analyst", []),
])
def test_people_see_only_the_steps_they_can_do_and_each_link_opens(tenant_a, in_tenant, role, steps):
    with in_tenant(tenant_a):
        scope = {"scope_node": Node.objects.get(kind="headquarters")} if role == "regional_manager" else {}
        user_create(actor=None, email=f"{role}@acme.test", password=DEFAULT_PASSWORD, role=role, **scope)
    browser = _browser(f"{role}@acme.test")
    page = browser.get("/console/").content.decode()
    assert list(_steps(page)) == steps
    assert ('id="checklist"' in page) == bool(steps)
    for link in _links(page):
        assert browser.get(link).status_code == 200, link


def test_your_work_is_hidden_until_something_waits(tenant_a):
    page = _browser("owner@acme.test").get("/console/").content.decode()
    assert 'id="work"' not in page and "Your work" not in page


def test_saved_branding_shows_on_the_next_page_whichever_worker_serves_it(tenant_a, settings):
    settings.TENANT_ROUTING_CACHE_MS = 60_000
    owner = _browser("owner@acme.test")
    response = owner.post("/console/company/", {"display_name": "Acme 饮料", "primary_colour": "#D9282F",
                                                "default_locale": "zh-hans"})
    assert response.status_code == 302
    page = owner.get("/console/").content.decode()
    assert "Acme 饮料" in page and "#D9282F" in page and _steps(page)["company"]

    # another worker kept the routing it read before the change: the shared generation tells it to read again
    kept = dict(selectors._ROUTES)
    services.tenant_branding_update(actor=None, tenant=tenant_a, primary_colour="#0E7C66")
    selectors._ROUTES.update(kept)
    assert "#0E7C66" in owner.get("/console/").content.decode()
