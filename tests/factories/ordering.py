"""Orders, carts and templates, and the store many ordering tests share."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Max

from tenant_apps.approvals import services as approvals
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.audit.models import AuditEntry
from tenant_apps.ordering import quick, services
from tenant_apps.ordering.lifecycle import order_transition
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, SkuFactory, unit
from tests.factories.dealers import DealerFactory, TerritoryFactory, TierFactory, address, headquarters
from tests.factories.inventory import WarehouseFactory
from tests.factories.pricing import PriceEntryFactory, PriceListFactory


class OrderFactory(ServiceFactory):
    """An order submitted by `actor` (the dealer's buyer) for `dealer`: `lines=[(sku, quantity), ...]` in base
    units. `approve_as=user` approves it when the brand's workflow left it waiting."""

    class Meta:
        model = Order

    @classmethod
    def _create(cls, model_class, *, actor, dealer, lines, approve_as=None, **kwargs):
        submit = [line if isinstance(line, SubmitLine) else SubmitLine(line[0].pk, None, line[1]) for line in lines]
        order = order_submit(actor=actor, dealer=dealer, lines=submit, **kwargs).order
        if approve_as is not None and order.status != OrderStatus.APPROVED:
            order = order_transition(actor=approve_as, order=order, action="approve")
        return order


def cart_line(*, buyer, dealer, sku, quantity: int, unit=None):
    return services.cart_line_set(actor=buyer, dealer=dealer, sku_id=sku.pk, unit_id=unit.pk if unit else None,
                                  quantity=quantity)


def order_template(*, buyer, dealer, name: str):
    """The dealer's cart saved as a template."""
    return quick.template_save(actor=buyer, dealer=dealer, name=name)


def approval_at_submission() -> list[int]:
    """Orders are approved when submitted: the confirmation workflow sign-up gave the brand is turned off. Returns
    the ids turned off (a test that commits for real turns them back on)."""
    turned_off = []
    for workflow in ApprovalWorkflow.objects.filter(active=True):
        approvals.workflow_update(actor=None, workflow=workflow, active=False)
        turned_off.append(workflow.pk)
    return turned_off


def store(*, tag: str = "", stock_east: int = 100, stock_west: int = 50) -> SimpleNamespace:
    """An active dealer SH-1 (tier A, in 上海 inside 华东) with a default shipping address and a buyer; red bull
    250 ml (5.00 a can, cases of 24) and 330 ml (6.00) on the active base list; stock in a Shanghai
    warehouse serving 华东 and a Chengdu one serving 西部. Orders are approved at submission. `tag` keeps codes
    unique when committed for real; `audit_mark` and `workflows_off` say what such a test must undo."""
    audit_mark = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    east = TerritoryFactory(code=f"EAST{tag}", name="华东")
    shanghai = TerritoryFactory(code=f"SH{tag}", name="上海", parent=east)
    west = TerritoryFactory(code=f"WEST{tag}", name="西部")
    headquarters()
    workflows_off = approval_at_submission()
    tier = TierFactory(code=f"A{tag}", name="A")
    dealer = DealerFactory(code=f"SH-1{tag}", legal_name=f"上海经销商{tag}", tier=tier, territories=[shanghai],
                           status="active")
    address(dealer=dealer, territory=shanghai)
    buyer = UserFactory(email=f"buyer{tag}@sh.test", role="dealer_buyer", dealer=dealer, full_name="")
    can, case = unit("CAN", "罐"), unit("CASE", "箱")
    root = CategoryFactory(code=f"DRINK{tag}", name="饮料")
    product = ProductFactory(category=root, code=f"RB{tag}", name="红牛")
    sku = SkuFactory(product=product, code=f"RB-250{tag}", name="红牛 250ml", base_unit=can, order_step=1,
                     units=[(case, 24, "")])
    water = SkuFactory(product=product, code=f"RB-330{tag}", name="红牛 330ml", base_unit=can)
    base = PriceListFactory(code=f"BASE{tag}", name="基础价")
    PriceEntryFactory(price_list=base, sku=sku, unit=can, price="5.00")
    PriceEntryFactory(price_list=base, sku=water, unit=can, price="6.00")
    wh_east = WarehouseFactory(code=f"E{tag}", name="上海仓", territories=[east],
                               stock={item: stock_east for item in (sku, water) if stock_east})
    wh_west = WarehouseFactory(code=f"W{tag}", name="成都仓", territories=[west],
                               stock={item: stock_west for item in (sku, water) if stock_west})
    return SimpleNamespace(dealer=dealer, buyer=buyer, sku=sku, water=water, can=can, case=case, east=wh_east,
                           west=wh_west, tier=tier, shanghai=shanghai, base=base, audit_mark=audit_mark,
                           workflows_off=workflows_off)
