"""Fixtures of the ordering tests: an active dealer with a shipping address, priced SKUs in stock in two
warehouses (one serving the dealer's region), and people on both sides."""

from types import SimpleNamespace

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.approvals import services as approvals
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services as dealers
from tenant_apps.inventory import services as inventory
from tenant_apps.ordering import services as cart
from tenant_apps.pricing import services as pricing
from tests.factories import DEFAULT_PASSWORD


def make_store(*, tag: str = "", stock_east: int = 100, stock_west: int = 50):
    """Build the store in the current schema (`tag` keeps codes unique when committed for real)."""
    east = dealers.territory_create(actor=None, code=f"EAST{tag}", name="华东")
    shanghai = dealers.territory_create(actor=None, code=f"SH{tag}", name="上海", parent=east)
    west = dealers.territory_create(actor=None, code=f"WEST{tag}", name="西部")
    hq = dealers.headquarters_ensure(name="HQ")
    # This brand approves orders at submission: it turned off the confirmation step sign-up gave it (the approval
    # tests add their own workflows).
    for workflow in ApprovalWorkflow.objects.filter(active=True):
        approvals.workflow_update(actor=None, workflow=workflow, active=False)
    tier = dealers.tier_create(actor=None, code=f"A{tag}", name="A")
    dealer = dealers.dealer_create(actor=None, parent=hq, code=f"SH-1{tag}", legal_name=f"上海经销商{tag}",
                                   tier=tier, territories=[shanghai], status="active")
    dealers.address_add(actor=None, dealer=dealer, kind="shipping", recipient="王经理", phone="13800000000",
                        territory=shanghai, line="浦东新区 1 号", is_default=True)
    buyer = user_create(actor=None, email=f"buyer{tag}@sh.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                        dealer=dealer)
    can = catalog.unit_ensure(code="CAN", name="罐")
    case = catalog.unit_ensure(code="CASE", name="箱")
    root = catalog.category_create(actor=None, parent=None, code=f"DRINK{tag}", name="饮料")
    product = catalog.product_create(actor=None, category=root, code=f"RB{tag}", name="红牛", status="on_sale")
    sku = catalog.sku_create(actor=None, product=product, code=f"RB-250{tag}", name="红牛 250ml", base_unit=can,
                             order_step=1, units=[(case, 24, "")])
    water = catalog.sku_create(actor=None, product=product, code=f"RB-330{tag}", name="红牛 330ml", base_unit=can)
    base = pricing.price_list_create(actor=None, code=f"BASE{tag}", name="基础价", kind="base", status="active")
    pricing.price_entry_set(actor=None, price_list=base, sku=sku, unit=can, price="5.00")
    pricing.price_entry_set(actor=None, price_list=base, sku=water, unit=can, price="6.00")
    wh_east = inventory.warehouse_create(actor=None, code=f"E{tag}", name="上海仓", territories=[east])
    wh_west = inventory.warehouse_create(actor=None, code=f"W{tag}", name="成都仓", territories=[west])
    for item in (sku, water):
        if stock_east:
            inventory.stock_receive(actor=None, sku_id=item.pk, warehouse_id=wh_east.pk, quantity=stock_east)
        if stock_west:
            inventory.stock_receive(actor=None, sku_id=item.pk, warehouse_id=wh_west.pk, quantity=stock_west)
    return SimpleNamespace(dealer=dealer, buyer=buyer, sku=sku, water=water, can=can, case=case, east=wh_east,
                           west=wh_west, tier=tier, shanghai=shanghai, base=base)


@pytest.fixture
def store(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = make_store()
        made.tenant = tenant_a
        made.fill = lambda *lines: [cart.cart_line_set(actor=made.buyer, dealer=made.dealer, sku_id=s.pk,
                                                       unit_id=u.pk, quantity=q) for s, u, q in lines]
        yield made
