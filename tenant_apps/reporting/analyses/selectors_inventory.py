"""Inventory analysis: stock by warehouse, turnover, days of supply, slow and fast movers, stock age.

Definitions (the page's help says the same):
- on hand, reserved, available (= on hand - reserved) are the stock rows now; value = on hand x the SKU's price
  per base unit (from 1) on the base price list valid today in the brand's currency (none: no value).
- shipped = base units that left by shipment movements in the period (local days date_from..date_to).
- average on hand = (on hand at the period's start + on hand at its end) / 2, each the current on hand less the
  movements after that moment; turnover = shipped / average on hand.
- days of supply = available / (base units shipped in the last `days` days / `days`).
- a slow mover has shipped nothing in the last `days` days; the fast movers are the SKUs that shipped most in
  the period (the first FAST_MOVERS of them).
- stock age = days since the stock row's last receipt movement (none yet: no age).

One query whatever the number of rows: the stock rows with their SKU, warehouse, movement figures and price."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenant_apps.catalog.models import Category
from tenant_apps.core.money import quantize, tenant_currency
from tenant_apps.inventory.models import MovementKind, Stock, StockMovement, Warehouse
from tenant_apps.pricing.models import PriceEntry, PriceListKind, PriceListStatus
from tenant_apps.reporting.analyses.common import local_start, period_bounds, ratio

FAST_MOVERS = 10
SHOWN = 500  # rows of a table on the page (figures and totals count every row)


@dataclass
class StockRow:
    stock_id: int
    sku_id: int
    sku_code: str
    sku_name: str
    warehouse_id: int
    warehouse_name: str
    on_hand: int
    reserved: int
    available: int
    value: Decimal | None
    shipped: int  # in the period
    shipped_recent: int  # in the last `days` days
    average_on_hand: Decimal
    turnover: Decimal | None
    days_of_supply: Decimal | None
    age_days: int | None
    last_shipment: date | None
    slow: bool


@dataclass
class WarehouseRow:
    warehouse_id: int
    name: str
    on_hand: int = 0
    reserved: int = 0
    available: int = 0
    value: Decimal = Decimal("0.00")
    shipped: int = 0
    average_on_hand: Decimal = Decimal(0)

    @property
    def turnover(self) -> Decimal | None:
        return ratio(self.shipped, self.average_on_hand)


@dataclass
class SkuMover:
    sku_id: int
    code: str
    name: str
    shipped: int = 0
    shipped_recent: int = 0
    available: int = 0
    last_shipment: date | None = None
    rank: int = 0
    fast: bool = False

    @property
    def slow(self) -> bool:
        return self.shipped_recent == 0


@dataclass
class InventoryAnalysis:
    date_from: date
    date_to: date
    days: int
    currency: str
    rows: list[StockRow]
    warehouses: list[WarehouseRow]
    movers: list[SkuMover]  # every SKU, most shipped first
    totals: WarehouseRow = field(default_factory=lambda: WarehouseRow(0, ""))

    @property
    def fast(self) -> list[SkuMover]:
        return [m for m in self.movers if m.fast]

    @property
    def rows_shown(self) -> list[StockRow]:
        return self.rows[:SHOWN]

    @property
    def movers_shown(self) -> list[SkuMover]:
        return self.movers[:SHOWN]

    @property
    def slow(self) -> list[SkuMover]:
        return [m for m in self.movers if m.slow]


def _base_price(currency: str, today: date):
    """The SKU's price per base unit, from 1, on the base list valid today (the latest valid_from first)."""
    return Subquery(PriceEntry.objects.filter(
        sku_id=OuterRef("sku_id"), unit_id=OuterRef("sku__base_unit_id"), min_quantity=1,
        price_list__kind=PriceListKind.BASE, price_list__status=PriceListStatus.ACTIVE,
        price_list__currency=currency, price_list__valid_from__lte=today,
    ).filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=today))
        .order_by("-price_list__valid_from", "price_list_id").values("price")[:1])


def _moved(condition: Q, sign: int = 1):
    return Coalesce(Sum(sign * F("moves__on_hand_delta"), filter=condition), Value(0), output_field=IntegerField())


def _last(kind: str):
    return Subquery(StockMovement.objects.filter(stock_id=OuterRef("pk"), kind=kind).order_by("-created_at")
                    .values("created_at")[:1])


def stock_rows(*, warehouse: Warehouse | None = None, category: Category | None = None):
    rows = Stock.objects.all()
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    if category is not None:
        rows = rows.filter(sku__product__category__path__descendant_of=category.path)
    return rows


def inventory_analysis(*, date_from: date, date_to: date, days: int = 30, warehouse: Warehouse | None = None,
                       category: Category | None = None, currency: str | None = None) -> InventoryAnalysis:
    currency = currency or tenant_currency()
    today = timezone.localdate()
    start, end = period_bounds(date_from, date_to)
    recent = local_start(today - timedelta(days=days - 1))
    shipment = Q(moves__kind=MovementKind.SHIPMENT)
    rows = (stock_rows(warehouse=warehouse, category=category)
            .select_related("sku", "warehouse")
            # only the ledger rows the sums read (since the earlier of the period's start and the recent days), not
            # every movement ever made; the last receipt and shipment walk the (stock, created_at) index back
            .annotate(moves=FilteredRelation("movements",
                                             condition=Q(movements__created_at__gte=min(start, recent))))
            .annotate(
                shipped=_moved(shipment & Q(moves__created_at__gte=start, moves__created_at__lt=end), -1),
                shipped_recent=_moved(shipment & Q(moves__created_at__gte=recent), -1),
                after_start=_moved(Q(moves__created_at__gte=start)),
                after_end=_moved(Q(moves__created_at__gte=end)),
                last_receipt=_last(MovementKind.RECEIPT), last_shipment=_last(MovementKind.SHIPMENT),
                price=_base_price(currency, today))
            .order_by("sku__code", "warehouse__code"))
    out: list[StockRow] = []
    for stock in rows:
        available = stock.on_hand - stock.reserved
        average = Decimal((stock.on_hand - stock.after_start) + (stock.on_hand - stock.after_end)) / 2
        daily = Decimal(stock.shipped_recent) / days
        out.append(StockRow(
            stock_id=stock.pk, sku_id=stock.sku_id, sku_code=stock.sku.code, sku_name=stock.sku.name,
            warehouse_id=stock.warehouse_id, warehouse_name=stock.warehouse.name, on_hand=stock.on_hand,
            reserved=stock.reserved, available=available,
            value=None if stock.price is None else quantize(stock.price * stock.on_hand, currency),
            shipped=stock.shipped, shipped_recent=stock.shipped_recent, average_on_hand=average,
            turnover=ratio(stock.shipped, average), days_of_supply=ratio(available, daily, "0.1"),
            age_days=None if stock.last_receipt is None else (today - timezone.localdate(stock.last_receipt)).days,
            last_shipment=None if stock.last_shipment is None else timezone.localdate(stock.last_shipment),
            slow=stock.shipped_recent == 0))
    return InventoryAnalysis(date_from=date_from, date_to=date_to, days=days, currency=currency, rows=out,
                             warehouses=_by_warehouse(out), movers=_movers(out), totals=_total(out))


def _add(target: WarehouseRow, row: StockRow) -> None:
    target.on_hand += row.on_hand
    target.reserved += row.reserved
    target.available += row.available
    target.value += row.value or 0
    target.shipped += row.shipped
    target.average_on_hand += row.average_on_hand


def _by_warehouse(rows: list[StockRow]) -> list[WarehouseRow]:
    found: dict[int, WarehouseRow] = {}
    for row in rows:
        _add(found.setdefault(row.warehouse_id, WarehouseRow(row.warehouse_id, row.warehouse_name)), row)
    return sorted(found.values(), key=lambda w: w.name)


def _total(rows: list[StockRow]) -> WarehouseRow:
    total = WarehouseRow(0, "")
    for row in rows:
        _add(total, row)
    return total


def _movers(rows: list[StockRow]) -> list[SkuMover]:
    found: dict[int, SkuMover] = {}
    for row in rows:
        mover = found.setdefault(row.sku_id, SkuMover(row.sku_id, row.sku_code, row.sku_name))
        mover.shipped += row.shipped
        mover.shipped_recent += row.shipped_recent
        mover.available += row.available
        if row.last_shipment and (mover.last_shipment is None or row.last_shipment > mover.last_shipment):
            mover.last_shipment = row.last_shipment
    ranked = sorted(found.values(), key=lambda m: (-m.shipped, m.code))
    for index, mover in enumerate(ranked, start=1):
        mover.rank = index
        mover.fast = index <= FAST_MOVERS and mover.shipped > 0
    return ranked


def stock_movements(*, stock: Stock):
    """The ledger rows of one stock row, newest first (the drill-down from a SKU row)."""
    return StockMovement.objects.filter(stock=stock).order_by("-created_at", "-id")
