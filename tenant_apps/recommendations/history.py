"""The order history the recommender learns from, read in one query each: the counted orders as baskets, the
dealers' groups (region x tier), one dealer's group and its own (sku, day) rows.

Counted orders are those submitted and not cancelled, rejected or still drafts (the demand contract of issue 26:
Order.submitted_at, by the tenant's local day); free gift lines (买赠) are left out, nobody chose them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from django.utils import timezone

from tenant_apps.dealers.models import Dealer, Node
from tenant_apps.ordering.models import OrderLine, OrderStatus
from tenant_apps.recommendations.engine import Basket, Group

NOT_COUNTED = (OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.REJECTED)


def day_start(day: date) -> datetime:
    """The first moment of `day` in the tenant's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _counted_lines(*, start: date | None, end: date | None):
    lines = OrderLine.objects.filter(order__submitted_at__isnull=False, gift_promotion_id__isnull=True).exclude(
        order__status__in=NOT_COUNTED)
    if start is not None:
        lines = lines.filter(order__submitted_at__gte=day_start(start))
    if end is not None:
        lines = lines.filter(order__submitted_at__lt=day_start(end))
    return lines


def baskets_load(*, start: date | None = None, end: date | None = None, dealer_id: int | None = None) -> list[Basket]:
    """The counted orders submitted in [start, end) (either open), as baskets, by submission. One query."""
    lines = _counted_lines(start=start, end=end)
    if dealer_id is not None:
        lines = lines.filter(order__dealer_id=dealer_id)
    skus: dict[int, set[int]] = defaultdict(set)
    meta: dict[int, tuple[int, date]] = {}
    for order_id, dealer, submitted_at, sku_id in lines.values_list(
            "order_id", "order__dealer_id", "order__submitted_at", "sku_id").order_by("order__submitted_at",
                                                                                    "order_id"):
        skus[order_id].add(sku_id)
        meta.setdefault(order_id, (dealer, timezone.localdate(submitted_at)))
    return [Basket(order_id, dealer, day, frozenset(skus[order_id])) for order_id, (dealer, day) in meta.items()]


def _region_of(path: str, regions: set[int]) -> int | None:
    """The deepest region node on a dealer's path (its region in the network tree), None under none."""
    return next((int(label) for label in reversed(str(path).split(".")) if int(label) in regions), None)


def dealer_groups() -> dict[int, Group]:
    """Every dealer's (region node id, tier id). Two queries: the regions (few), the dealers."""
    regions = set(Node.objects.filter(kind=Node.Kind.REGION).values_list("pk", flat=True))
    return {pk: (_region_of(path, regions), tier) for pk, path, tier in
            Dealer.objects.values_list("pk", "node__path", "tier_id")}


def dealer_group(dealer: Dealer) -> tuple[Group, dict[str, str]]:
    """The dealer's (region id, tier id) and the names of both ({"region": ..., "tier": ...}). Two queries: the
    dealer's path and tier, the region nodes above it."""
    path, tier_id, tier_name = Dealer.objects.filter(pk=dealer.pk).values_list(
        "node__path", "tier_id", "tier__name").first() or ("", None, "")
    rows = list(Node.objects.filter(kind=Node.Kind.REGION, path__ancestor_of=str(path)).values_list(
        "pk", "name", "path")) if path else []
    names = {"tier": tier_name or ""}
    region = None
    if rows:
        region, names["region"], _path = max(rows, key=lambda row: str(row[2]).count("."))
    return (region, tier_id), names


def dealer_history(dealer: Dealer, *, end: date | None = None) -> list[tuple[int, date]]:
    """The dealer's own (sku id, local day) of every counted order line. One query."""
    lines = _counted_lines(start=None, end=end).filter(order__dealer_id=dealer.pk)
    return [(sku_id, timezone.localdate(at)) for sku_id, at in
            lines.values_list("sku_id", "order__submitted_at").order_by("order__submitted_at")]


def last_order_skus(dealer: Dealer) -> list[int]:
    """The SKUs of the dealer's latest counted order (the anchors of "often bought together" on an empty cart)."""
    latest = (_counted_lines(start=None, end=None).filter(order__dealer_id=dealer.pk)
              .order_by("-order__submitted_at", "-order_id").values("order_id")[:1])
    return list(OrderLine.objects.filter(order_id__in=latest, gift_promotion_id__isnull=True)
                .values_list("sku_id", flat=True).distinct())

