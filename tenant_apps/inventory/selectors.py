from __future__ import annotations

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tenant_apps.inventory.errors import WarehouseNotFound
from tenant_apps.inventory.models import InventorySettings, Stock, StockMovement, Warehouse


def ledger_mismatches() -> list[dict]:
    """Stock rows whose on-hand or reserved differ from the sum of their ledger (should be none)."""
    sums = {
        row["stock"]: row
        for row in StockMovement.objects.values("stock").annotate(
            on_hand=Coalesce(Sum("on_hand_delta"), 0), reserved=Coalesce(Sum("reserved_delta"), 0))
    }
    problems = []
    for stock in Stock.objects.all().only("id", "on_hand", "reserved"):
        ledger = sums.get(stock.pk, {"on_hand": 0, "reserved": 0})
        if (stock.on_hand, stock.reserved) != (ledger["on_hand"], ledger["reserved"]):
            problems.append({"stock": stock.pk, "on_hand": stock.on_hand, "ledger_on_hand": ledger["on_hand"],
                             "reserved": stock.reserved, "ledger_reserved": ledger["reserved"]})
    return problems


def stock_badge(*, available: int, threshold: int) -> str:
    if available <= 0:
        return "out"
    if threshold and available < threshold:
        return "low"
    return "in_stock"


def stock_visibility() -> str:
    return (InventorySettings.objects.first() or InventorySettings()).dealer_stock_visibility


def dealer_stock_view(*, available: int, threshold: int, visibility: str | None = None) -> dict:
    """What a dealer is shown, as the brand chooses: the number, a level, or nothing."""
    visibility = visibility or stock_visibility()
    if visibility == InventorySettings.StockVisibility.EXACT:
        return {"quantity": max(available, 0), "level": stock_badge(available=available, threshold=threshold)}
    if visibility == InventorySettings.StockVisibility.LEVEL:
        return {"level": stock_badge(available=available, threshold=threshold)}
    return {}


ANY_OWNER = object()  # every warehouse, whoever owns it (brand staff); else a seller's: None is headquarters (S2B2B)


def _owned(stock, owner_id, field: str = "warehouse__owner_id"):
    return stock if owner_id is ANY_OWNER else stock.filter(**{field: owner_id})


def availability_for(sku_ids, *, owner_id=ANY_OWNER) -> dict[int, tuple[int, int]]:
    """(available, low threshold) over all warehouses (or the seller `owner_id`'s) for these SKUs, in one query.
    Used for a page of results after paging (an annotation would be computed for every match before the sort)."""
    from django.db.models import F

    rows = (_owned(Stock.objects.filter(sku_id__in=list(sku_ids)), owner_id).values("sku_id")
            .annotate(available=Sum(F("on_hand") - F("reserved")), threshold=Sum("low_threshold")))
    return {row["sku_id"]: (row["available"], row["threshold"]) for row in rows}


def dealer_stock_views(sku_ids, *, owner_id=ANY_OWNER) -> dict[int, dict]:
    """`dealer_stock_view` for a page of SKUs, in two queries (stock totals, the brand's setting); `owner_id`: only
    the warehouses of the dealer's seller (what its orders reserve from)."""
    sku_ids = list(sku_ids)
    availability, visibility = availability_for(sku_ids, owner_id=owner_id), stock_visibility()
    return {
        sku_id: dealer_stock_view(available=availability.get(sku_id, (0, 0))[0],
                                  threshold=availability.get(sku_id, (0, 0))[1], visibility=visibility)
        for sku_id in sku_ids
    }


def sku_in_stock_for(dealer=None, *, owner_id=ANY_OWNER):
    """A filter for a Sku queryset: some of it is available (on hand less reserved) in an active warehouse that
    serves `dealer`: one with no regions (it serves everyone), or one serving an area inside or around one of
    the dealer's territories, or any if the dealer has none. Without a dealer (brand staff), any active
    warehouse. `owner_id`: only the warehouses of the dealer's seller. A subquery: no query of its own."""
    from django.db.models import Exists, F, OuterRef, Q

    from tenant_apps.dealers.models import Territory
    from tenant_apps.inventory.models import Warehouse

    stock = _owned(Stock.objects.filter(sku_id=OuterRef("pk"), warehouse__is_active=True,
                                        on_hand__gt=F("reserved")), owner_id)
    if dealer is not None:
        dealer_territories = Territory.objects.filter(dealers=dealer)
        served = Territory.objects.filter(pk__in=Warehouse.territories.through.objects.filter(
            warehouse_id=OuterRef(OuterRef("warehouse_id"))).values("territory_id")).filter(
            Exists(dealer_territories.filter(Q(path__descendant_of=OuterRef("path"))
                                             | Q(path__ancestor_of=OuterRef("path")))))
        regions = Warehouse.territories.through.objects.filter(warehouse_id=OuterRef("warehouse_id"))
        stock = stock.filter(~Exists(regions) | ~Exists(dealer_territories) | Exists(served))
    return Exists(stock)


# --- a supplier's own warehouses (S2B2B) ---------------------------------------------------------------------


def supplier_warehouses(*, node_id: int):
    """The warehouses the supplier `node_id` owns (what its sub-dealers' orders reserve from)."""
    return Warehouse.objects.filter(owner_id=node_id).order_by("code")


def supplier_warehouse_get(*, node_id: int, warehouse_id):
    """One of the supplier's warehouses; WarehouseNotFound (404) for any other, existing or not."""
    found = supplier_warehouses(node_id=node_id).filter(
        pk=warehouse_id if str(warehouse_id).isdigit() and int(warehouse_id) < 2 ** 62 else -1).first()
    if found is None:
        raise WarehouseNotFound(_("No such warehouse."))
    return found


def warehouse_stock(*, warehouse) -> list[Stock]:
    """The warehouse's stock rows with their SKU, by SKU code: one query."""
    return list(Stock.objects.filter(warehouse=warehouse).select_related("sku", "sku__base_unit")
                .order_by("sku__code"))


def owner_stock_totals(*, node_id: int, sku_ids) -> dict[int, tuple[int, int]]:
    """(on hand, reserved) of each SKU over the supplier `node_id`'s active warehouses, in base units: one query.
    SKUs it holds none of are left out."""
    rows = (Stock.objects.filter(sku_id__in=list(sku_ids), warehouse__owner_id=node_id, warehouse__is_active=True)
            .values("sku_id").annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved")))
    return {row["sku_id"]: (row["on_hand"], row["reserved"]) for row in rows}


def safety_stocks(*, node_id: int) -> dict[int, int]:
    """The supplier `node_id`'s safety stock per SKU (base units): one query."""
    from tenant_apps.inventory.models import SafetyStock

    return dict(SafetyStock.objects.filter(owner_id=node_id).values_list("sku_id", "quantity"))
