"""Stock movements. Every change of on-hand or reserved is ONE conditional UPDATE of the stock row
(`... WHERE on_hand - reserved >= n RETURNING id`: no read-then-write, so concurrent callers can
never oversell) plus ONE ledger row, in the same transaction. Multi-line reservations lock rows in
a fixed order (sku, warehouse) so that two orders never deadlock."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import actor_label, audit_record
from tenant_apps.core import prepared
from tenant_apps.core.numbers import INTEGER_MAX, fits_integer
from tenant_apps.core.ownership import OwnedBySupplier, brand_side
from tenant_apps.events.services import event_record
from tenant_apps.inventory.errors import InsufficientStock, InventoryInvalid
from tenant_apps.inventory.models import (
    InventorySettings,
    LowStockAlert,
    MovementKind,
    SafetyStock,
    Stock,
    StockMovement,
    StockSync,
    Warehouse,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Line:
    sku_id: int
    warehouse_id: int
    quantity: int


def _positive(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InventoryInvalid(_("The quantity must be a whole number above zero."),
                               fields={"quantity": [_("Must be a whole number above zero.")]})
    if not fits_integer(quantity):
        raise InventoryInvalid(_("The quantity is too large."), fields={"quantity": [_too_large()]})
    return quantity


def _too_large() -> str:
    return _("At most %(max)s.") % {"max": f"{INTEGER_MAX:,}"}


def _stock_row(sku_id: int, warehouse_id: int) -> int:
    """The id of the stock row, created (empty) if missing, race-free."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_stock (sku_id, warehouse_id, on_hand, reserved, low_threshold) "
            "VALUES (%s, %s, 0, 0, 0) ON CONFLICT (sku_id, warehouse_id) DO NOTHING",
            [sku_id, warehouse_id],
        )
        cursor.execute("SELECT id FROM inventory_stock WHERE sku_id = %s AND warehouse_id = %s",
                       [sku_id, warehouse_id])
        return cursor.fetchone()[0]


def _move(*, actor, stock_id: int, kind: str, on_hand: int, reserved: int, guard: str, params: list,
          reference: str, reason: str) -> StockMovement:
    """Apply deltas to one stock row if `guard` holds; write the ledger row. Raises InsufficientStock, or
    InventoryInvalid when the result would not fit the integer columns (checked in the statement: never a
    database error)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE inventory_stock SET on_hand = on_hand + %s, reserved = reserved + %s "  # noqa: S608
            f"WHERE id = %s AND {guard} AND on_hand::bigint + %s <= {INTEGER_MAX} "
            f"AND reserved::bigint + %s <= {INTEGER_MAX} RETURNING id",
            [on_hand, reserved, stock_id, *params, on_hand, reserved],
        )
        if cursor.fetchone() is None:
            cursor.execute(f"SELECT on_hand::bigint + %s > {INTEGER_MAX} OR reserved::bigint + %s > {INTEGER_MAX} "  # noqa: S608
                           "FROM inventory_stock WHERE id = %s", [on_hand, reserved, stock_id])
            row = cursor.fetchone()
            if row is not None and row[0]:
                field = "delta" if kind == MovementKind.ADJUSTMENT else "quantity"
                raise InventoryInvalid(_("The stock would be larger than a stock level can hold."),
                                       fields={field: [_too_large()]})
            raise InsufficientStock(_("Not enough stock for this movement."))
    return StockMovement.objects.create(
        stock_id=stock_id, kind=kind, on_hand_delta=on_hand, reserved_delta=reserved, reference=reference,
        reason=reason, actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label(actor),
    )


def _recorded(*, actor, action: str, stock_id: int, **after) -> None:
    """The audit entry of a stock movement a person asked for (its ledger rows say the same in numbers)."""
    audit_record(actor=actor, action=f"inventory.stock.{action}", target=Stock(pk=stock_id), after=after)


def _existing_stock(sku_id: int, warehouse_id: int) -> int:
    stock_id = Stock.objects.filter(sku_id=sku_id, warehouse_id=warehouse_id).values_list("id", flat=True).first()
    if stock_id is None:
        raise InsufficientStock(_("There is no stock of this SKU in this warehouse."))
    return stock_id


def _supplier_guard(actor, *warehouse_ids) -> None:
    """A supplier's warehouse is its own people's (core.ownership): headquarters' staff changing its stock get a
    403 (one query, for them only)."""
    if not brand_side(actor):
        return
    owned = Warehouse.objects.filter(pk__in=warehouse_ids, owner__isnull=False).values_list("code", flat=True).first()
    if owned is not None:
        raise OwnedBySupplier(_("Warehouse %(code)s belongs to a supplier: only the supplier's own people change "
                                "its stock, on their supplier console. Headquarters can read it.") % {"code": owned})


@transaction.atomic
def stock_receive(*, actor, sku_id: int, warehouse_id: int, quantity: int, reference: str = "",
                  reason: str = "", kind: str = MovementKind.RECEIPT) -> StockMovement:
    """Goods in (a receipt, or a return when kind=RETURN)."""
    _positive(quantity)
    if kind not in (MovementKind.RECEIPT, MovementKind.RETURN):
        raise InventoryInvalid(_("Unknown movement."))
    if kind == MovementKind.RECEIPT:  # a return is received where the order shipped from (fulfillment)
        _supplier_guard(actor, warehouse_id)
    stock_id = _stock_row(sku_id, warehouse_id)
    movement = _move(actor=actor, stock_id=stock_id, kind=kind, on_hand=quantity, reserved=0, guard="TRUE",
                     params=[], reference=reference, reason=reason)
    _recorded(actor=actor, action="received" if kind == MovementKind.RECEIPT else "returned",
              stock_id=stock_id, sku_id=sku_id, warehouse_id=warehouse_id, quantity=quantity, reference=reference,
              reason=reason)
    return movement


@transaction.atomic
def stock_adjust(*, actor, sku_id: int, warehouse_id: int, delta: int, reason: str,
                 reference: str = "") -> StockMovement:
    """A count correction (+/-). Never below what is reserved."""
    if not isinstance(delta, int) or delta == 0:
        raise InventoryInvalid(_("The adjustment must be a non-zero whole number."), fields={"delta": [_("Required.")]})
    if not fits_integer(delta):
        raise InventoryInvalid(_("The adjustment is too large."), fields={"delta": [_too_large()]})
    if not (reason or "").strip():
        raise InventoryInvalid(_("Give a reason."), fields={"reason": [_("This field is required.")]})
    _supplier_guard(actor, warehouse_id)
    stock_id = _stock_row(sku_id, warehouse_id)
    movement = _move(actor=actor, stock_id=stock_id, kind=MovementKind.ADJUSTMENT, on_hand=delta, reserved=0,
                     guard="on_hand::bigint + %s >= reserved", params=[delta], reference=reference,
                     reason=reason)
    _recorded(actor=actor, action="adjusted", stock_id=stock_id, sku_id=sku_id, warehouse_id=warehouse_id,
              delta=delta, reference=reference, reason=reason)
    return movement


def stock_reserve_lines(*, actor, lines: list[Line], reference: str) -> list[StockMovement]:
    """Reserve every line, or none (InsufficientStock names nothing changed). For orders."""
    for line in lines:
        _positive(line.quantity)
    movements = []
    with transaction.atomic():
        for line in sorted(lines, key=lambda line: (line.sku_id, line.warehouse_id)):
            stock_id = _existing_stock(line.sku_id, line.warehouse_id)
            movements.append(_move(actor=actor, stock_id=stock_id, kind=MovementKind.RESERVATION, on_hand=0,
                                   reserved=line.quantity, guard="on_hand - reserved >= %s",
                                   params=[line.quantity], reference=reference, reason=""))
        _recorded(actor=actor, action="reserved", stock_id=movements[0].stock_id, reference=reference,
                  lines=[[line.sku_id, line.warehouse_id, line.quantity] for line in lines])
    return movements


@dataclass(frozen=True)
class Allocation:
    sku_id: int
    warehouse_id: int
    stock_id: int
    quantity: int


# Reserving for a whole order in one statement, as two lists of CTEs that other statements may embed (an order's
# submission writes its reservations, lines and everything else in the same statement:
# tenant_apps.ordering.placement). ALLOCATION_PLAN locks every candidate stock row in (sku, warehouse) order (the
# order stock_reserve_lines locks in, so the two never deadlock), reads what is free AFTER the locks are granted,
# shares each SKU's wanted quantity over its warehouses by preference (a running sum): `stock_shares` (id,
# sku_id, warehouse_id, take) and `stock_short` (the SKUs whose wanted quantity is not all free).
# ALLOCATION_WRITE reserves the shares and writes their ledger rows when the statement's `gate` CTE (one row,
# column ok) says so: `stock_moved` (id, sku_id, warehouse_id, take). Parameters: stock_skus, stock_quantities,
# stock_warehouses, stock_ranks, stock_reference, stock_actor, stock_label, stock_at.
ALLOCATION_PLAN = """
stock_wanted(sku_id, quantity) AS (SELECT * FROM unnest(%(stock_skus)s::int[], %(stock_quantities)s::int[])),
stock_ranks(warehouse_id, rank) AS (SELECT * FROM unnest(%(stock_warehouses)s::int[], %(stock_ranks)s::int[])),
stock_candidates AS MATERIALIZED (
    SELECT s.id, s.sku_id, s.warehouse_id, GREATEST(s.on_hand - s.reserved, 0) AS free, w.quantity, r.rank
    FROM inventory_stock s
    JOIN stock_wanted w ON w.sku_id = s.sku_id
    JOIN stock_ranks r ON r.warehouse_id = s.warehouse_id
    ORDER BY s.sku_id, s.warehouse_id
    FOR UPDATE OF s),
stock_shares AS MATERIALIZED (
    SELECT id, sku_id, warehouse_id, LEAST(free, GREATEST(quantity - COALESCE(SUM(free) OVER (
        PARTITION BY sku_id ORDER BY rank, warehouse_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), 0))
        AS take
    FROM stock_candidates),
stock_short AS MATERIALIZED (
    SELECT w.sku_id FROM stock_wanted w LEFT JOIN stock_shares sh ON sh.sku_id = w.sku_id
    GROUP BY w.sku_id, w.quantity HAVING COALESCE(SUM(sh.take), 0) < w.quantity)"""
ALLOCATION_WRITE = """
stock_moved AS (
    UPDATE inventory_stock s SET reserved = s.reserved + sh.take
    FROM stock_shares sh WHERE s.id = sh.id AND sh.take > 0 AND (SELECT ok FROM gate)
    RETURNING s.id, s.sku_id, s.warehouse_id, sh.take),
stock_ledger AS (
    INSERT INTO inventory_stockmovement (stock_id, kind, on_hand_delta, reserved_delta, reference, reason, actor_id,
                                         actor_label, created_at)
    SELECT id, 'reservation', 0, take, %(stock_reference)s, '', %(stock_actor)s, %(stock_label)s, %(stock_at)s
    FROM stock_moved)"""
# Reserve what is free, however little: the caller decides what a shortfall means.
_ALLOCATE_SQL = f"""WITH {ALLOCATION_PLAN}, gate AS (SELECT TRUE AS ok), {ALLOCATION_WRITE}
SELECT id, sku_id, warehouse_id, take FROM stock_moved"""  # noqa: S608 - this module's constants


def allocation_params(*, actor, wanted: dict[int, int], warehouse_ranks: dict[int, int], reference: str) -> dict:
    """The parameters of ALLOCATION_PLAN and ALLOCATION_WRITE (quantities checked: whole numbers above zero)."""
    for quantity in wanted.values():
        _positive(quantity)
    skus = sorted(wanted)
    warehouses = sorted(warehouse_ranks)
    assert MovementKind.RESERVATION == "reservation"  # written as a literal in ALLOCATION_WRITE
    return {"stock_skus": skus, "stock_quantities": [wanted[sku] for sku in skus], "stock_warehouses": warehouses,
            "stock_ranks": [warehouse_ranks[w] for w in warehouses], "stock_reference": reference,
            "stock_actor": actor.pk if getattr(actor, "is_authenticated", False) else None,
            "stock_label": actor_label(actor), "stock_at": timezone.now()}


def stock_allocate(*, actor, wanted: dict[int, int], warehouse_ranks: dict[int, int],
                   reference: str) -> list[Allocation]:
    """Reserve up to `wanted` base units of each SKU over the warehouses in `warehouse_ranks` (lower rank
    first, then warehouse id), as much as is free: one statement (the update and its ledger rows) for all
    lines, whatever their number. Returns what was reserved where; the caller decides what a shortfall means
    (refuse: raise, and the transaction rolls back; backorder; reduce). Never reserves more than is free."""
    params = allocation_params(actor=actor, wanted=wanted, warehouse_ranks=warehouse_ranks, reference=reference)
    if not wanted or not warehouse_ranks:
        return []
    with connection.cursor() as cursor:  # one statement: reserves and writes the ledger, all or nothing
        prepared.execute(cursor, "stock_allocate", _ALLOCATE_SQL, params)
        rows = sorted(cursor.fetchall(), key=lambda row: (row[1], row[2]))
    return [Allocation(sku_id=sku, warehouse_id=warehouse, stock_id=stock, quantity=take)
            for stock, sku, warehouse, take in rows]


def stock_release_allocations(*, actor, allocations: list[Allocation], reference: str, reason: str = "") -> None:
    """Give reservations back in one statement (an order cancelled or reduced), guarded per row."""
    allocations = [a for a in allocations if a.quantity > 0]
    if not allocations:
        return
    ordered = sorted(allocations, key=lambda a: (a.sku_id, a.warehouse_id))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "WITH give(id, quantity) AS (SELECT * FROM unnest(%s::int[], %s::int[])), "
            "locked AS (SELECT s.id FROM inventory_stock s JOIN give g ON g.id = s.id "
            "ORDER BY s.sku_id, s.warehouse_id FOR UPDATE OF s) "
            "UPDATE inventory_stock s SET reserved = s.reserved - g.quantity FROM give g, locked l "
            "WHERE s.id = g.id AND l.id = s.id AND s.reserved >= g.quantity RETURNING s.id",
            [[a.stock_id for a in ordered], [a.quantity for a in ordered]])
        if len(cursor.fetchall()) != len({a.stock_id for a in ordered}):
            raise InsufficientStock(_("A reservation to release is no longer there."))
        label = actor_label(actor)
        actor_obj = actor if getattr(actor, "is_authenticated", False) else None
        StockMovement.objects.bulk_create([
            StockMovement(stock_id=a.stock_id, kind=MovementKind.RELEASE, on_hand_delta=0, reserved_delta=-a.quantity,
                          reference=reference, reason=reason, actor=actor_obj, actor_label=label)
            for a in ordered])


def stock_reserve(*, actor, sku_id: int, warehouse_id: int, quantity: int, reference: str) -> StockMovement:
    return stock_reserve_lines(actor=actor, lines=[Line(sku_id, warehouse_id, quantity)], reference=reference)[0]


@transaction.atomic
def stock_release(*, actor, sku_id: int, warehouse_id: int, quantity: int, reference: str,
                  reason: str = "") -> StockMovement:
    """Give a reservation back (order cancelled or reduced)."""
    _positive(quantity)
    stock_id = _existing_stock(sku_id, warehouse_id)
    movement = _move(actor=actor, stock_id=stock_id, kind=MovementKind.RELEASE, on_hand=0, reserved=-quantity,
                     guard="reserved >= %s", params=[quantity], reference=reference, reason=reason)
    _recorded(actor=actor, action="released", stock_id=stock_id, sku_id=sku_id, warehouse_id=warehouse_id,
              quantity=quantity, reference=reference, reason=reason)
    return movement


@transaction.atomic
def stock_ship(*, actor, sku_id: int, warehouse_id: int, quantity: int, reference: str) -> StockMovement:
    """Commit a reservation to a shipment: the goods leave on-hand and reserved together."""
    _positive(quantity)
    stock_id = _existing_stock(sku_id, warehouse_id)
    return _move(actor=actor, stock_id=stock_id, kind=MovementKind.SHIPMENT, on_hand=-quantity, reserved=-quantity,
                 guard="reserved >= %s", params=[quantity], reference=reference, reason="")


@transaction.atomic
def stock_transfer(*, actor, sku_id: int, from_warehouse_id: int, to_warehouse_id: int, quantity: int,
                   reason: str = "", reference: str = "") -> tuple[StockMovement, StockMovement]:
    """Move available stock between warehouses (two ledger rows, one transaction)."""
    _positive(quantity)
    if from_warehouse_id == to_warehouse_id:
        raise InventoryInvalid(_("Choose two different warehouses."), fields={"to_warehouse": [_("Same warehouse.")]})
    _supplier_guard(actor, from_warehouse_id, to_warehouse_id)
    source = _existing_stock(sku_id, from_warehouse_id)
    target = _stock_row(sku_id, to_warehouse_id)
    first, second = sorted([("out", source), ("in", target)], key=lambda pair: pair[1])
    moves = {}
    for direction, stock_id in (first, second):
        if direction == "out":
            moves["out"] = _move(actor=actor, stock_id=stock_id, kind=MovementKind.TRANSFER_OUT, on_hand=-quantity,
                                 reserved=0, guard="on_hand - reserved >= %s", params=[quantity],
                                 reference=reference, reason=reason)
        else:
            moves["in"] = _move(actor=actor, stock_id=stock_id, kind=MovementKind.TRANSFER_IN, on_hand=quantity,
                                reserved=0, guard="TRUE", params=[], reference=reference, reason=reason)
    _recorded(actor=actor, action="transferred", stock_id=source, sku_id=sku_id,
              from_warehouse_id=from_warehouse_id, to_warehouse_id=to_warehouse_id, quantity=quantity,
              reference=reference, reason=reason)
    return moves["out"], moves["in"]


def stock_sync_apply(*, actor, sync_id: str, warehouse: Warehouse, levels: dict[int, int]) -> dict:
    """An ERP/WMS says how much is on hand per SKU (ids) in a warehouse: adjust to match, once per
    sync id (a repeat returns the first result). A level below what is reserved is refused per line."""
    existing = StockSync.objects.filter(sync_id=sync_id).first()
    if existing is not None:
        return existing.result
    _supplier_guard(actor, warehouse.pk)
    result = {"adjusted": 0, "unchanged": 0, "refused": {}}
    try:
        with transaction.atomic():
            current = {row.sku_id: row for row in Stock.objects.filter(warehouse=warehouse, sku_id__in=list(levels))}
            for sku_id in sorted(levels):
                target = levels[sku_id]
                stock = current.get(sku_id) or Stock.objects.get(pk=_stock_row(sku_id, warehouse.pk))
                stock_id = stock.pk
                delta = target - stock.on_hand
                if target > INTEGER_MAX:
                    result["refused"][str(sku_id)] = _too_large()
                    continue
                if target < 0 or target < stock.reserved:
                    result["refused"][str(sku_id)] = _("Below what is reserved (%(reserved)s).") % {
                        "reserved": stock.reserved}
                    continue
                if delta == 0:
                    result["unchanged"] += 1
                    continue
                _move(actor=actor, stock_id=stock_id, kind=MovementKind.ADJUSTMENT, on_hand=delta, reserved=0,
                      guard="on_hand::bigint + %s >= reserved", params=[delta], reference=f"sync:{sync_id}",
                      reason="external stock sync")
                result["adjusted"] += 1
            StockSync.objects.create(sync_id=sync_id, warehouse=warehouse, lines=len(levels), result=result)
            audit_record(actor=actor, action="inventory.stock.synced", target=warehouse,
                         after={"sync_id": sync_id, "lines": len(levels), "adjusted": result["adjusted"],
                                "unchanged": result["unchanged"], "refused": len(result["refused"])})
    except IntegrityError:  # the same sync id processed concurrently: return that result
        return StockSync.objects.get(sync_id=sync_id).result
    return result


def low_stock_scan() -> dict:
    """Raise an alert for stock below its threshold (one open alert per row); resolve recovered ones."""
    from django.db.models import Exists, F, OuterRef
    from django.utils import timezone

    raised = 0
    open_alert = LowStockAlert.objects.filter(stock=OuterRef("pk"), resolved_at__isnull=True)
    low = Stock.objects.filter(low_threshold__gt=0).annotate(free=F("on_hand") - F("reserved")).filter(
        free__lt=F("low_threshold")).exclude(Exists(open_alert)).select_related("sku", "warehouse")
    for stock in low:
        try:
            with transaction.atomic():
                LowStockAlert.objects.create(stock=stock, available=stock.free, threshold=stock.low_threshold)
                event_record(kind="stock.low", subject_id=stock.pk, subject_ref=stock.sku.code[:64], payload={
                    "sku_id": stock.sku_id, "warehouse_id": stock.warehouse_id, "available": str(stock.free),
                    "threshold": str(stock.low_threshold), "sku": stock.sku.code, "warehouse": stock.warehouse.name})
                raised += 1
        except IntegrityError:
            continue
    resolved = LowStockAlert.objects.filter(resolved_at__isnull=True).annotate(
        free=F("stock__on_hand") - F("stock__reserved")).filter(free__gte=F("stock__low_threshold")).update(
        resolved_at=timezone.now())
    return {"raised": raised, "resolved": resolved}


@transaction.atomic
@transaction.atomic
def warehouse_create(*, actor, code: str, name: str, territories=(), owner=None) -> Warehouse:
    """A warehouse of headquarters, or of a supplier (`owner`, its node: S2B2B): only its sub-dealers' orders
    reserve from it."""
    if Warehouse.objects.filter(code=code).exists():
        raise InventoryInvalid(_("The warehouse could not be created."),
                               fields={"code": [_("This code is already used.")]})
    warehouse = Warehouse.objects.create(code=code, name=name, owner=owner)
    if territories:
        warehouse.territories.set(territories)
    audit_record(actor=actor, action="inventory.warehouse.created", target=warehouse,
                 after={"code": code, "name": name, **({"owner": owner.pk} if owner is not None else {}),
                        "territories": sorted(getattr(t, "pk", t) for t in territories)})
    return warehouse


@transaction.atomic
def low_threshold_set(*, actor, sku_id: int, warehouse_id: int, threshold: int) -> Stock:
    if not isinstance(threshold, int) or threshold < 0:
        raise InventoryInvalid(_("Use a whole number of zero or more."), fields={"threshold": [_("Invalid.")]})
    _supplier_guard(actor, warehouse_id)
    stock_id = _stock_row(sku_id, warehouse_id)
    before = Stock.objects.select_for_update().values_list("low_threshold", flat=True).get(pk=stock_id)
    Stock.objects.filter(pk=stock_id).update(low_threshold=threshold)
    stock = Stock.objects.get(pk=stock_id)
    audit_record(actor=actor, action="inventory.stock.threshold_set", target=stock,
                 before={"low_threshold": before}, after={"low_threshold": threshold})
    return stock


@transaction.atomic
def inventory_settings_update(*, actor, dealer_stock_visibility: str) -> InventorySettings:
    if dealer_stock_visibility not in InventorySettings.StockVisibility.values:
        raise InventoryInvalid(_("Unknown choice."), fields={"dealer_stock_visibility": [_("Unknown choice.")]})
    current = InventorySettings.objects.select_for_update().first() or InventorySettings()
    before = current.dealer_stock_visibility if current.pk else ""
    current.dealer_stock_visibility = dealer_stock_visibility
    current.save()
    audit_record(actor=actor, action="inventory.settings.updated", target=current,
                 before={"dealer_stock_visibility": before},
                 after={"dealer_stock_visibility": dealer_stock_visibility})
    return current


@transaction.atomic
def safety_stock_set(*, actor, owner, sku_id, quantity) -> SafetyStock | None:
    """The safety stock of a SKU for the supplier `owner` (its node; S2B2B), in base units; 0 removes it.
    Returns the row (None when removed). Field errors on `sku` and `quantity`, nothing written."""
    from tenant_apps.catalog.models import Sku

    errors = {}
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        errors["quantity"] = [_("Enter a whole number of base units, zero or more.")]
    elif not fits_integer(quantity):
        errors["quantity"] = [_too_large()]
    sku = Sku.objects.filter(pk=sku_id).only("id").first() \
        if str(sku_id).isdigit() and fits_integer(int(str(sku_id))) else None
    if sku is None:
        errors["sku"] = [_("No such SKU.")]
    if errors:
        raise InventoryInvalid(_("The safety stock could not be saved."), fields=errors)
    current = SafetyStock.objects.select_for_update().filter(owner=owner, sku=sku).first()
    before = {"sku": sku.pk, "quantity": current.quantity if current else 0}
    if quantity == 0:
        if current is not None:
            audit_record(actor=actor, action="inventory.safety_stock.removed", target=current, before=before,
                         after={"sku": sku.pk, "quantity": 0})
            current.delete()
        return None
    if current is None:
        current = SafetyStock.objects.create(owner=owner, sku=sku, quantity=quantity)
    elif current.quantity != quantity:
        current.quantity = quantity
        current.save(update_fields=["quantity", "updated_at"])
    audit_record(actor=actor, action="inventory.safety_stock.set", target=current, before=before,
                 after={"sku": sku.pk, "quantity": quantity})
    return current
