"""Reads of pricing: a dealer's prices for the storefront, the console's listings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.core.money import tenant_currency
from tenant_apps.dealers.models import Dealer, Supplier
from tenant_apps.pricing.engine import price_book_load
from tenant_apps.pricing.errors import PricingNotFound
from tenant_apps.pricing.models import (
    FloorViolation,
    PriceEntry,
    PriceList,
    ProtectionCompensation,
    ProtectionWindow,
    ResalePrice,
)
from tenant_apps.pricing.quote_types import CartLine, DealerContext, PricedLine

_CURRENT = object()


def dealer_context(dealer: Dealer, at: datetime | None = None, *, currency: str | None = None,
                   seller_id=_CURRENT) -> DealerContext:
    """Who is buying, when, in what currency: tier, territories' paths and network node path, in one query. The
    currency is the dealer's ordering currency, the brand's (`tenant_currency()`, no query) unless given: price
    lists, protection windows and promotions in another currency do not apply to the dealer's quotes. The seller is
    the dealer's supplier when that is an active supplier, else headquarters (None), unless given (an order's own)."""
    row = (Dealer.objects.filter(pk=dealer.pk)
           .annotate(paths=ArrayAgg(Cast("territories__path", TextField()), distinct=True, default=None),
                     seller=Subquery(Supplier.objects.filter(node_id=OuterRef("supplier_id"), active=True)
                                     .values("node_id")[:1]))
           .values_list("node__path", "paths", "seller").first())
    node_path, paths, seller = row if row else ("", None, None)
    return DealerContext(
        dealer_id=dealer.pk, tier_id=dealer.tier_id,
        territory_paths=tuple(sorted(path for path in (paths or ()) if path)),
        node_path=str(node_path or ""), at=at or timezone.now(), currency=currency or tenant_currency(),
        seller_id=seller if seller_id is _CURRENT else seller_id,
    )


def dealer_prices(dealer, sku_ids: Iterable[int], at: datetime | None = None) -> dict[int, PricedLine]:
    """The dealer's price of one base unit of each SKU that has one (SKUs without a price are left out).
    A constant number of queries (the dealer's context and the price book), whatever the number of SKUs."""
    ctx = dealer_context(dealer, at)
    book = price_book_load(ctx, sku_ids)
    prices = {}
    for index, meta in enumerate(book.skus.values()):
        priced = book.price(CartLine(sku_id=meta.sku_id, unit_id=meta.base_unit_id, quantity=1), index)
        if priced is not None:
            prices[meta.sku_id] = priced
    return prices


def dealer_line_prices(dealer, lines: list[CartLine], at: datetime | None = None) -> list[PricedLine | None]:
    """The dealer's price of each line (a SKU, a unit, a quantity) as its cart would price it before promotions
    (None: no price for it), in the constant queries of `dealer_prices` whatever the number of lines."""
    ctx = dealer_context(dealer, at)
    book = price_book_load(ctx, {line.sku_id for line in lines})
    return [book.price(line, index) for index, line in enumerate(lines)]


def price_list_list(*, kind: str = "", q: str = "") -> QuerySet[PriceList]:
    lists = PriceList.objects.select_related("tier", "territory", "dealer").annotate(
        entry_count=Count("entries")).order_by("kind", "code")
    if kind:
        lists = lists.filter(kind=kind)
    if q:
        lists = lists.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(contract_number__icontains=q))
    return lists


def price_entry_list(*, price_list: PriceList | None = None, sku_id: int | None = None,
                     q: str = "") -> QuerySet[PriceEntry]:
    entries = PriceEntry.objects.select_related("price_list", "sku", "unit")
    if price_list is not None:
        entries = entries.filter(price_list=price_list)
    if sku_id is not None:
        entries = entries.filter(sku_id=sku_id)
    if q:
        entries = entries.filter(Q(sku__code__icontains=q) | Q(sku__name__icontains=q))
    return entries


def protection_window_list() -> QuerySet[ProtectionWindow]:
    return (ProtectionWindow.objects.select_related("dealer")
            .prefetch_related("skus", "prices__sku", "prices__unit")
            .annotate(compensation_count=Count("compensations", distinct=True)).order_by("-starts_on", "pk"))


def compensation_list(*, window: ProtectionWindow | None = None, status: str = "") -> QuerySet[ProtectionCompensation]:
    rows = ProtectionCompensation.objects.select_related("window", "dealer", "sku", "unit", "purchase")
    if window is not None:
        rows = rows.filter(window=window)
    if status:
        rows = rows.filter(status=status)
    return rows


def resale_price_list(*, q: str = "") -> QuerySet[ResalePrice]:
    rows = ResalePrice.objects.select_related("sku")
    if q:
        rows = rows.filter(Q(sku__code__icontains=q) | Q(sku__name__icontains=q))
    return rows


def in_scope(rows, user, field: str = "dealer"):
    """Rows of one dealer only when that dealer is in the user's data scope (outside it they do not exist);
    brand-wide rows (no dealer) for everyone with the capability. For the console and the API alike."""
    from tenant_apps.accounts.permissions import Scope, scope_of
    from tenant_apps.dealers.selectors import dealers_visible_to

    if scope_of(user) == Scope.ALL:
        return rows
    return rows.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": dealers_visible_to(user).values("pk")}))


# --- a supplier's own price lists (S2B2B) --------------------------------------------------------------------


def supplier_price_lists(*, node_id: int) -> QuerySet[PriceList]:
    """The price lists the supplier `node_id` owns (they price its sub-dealers), with their entry counts."""
    return (PriceList.objects.filter(owner_id=node_id).select_related("tier", "territory", "dealer")
            .annotate(entry_count=Count("entries")).order_by("kind", "code"))


def supplier_price_list_get(*, node_id: int, list_id) -> PriceList:
    """One of the supplier's price lists; PricingNotFound (404) for any other, existing or not."""
    found = supplier_price_lists(node_id=node_id).filter(
        pk=list_id if str(list_id).isdigit() and int(list_id) < 2 ** 62 else -1).first()
    if found is None:
        raise PricingNotFound(_("No such price list."))
    return found


# --- attempts below the price floor (乱价), for headquarters ---------------------------------------------------


def floor_violation_list(*, actor, supplier_id: int | None = None, date_from=None, date_to=None
                         ) -> QuerySet[FloorViolation]:
    """Refused attempts of suppliers to resell below a SKU's minimum resale price, newest first, each with its
    supplier, person, SKU and unit (joined: a page costs one query whatever its size). Whole-network roles see
    every supplier's; others the suppliers in their part of the network."""
    from tenant_apps.accounts.permissions import Scope, scope_of
    from tenant_apps.dealers.selectors import dealers_visible_to

    rows = FloorViolation.objects.select_related("supplier__dealer", "actor", "sku", "unit").order_by(
        "-created_at", "-id")
    if scope_of(actor) != Scope.ALL:
        rows = rows.filter(supplier__dealer__in=dealers_visible_to(actor).values("pk"))
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    if date_from is not None:
        rows = rows.filter(created_at__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(created_at__date__lte=date_to)
    return rows
