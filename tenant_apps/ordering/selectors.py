"""Reads of orders, always through the actor's data scope: a dealer's staff see their own company's
orders, brand staff those of the dealers in their scope (tenant_apps.dealers.selectors.dealers_visible_to).
An order outside the scope is a 404, indistinguishable from one that does not exist."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import (
    ORDERS_APPROVE_OWN,
    SUPPLIER_ORDERS,
    Scope,
    has_perm,
    scope_of,
    supplier_node_id,
)
from tenant_apps.dealers.selectors import dealers_visible_to, hq_orders_only_own
from tenant_apps.ordering.errors import OrderNotFound, SavedOrderViewNotFound
from tenant_apps.ordering.models import (
    CartLine,
    InternalApproval,
    Order,
    OrderEvent,
    OrderLine,
    OrderReservation,
    OrderStatus,
    OrderTemplate,
    SavedOrderView,
)


def orders_visible_to(user) -> QuerySet[Order]:
    scope = scope_of(user)
    if not getattr(user, "is_authenticated", False) or scope is None:
        return Order.objects.none()
    if scope == Scope.OWN_DEALER:
        return Order.objects.filter(dealer_id=user.dealer_id) if user.dealer_id else Order.objects.none()
    if scope == Scope.ALL:
        return Order.objects.all()
    return Order.objects.filter(dealer__in=dealers_visible_to(user).values("pk"))


def _listed(actor) -> QuerySet[Order]:
    """The orders a list shows the actor: brand staff see the whole chain's orders in their scope, or only
    headquarters' own sales (seller NULL) when the brand says so (NetworkSettings.hq_orders_only_own); dealer
    staff their own company's, whoever sells them."""
    orders = orders_visible_to(actor)
    if scope_of(actor) != Scope.OWN_DEALER:
        orders = orders.filter(Q(seller__isnull=True) | ~hq_orders_only_own())
    return orders


def order_list(*, actor, status: str = "", **filters) -> QuerySet[Order]:
    """Orders in the actor's scope with their dealer and line count: one query for any page size. `filters`
    are those of `_filtered` (console filters, validated by tenant_apps.ordering.filters.OrderFilter)."""
    orders = _filtered(_listed(actor), **filters)
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return orders.select_related("dealer", "placed_by").defer("dealer__bank_account").annotate(
        line_count=Count("lines"))


def _filtered(orders, *, dealer_id=None, date_from=None, date_to=None, q="", region=None, sales_rep=None,
              amount_min=None, amount_max=None, warehouse=None, outside_territory=None):
    """Narrow `orders` (already in the actor's scope): a region is a subtree of the network, a warehouse any
    that reserved or shipped stock for the order, amounts bound the order's total (both ends included);
    `outside_territory` True keeps the orders flagged as shipped outside their dealer's territories, False the
    others (ordering.channel)."""
    if dealer_id not in (None, ""):
        orders = orders.filter(dealer_id=dealer_id) if str(dealer_id).isdigit() else orders.none()
    if date_from:
        orders = orders.filter(created_at__date__gte=date_from)
    if date_to:
        orders = orders.filter(created_at__date__lte=date_to)
    q = (q or "").strip()
    if q:
        orders = orders.filter(Q(number__icontains=q) | Q(dealer__code__iexact=q) | Q(dealer__name__icontains=q)
                               | Q(dealer__legal_name__icontains=q))
    if region is not None:
        orders = orders.filter(dealer__node__path__descendant_of=region.path)
    if sales_rep is not None:
        orders = orders.filter(dealer__sales_rep=sales_rep)
    if amount_min is not None:
        orders = orders.filter(total__gte=amount_min)
    if amount_max is not None:
        orders = orders.filter(total__lte=amount_max)
    if outside_territory is not None:
        orders = orders.filter(outside_territory=bool(outside_territory))
    if warehouse is not None:
        orders = orders.filter(Exists(OrderReservation.objects.filter(order=OuterRef("pk"), warehouse=warehouse)))
    return orders


def order_status_counts(*, actor, **filters) -> dict[str, int]:
    """How many orders in each state (every state present, 0 when none), in one query."""
    orders = _filtered(_listed(actor), **filters)
    counts = dict.fromkeys(OrderStatus.values, 0)
    for row in orders.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def saved_order_views(*, actor) -> QuerySet[SavedOrderView]:
    """The actor's saved views of the order list and those shared with the whole team, by name."""
    return SavedOrderView.objects.filter(Q(owner=actor) | Q(shared=True)).select_related("owner").order_by(
        "name", "id")


def saved_order_view_get_for(*, actor, view_id) -> SavedOrderView:
    """A saved view the actor owns (only its owner may change or delete it); 404 otherwise."""
    view = SavedOrderView.objects.filter(owner=actor, pk=view_id).first() if str(view_id).isdigit() else None
    if view is None:
        raise SavedOrderViewNotFound(_("No such saved view."))
    return view


# What waits for the dealer: an order not submitted (draft: sent back, or being edited), an order placed on its
# behalf to confirm, goods to confirm.
WAITING_ON_DEALER = (OrderStatus.DRAFT, OrderStatus.AWAITING_DEALER, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
UNDER_WAY = (OrderStatus.SUBMITTED, OrderStatus.IN_APPROVAL, OrderStatus.APPROVED, OrderStatus.ALLOCATED,
             OrderStatus.PARTIALLY_SHIPPED)


def dealer_overview(*, actor, latest: int = 5) -> dict:
    """A dealer's home in four queries whatever its history: the shared cart's line count, how many of its orders
    are in each state, the orders waiting for the dealer (oldest first) and the latest orders."""
    counts = order_status_counts(actor=actor)
    waiting = list(order_list(actor=actor).filter(status__in=WAITING_ON_DEALER).order_by("created_at", "id")[:latest])
    recent = list(order_list(actor=actor).order_by("-created_at", "-id")[:latest])
    cart_lines = CartLine.objects.filter(cart__dealer_id=actor.dealer_id).count() if actor.dealer_id else 0
    return {"cart_lines": cart_lines, "waiting": waiting, "recent": recent,
            "waiting_count": sum(counts[status] for status in WAITING_ON_DEALER),
            "under_way": [(status, OrderStatus(status).label, counts[status]) for status in UNDER_WAY
                          if counts[status]],
            "total": sum(counts.values())}


def order_get_for(*, actor, order_id) -> Order:
    """The order, if the actor may see it; OrderNotFound (404) otherwise, existing or not. The one scoped
    getter of an order: ordering's pages and API, fulfilment and approvals all take a client's order id
    through it. The dealer comes with its node and tier (what approval conditions and scopes look at)."""
    order = orders_visible_to(actor).select_related("dealer", "dealer__node", "dealer__tier", "placed_by") \
        .defer("dealer__bank_account").filter(pk=order_id).first() if str(order_id).isdigit() else None
    if order is None:
        raise OrderNotFound(_("No such order."))
    return order


def order_reserved_left(order: Order) -> bool:
    """Does the order still wait for goods: stock held somewhere (not yet shipped)? An order placed with a
    supplier may also owe units not reserved yet (waiting for the supplier's stock) or passed up to headquarters
    (ordering.pass_up) and not come back: every unit not shipped counts. One query."""
    if order.seller_id is not None:
        return OrderLine.objects.filter(order=order, shipped_base__lt=F("quantity") * F("factor")).exists()
    return OrderReservation.objects.filter(order=order, quantity__gt=0).exists()


def orders_delivered_before(cutoff) -> list[Order]:
    """Delivered orders whose delivery (their last move to delivered) is at or before `cutoff`, oldest
    first."""
    delivered_at = OrderEvent.objects.filter(order=OuterRef("pk"), to_status=OrderStatus.DELIVERED).order_by(
        "-at").values("at")[:1]
    return list(Order.objects.filter(status=OrderStatus.DELIVERED)
                .annotate(delivered_at=Subquery(delivered_at))
                .filter(delivered_at__lte=cutoff).order_by("delivered_at"))


def order_detail(order: Order) -> Order:
    """The order with its lines (SKU, unit), timeline and reservations (warehouse) prefetched: four queries."""
    return Order.objects.select_related("dealer", "placed_by", "backorder_of", "seller", "passed_up_from",
                                        "passed_up_from__dealer").defer(
        "dealer__bank_account", "passed_up_from__dealer__bank_account") \
        .prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku", "sku__base_unit", "unit")
                 .order_by("line_no")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")),
        Prefetch("reservations", queryset=OrderReservation.objects
                 .select_related("warehouse", "sku", "line", "line__unit", "line__sku__base_unit")
                 .order_by("warehouse__code", "line__line_no")),
        "backorders",
    ).get(pk=order.pk)


def templates_of(dealer) -> QuerySet[OrderTemplate]:
    return OrderTemplate.objects.filter(dealer=dealer).select_related("created_by").annotate(
        line_count=Count("lines")).order_by("name", "id")  # an aggregate drops Meta.ordering


FREQUENT_MONTHS = 6
FREQUENT_LIMIT = 30


def frequently_ordered(*, actor, months: int = FREQUENT_MONTHS, limit: int = FREQUENT_LIMIT) -> list[dict]:
    """常购清单: the SKUs the actor's dealer ordered most in the last `months` months (in how many orders;
    the latest first on a tie), each with the quantity and unit of its latest order, to add again in one tap.
    Cancelled and rejected orders and free gifts do not count; SKUs the dealer can no longer order are left
    out. Three queries whatever the length of the list."""
    from datetime import timedelta

    from django.db.models import Max, OuterRef, Subquery
    from django.utils import timezone

    from tenant_apps.catalog.models import Unit
    from tenant_apps.catalog.selectors import sku_search

    if not getattr(actor, "dealer_id", None):
        return []
    lines = OrderLine.objects.filter(
        order__dealer_id=actor.dealer_id, order__created_at__gte=timezone.now() - timedelta(days=30 * months),
        gift_promotion_id__isnull=True,
    ).exclude(order__status__in=[OrderStatus.CANCELLED, OrderStatus.REJECTED])
    latest = lines.filter(sku_id=OuterRef("sku_id")).order_by("-order__created_at", "-order_id", "line_no")
    top = list(lines.values("sku_id").annotate(
        times=Count("order_id", distinct=True), last_at=Max("order__created_at"),
        quantity=Subquery(latest.values("quantity")[:1]), unit_id=Subquery(latest.values("unit_id")[:1]),
    ).order_by("-times", "-last_at", "sku_id")[:limit])
    if not top:
        return []
    skus = sku_search(dealer=actor.dealer).in_bulk([row["sku_id"] for row in top])
    units = Unit.objects.in_bulk({row["unit_id"] for row in top})
    return [{"sku": skus[row["sku_id"]], "times": row["times"], "last_at": row["last_at"],
             "quantity": row["quantity"], "unit": units[row["unit_id"]]}
            for row in top if row["sku_id"] in skus]


# --- orders placed with a supplier (S2B2B) -------------------------------------------------------------------

CLOSED_STATUSES = (OrderStatus.REJECTED, OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CANCELLED)


def supplier_orders(*, actor) -> QuerySet[Order]:
    """The orders placed with the actor's company, while it is an active supplier and the actor holds
    supplier.orders (its sub-dealers' orders; nothing else)."""
    if not has_perm(actor, SUPPLIER_ORDERS):
        return Order.objects.none()
    return Order.objects.filter(seller_id=supplier_node_id(actor))


def supplier_order_list(*, actor, status: str = "") -> QuerySet[Order]:
    orders = supplier_orders(actor=actor)
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return orders.select_related("dealer", "placed_by").defer("dealer__bank_account").annotate(
        line_count=Count("lines")).order_by("-created_at", "-id")


def supplier_order_get_for(*, actor, order_id) -> Order:
    """One order placed with the actor's company; OrderNotFound (404) for any other, existing or not."""
    order = supplier_orders(actor=actor).select_related("dealer", "dealer__node", "dealer__tier", "placed_by") \
        .defer("dealer__bank_account").filter(pk=order_id).first() \
        if str(order_id).isdigit() and int(order_id) < 2 ** 62 else None
    if order is None:
        raise OrderNotFound(_("No such order."))
    return order


def supplier_open_orders_count(*, node_id: int) -> int:
    """Orders placed with the supplier `node_id` not yet delivered, completed, rejected or cancelled (a supplier is
    not stopped while it has some)."""
    return Order.objects.filter(seller_id=node_id).exclude(status__in=CLOSED_STATUSES).count()


def internal_approvals_pending(*, actor):
    """The orders of the actor's company waiting for its own approval (ordering.internal_approval), oldest first;
    none for anyone who may not approve them."""
    if not has_perm(actor, ORDERS_APPROVE_OWN) or not actor.dealer_id:
        return InternalApproval.objects.none()
    return (InternalApproval.objects.filter(dealer_id=actor.dealer_id, status=InternalApproval.Status.PENDING)
            .select_related("order", "requested_by").order_by("created_at"))
