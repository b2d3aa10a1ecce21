"""Demo orders: one or more in every state of the lifecycle, made the way people make them — the dealer
submits (real quotes, reservations and promotions), the regional manager and HQ approve or not, the warehouse
allocates and ships, the carrier delivers, the dealer confirms — all through the services.

    draft             sent back by the regional manager for changes
    submitted         a backorder waiting for stock (the brand's shortage policy is "backorder")
    awaiting_dealer   placed for the dealer by its sales rep (代客下单), waiting for the dealer to confirm it
    in_approval       waiting for the regional manager
    approved          through the chain, waiting for the warehouse
    rejected          refused by the regional manager, stock given back
    allocated         picked in the warehouse
    partially_shipped half of the first pick on its way
    shipped           on its way, with tracking
    delivered         delivered by the carrier, waiting for the dealer's confirmation
    completed         confirmed by the dealer (one with a return requested)
    cancelled         cancelled by the dealer

One order ships to a depot outside the dealer's territories (防窜货): the brand's policy is "flag", so it went
through, flagged, and is on HQ's list (the order board's "outside territory" filter).
"""

from __future__ import annotations

from decimal import Decimal
from math import ceil

from django.db import transaction

from shared_apps.demo.fulfillment import deliver_demo_order, return_demo_order, say, ship_demo_order
from tenant_apps.accounts.models import User
from tenant_apps.approvals.services import approval_decide
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.dealers import services as dealer_services
from tenant_apps.dealers.models import Dealer
from tenant_apps.fulfillment.services import order_allocate
from tenant_apps.inventory.selectors import availability_for
from tenant_apps.ordering.lifecycle import order_cancel
from tenant_apps.ordering.models import Order, OrderStatus, ShortagePolicy
from tenant_apps.ordering.on_behalf import order_submit_for
from tenant_apps.ordering.services import cart_line_set, ordering_settings_update
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing.selectors import dealer_prices


def _lines(skus, prices, offset: int, count: int, target: Decimal) -> list[SubmitLine]:
    """`count` orderable lines starting at `offset` in the dealer's priced, in-stock SKUs, in whole steps,
    worth about `target` together."""
    start = offset % len(skus)
    picked = (skus[start:] + skus[:start])[:count]  # round the list, so the lines are worth the target together
    lines = []
    for sku in picked:
        step = max(sku.min_order_qty, sku.order_step)
        each = max(prices[sku.pk].unit_price * step, Decimal("0.01"))
        lines.append(SubmitLine(sku_id=sku.pk, unit_id=None, quantity=step * max(1, ceil(target / count / each))))
    return lines


@transaction.atomic
def seed_orders(*, brand_slug: str) -> None:
    if Order.objects.exists():
        return
    dealer = Dealer.objects.filter(users__email=f"dealer@{brand_slug}.test").first()
    buyer = User.objects.filter(email=f"dealer@{brand_slug}.test").first()
    manager = User.objects.filter(email=f"rm.east@{brand_slug}.test").first()
    hq = User.objects.filter(email=f"admin@{brand_slug}.test").first()
    finance = User.objects.filter(email=f"finance@{brand_slug}.test").first()
    if not all((dealer, buyer, manager, hq, finance)):
        return
    if not dealer.addresses.filter(kind="shipping").exists():
        territory = dealer.territories.order_by("path").first()
        dealer_services.address_add(actor=None, dealer=dealer, kind="shipping",
                                    recipient=say("上海总仓 张主管", "Shanghai warehouse, attn. Tony Zhang"),
                                    phone="13800138000", territory=territory,
                                    line=say("浦东新区川沙路 1888 号", "1888 Chuansha Road, Pudong"),
                                    label=say("总仓", "Main warehouse"), is_default=True)
    candidates = list(sku_search(dealer=dealer).order_by("code")[:200])
    prices = dealer_prices(dealer, [sku.pk for sku in candidates])
    stock = {sku_id: available for sku_id, (available, _low) in availability_for([s.pk for s in candidates]).items()}
    skus = [sku for sku in candidates if sku.pk in prices and stock.get(sku.pk, 0) >= 500]

    # Above the brand's automatic approval for small tier-A orders, below the finance step.
    big = Decimal("3000") if brand_slug == "acme" else Decimal("30000")

    def submit(offset, count=3, target=big):
        return order_submit(actor=buyer, dealer=dealer, lines=_lines(skus, prices, offset, count, target)).order

    def through_chain(order):
        """Each open step approved by the person it waits for: the regional manager, then HQ, then finance."""
        for approver in (manager, hq, finance):
            order.refresh_from_db()
            if order.status != OrderStatus.IN_APPROVAL:
                break
            approval_decide(actor=approver, order=order, decision="approve")
        order.refresh_from_db()
        return order

    completed = through_chain(submit(0, count=4))
    ship_demo_order(order=completed)
    deliver_demo_order(order=completed, actor=buyer, confirm=True)
    return_demo_order(order=completed, actor=buyer)
    delivered = through_chain(submit(10))
    ship_demo_order(order=delivered)
    deliver_demo_order(order=delivered)
    ship_demo_order(order=through_chain(submit(20)))
    ship_demo_order(order=through_chain(submit(30, count=2)), partial=True)
    allocated = through_chain(submit(40))
    order_allocate(actor=hq, order=allocated)
    through_chain(submit(50, target=big / 3))  # a small tier-A order: approved at once
    submit(60)  # in approval, waiting for the regional manager
    _flagged_outside_territory(dealer=dealer, buyer=buyer, lines=_lines(skus, prices, 110, 2, big / 3))
    approval_decide(actor=manager, order=submit(70), decision="reject",
                    reason=say("该区域本月配额已满", "The region's quota for this month is used up"))
    approval_decide(actor=manager, order=submit(80), decision="send_back",
                    reason=say("请把第二行改为整箱", "Please order the second line in whole boxes"))
    order_cancel(actor=buyer, order=submit(90, count=2), reason=say("下错单", "Ordered by mistake"))
    # A backorder: more of one SKU than is in stock, under the backorder policy.
    ordering_settings_update(actor=None, shortage_policy=ShortagePolicy.BACKORDER)
    sku = skus[100 % len(skus)]
    wanted = stock[sku.pk] + 10 * max(sku.order_step, 1)
    step = max(sku.order_step, 1)
    order_submit(actor=buyer, dealer=dealer, lines=[SubmitLine(sku.pk, None, (wanted // step + 1) * step)])
    # Placed for the dealer by its sales rep (代客下单); the brand asks dealers to confirm such orders, so it waits for
    # the dealer's confirmation on the storefront, holding its stock.
    rep = User.objects.filter(email=f"rep@{brand_slug}.test").first()
    if rep is not None:
        ordering_settings_update(actor=None, confirm_on_behalf=True)
        order_submit_for(actor=rep, dealer=dealer, lines=_lines(skus, prices, 110, 2, big / 3),
                         note=say("拜访时电话确认的补货", "Restock agreed on the phone during a visit"))
    # And a cart in progress, above the spring 满减's first step, for the storefront's cart page.
    for line in _lines(skus, prices, 120, 3, big):
        cart_line_set(actor=buyer, dealer=dealer, sku_id=line.sku_id, quantity=line.quantity)


def _flagged_outside_territory(*, dealer: Dealer, buyer: User, lines: list[SubmitLine]) -> None:
    """A second shipping address of the demo dealer (上海) in its neighbour's province (JS-A01's, 江苏), and an order
    shipped there: let through under the brand's channel policy ("flag", the default) and flagged for HQ."""
    neighbour = Dealer.objects.filter(code="JS-A01").first()
    area = neighbour.territories.order_by("path").first() if neighbour is not None else None
    if area is None:
        return
    depot = dealer_services.address_add(
        actor=None, dealer=dealer, kind="shipping", recipient=say("苏州分仓 李主管", "Suzhou depot, attn. Li Na"),
        phone="13800138001", territory=area, line=say("苏州工业园区星湖街 88 号", "88 Xinghu Street, Suzhou"),
        label=say("苏州分仓", "Suzhou depot"))
    order_submit(actor=buyer, dealer=dealer, address_id=depot.pk, lines=lines,
                 note=say("直发苏州分仓", "Straight to the Suzhou depot"))
