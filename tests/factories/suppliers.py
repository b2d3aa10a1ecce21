"""A distribution chain (S2B2B) on top of the ordering store (tests.factories.ordering.store): two provincial agents
made suppliers by headquarters, each with a sub-dealer, its own price list, warehouse and approval workflow."""

from __future__ import annotations

from types import SimpleNamespace

from billing_saas import services as billing
from billing_saas.models import Plan
from tenant_apps.approvals.services import StepSpec
from tenant_apps.dealers import services as dealers
from tests.factories.accounts import UserFactory
from tests.factories.approvals import WorkflowFactory
from tests.factories.dealers import DealerFactory, address
from tests.factories.inventory import WarehouseFactory
from tests.factories.pricing import PriceEntryFactory, PriceListFactory


def multi_tier_plan(tenant) -> None:
    """The workspace on the enterprise plan (it has multi-tier distribution), as the operator would put it; the
    tenant object is refreshed (the connection's tenant is the one the caller passes to in_tenant)."""
    billing.subscription_plan_set(actor=None, subscription=tenant.subscription,
                                  plan=Plan.objects.get(code="enterprise"), reason="test")
    tenant.refresh_from_db()


def agent(store, *, code: str, name: str, price: str, stock: int) -> SimpleNamespace:
    """An active dealer under headquarters made a supplier, its owner and buyer, one sub-dealer (active, in 上海,
    buying from it) with a buyer; the agent's own base list (`price` a can of the store's SKU), its warehouse with
    `stock` cans of both SKUs, and its workflow: one step its dealer owner decides."""
    dealer = DealerFactory(code=code, legal_name=name, status="active", territories=[store.shanghai])
    supplier = dealers.supplier_designate(actor=None, dealer=dealer)
    node = dealer.node
    owner = UserFactory(email=f"owner@{code.lower()}.test", role="dealer_owner", dealer=dealer, full_name="")
    buyer = UserFactory(email=f"buyer@{code.lower()}.test", role="dealer_buyer", dealer=dealer, full_name="")
    sub = DealerFactory(code=f"{code}-SUB", legal_name=f"{name}下级", parent=node, supplier=node, status="active",
                        territories=[store.shanghai], tier=store.tier)
    address(dealer=sub, territory=store.shanghai)
    sub_buyer = UserFactory(email=f"buyer@{code.lower()}-sub.test", role="dealer_buyer", dealer=sub, full_name="")
    prices = PriceListFactory(code=f"{code}-BASE", name=f"{name}价", owner=node)
    PriceEntryFactory(price_list=prices, sku=store.sku, unit=store.can, price=price)
    PriceEntryFactory(price_list=prices, sku=store.water, unit=store.can, price="7.00")
    warehouse = WarehouseFactory(code=f"{code}-WH", name=f"{name}仓", owner=node,
                                 stock={store.sku: stock, store.water: stock} if stock else None)
    workflow = WorkflowFactory(name=f"{name}审批", owner=node,
                               steps=[StepSpec(name="代理商确认", approver_roles=["dealer_owner"], scope="hq")])
    return SimpleNamespace(dealer=dealer, node=node, supplier=supplier, owner=owner, buyer=buyer, sub=sub,
                           sub_buyer=sub_buyer, prices=prices, warehouse=warehouse, workflow=workflow)


def chain(store, tenant) -> SimpleNamespace:
    """Two sibling agents, 江苏 (JS, 5.50 a can, 40 in stock) and 浙江 (ZJ, 5.80, 30), on the multi-tier plan."""
    multi_tier_plan(tenant)
    js = agent(store, code="JS", name="江苏省代", price="5.50", stock=40)
    zj = agent(store, code="ZJ", name="浙江省代", price="5.80", stock=30)
    return SimpleNamespace(store=store, js=js, zj=zj)
