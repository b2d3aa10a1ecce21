"""Demo of multi-tier distribution (S2B2B), for a brand whose plan has it: the first provincial agent of the East
(SH-A01) made a supplier by headquarters; two of the dealers under it buy from it; it has its own price list
(headquarters' base prices plus a margin, never under a SKU's minimum resale price), its own warehouse with stock
received, and one of its sub-dealers has placed an order with it (priced and reserved on the agent's side, charged
to the sub-dealer's account with the agent, cash on delivery) and paid part of it by bank transfer; the other
sub-dealer has a credit line with the agent (its receivables page, /supplier/receivables/). A second order of the
first sub-dealer is partly shipped by the agent from its own stock, and the rest passed up to headquarters as a
drop-ship: the agent's own order to headquarters, approved through headquarters' chain and shipped by it straight
to the sub-dealer, so the sub-dealer's order shows both shipments. The
agent keeps a safety stock of two SKUs: above what it holds for the first (its demand page, /supplier/demand/,
suggests buying it from headquarters), below it for the second (covered)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from billing_saas.limits import feature_enabled
from billing_saas.models import Feature
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_create
from tenant_apps.approvals.services import approval_decide
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import Dealer, DealerStatus, Node, Supplier
from tenant_apps.dealers.selectors import qualification_blockers
from tenant_apps.finance.services_suppliers import supplier_payment_record, supplier_terms_set
from tenant_apps.fulfillment.pass_up import supplier_order_pass_up
from tenant_apps.fulfillment.services import supplier_order_ship
from tenant_apps.inventory.models import SafetyStock, Stock
from tenant_apps.inventory.services import safety_stock_set, stock_receive, warehouse_create
from tenant_apps.ordering.models import OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing.models import PriceEntry, PriceList, PriceListStatus
from tenant_apps.pricing.services import price_entry_set, price_list_create, resale_floor

AGENT = "SH-A01"
MARGIN = Decimal("1.12")
STOCK = 500  # of each SKU the agent sells, received into its warehouse
SAFETY = (STOCK + 100, STOCK // 5)  # the safety stock of its first two SKUs: one above its stock, one below


def supplier_lines(*, slug: str, password: str) -> list[str]:
    return [f"  supplier (agent {AGENT})   dealer@{slug}.test / {password}  ->  /supplier/ (/supplier/demand/)",
            f"  its sub-dealer           sub@{slug}.test / {password}"]


@transaction.atomic
def seed_suppliers(*, brand_slug: str, password: str, tenant=None) -> list[str]:
    """Idempotent; nothing on a plan without multi-tier distribution."""
    if not feature_enabled(Feature.MULTI_TIER, tenant=tenant):
        return []
    node = Node.objects.filter(code=AGENT).select_related("dealer").first()
    if node is None:
        return []
    if Supplier.objects.filter(node=node).exists():
        _safety_stock(node, User.objects.get(email=f"dealer@{brand_slug}.test"))
        return supplier_lines(slug=brand_slug, password=password)
    admin = User.objects.get(email=f"admin@{brand_slug}.test")
    agent = node.dealer
    dealers.supplier_designate(actor=admin, dealer=agent)
    subs = [d for d in Dealer.objects.filter(node__parent=node, status=DealerStatus.ACTIVE).order_by("code")
            if not qualification_blockers(dealer=d)][:2]
    for sub in subs:
        dealers.dealer_update(actor=admin, dealer=sub, supplier=node)
    owner = User.objects.get(email=f"dealer@{brand_slug}.test")
    prices = price_list_create(actor=owner, owner=node, code=f"{AGENT}-BASE", name=agent.name,
                               kind="base", status=PriceListStatus.ACTIVE)
    base = (PriceEntry.objects.filter(price_list__kind="base", price_list__owner__isnull=True,
                                      price_list__status=PriceListStatus.ACTIVE, min_quantity=1)
            .select_related("sku", "unit", "price_list").order_by("sku__code")[:12])
    warehouse = warehouse_create(actor=admin, code=f"{AGENT}-WH", name=agent.name, owner=node)
    priced = []
    for entry in base:
        if entry.unit_id != entry.sku.base_unit_id:
            continue
        floor = resale_floor(sku=entry.sku, currency=entry.price_list.currency) or Decimal("0")
        price = max((entry.price * MARGIN).quantize(Decimal("0.01")), floor)
        price_entry_set(actor=owner, price_list=prices, sku=entry.sku, unit=entry.unit, price=price)
        stock_receive(actor=owner, sku_id=entry.sku_id, warehouse_id=warehouse.pk, quantity=STOCK,
                      reference=f"{AGENT}-IN-1")
        priced.append(entry.sku)
    if subs and priced:
        buyer = user_create(actor=None, email=f"sub@{brand_slug}.test", password=password, role="dealer_buyer",
                            dealer=subs[0], full_name="")
        lines = [SubmitLine(sku_id=sku.pk, unit_id=None, quantity=max(sku.min_order_qty, sku.order_step) * 4)
                 for sku in priced[:3]]
        order = order_submit(actor=buyer, dealer=subs[0], lines=lines).order
        paid = (order.total * Decimal("0.4")).quantize(Decimal("0.01"))
        if paid > 0:
            supplier_payment_record(actor=owner, creditor=node, dealer=subs[0], amount=paid, method="bank_transfer",
                                    reference=order.number, note="demo")
        _passed_up(brand_slug=brand_slug, buyer=buyer, sub=subs[0], owner=owner, warehouse=warehouse,
                   skus=priced[3:])
    if len(subs) > 1:
        supplier_terms_set(actor=owner, creditor=node, dealer=subs[1], mode="credit", credit_limit="20000.00",
                           terms_days=45)
    _safety_stock(node, owner)
    assert PriceList.objects.filter(owner=node).exists()
    return supplier_lines(slug=brand_slug, password=password)


def _passed_up(*, brand_slug: str, buyer, sub, owner, warehouse, skus) -> None:
    """The sub-dealer orders two SKUs from the agent; the agent ships the first from its stock and passes the second
    up to headquarters as a drop-ship (one headquarters has in stock), which headquarters approves and ships."""
    from shared_apps.demo.fulfillment import ship_demo_order

    free = dict(Stock.objects.filter(sku__in=skus, warehouse__owner__isnull=True, warehouse__is_active=True)
                .values("sku_id").annotate(free=Sum(F("on_hand") - F("reserved"))).values_list("sku_id", "free"))
    quantity = {sku.pk: max(sku.min_order_qty, sku.order_step) * 2 for sku in skus}
    kept = next((sku for sku in skus), None)
    passed_sku = next((sku for sku in skus if sku != kept and free.get(sku.pk, 0) >= quantity[sku.pk]), None)
    if kept is None or passed_sku is None:
        return
    order = order_submit(actor=buyer, dealer=sub, lines=[SubmitLine(sku_id=sku.pk, unit_id=None,
                                                                    quantity=quantity[sku.pk])
                                                         for sku in (kept, passed_sku)]).order
    order.refresh_from_db()
    if order.status == OrderStatus.IN_APPROVAL:
        order = approval_decide(actor=owner, order=order, decision="approve")
    line = order.lines.get(sku=passed_sku)
    passed = supplier_order_pass_up(actor=owner, order=order, mode="drop_ship", lines={line.pk: line.base_quantity})
    supplier_order_ship(actor=owner, order=order, warehouse=warehouse)
    for email in (f"rm.east@{brand_slug}.test", f"admin@{brand_slug}.test", f"finance@{brand_slug}.test"):
        passed.refresh_from_db()
        approver = User.objects.filter(email=email).first()
        if passed.status != OrderStatus.IN_APPROVAL or approver is None:
            break
        approval_decide(actor=approver, order=passed, decision="approve")
    passed.refresh_from_db()
    if passed.status == OrderStatus.APPROVED:
        ship_demo_order(order=passed, actor=User.objects.filter(email=f"admin@{brand_slug}.test").first())


def _safety_stock(node, owner) -> None:
    """The agent's safety stock of the first SKUs on its own list, unless it keeps some already (idempotent)."""
    if SafetyStock.objects.filter(owner=node).exists():
        return
    skus = (PriceEntry.objects.filter(price_list__owner=node).order_by("sku__code")
            .values_list("sku_id", flat=True).distinct()[:len(SAFETY)])
    for sku_id, quantity in zip(skus, SAFETY, strict=False):
        safety_stock_set(actor=owner, owner=node, sku_id=sku_id, quantity=quantity)
