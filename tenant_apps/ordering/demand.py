"""Demand roll-up for a supplier (S2B2B): what its sub-dealers still wait for, against its own stock and what it has
on order from headquarters, with the purchase it should make to cover that plus the safety stock it keeps; and that
suggestion put into its own cart (it reviews and submits it through the normal flow: a purchase from headquarters).

Per SKU, in base units:

- open demand: on the orders placed with the supplier that are not closed and not shipped in full (submitted,
  awaiting the dealer, in approval, approved, allocated, partly shipped), each line's quantity less what was shipped;
  of it, `reserved`: what is already set aside in the supplier's warehouses for those lines (so no longer in
  `available`, and not to be bought twice);
- on hand and available (on hand less reserved) over the supplier's own active warehouses;
- on order: the lines of the supplier's own open orders as a buyer from headquarters (seller NULL) not yet
  delivered (submitted ... shipped: goods in transit are not in its stock yet);
- safety stock (inventory.SafetyStock);
- needed = max(0, open demand − reserved + safety stock − available − on order), which is
  open demand + safety stock − on hand − on order when every reservation in its warehouses is for those orders;
- suggested: needed raised to the SKU's minimum order quantity and rounded up to its order step (the catalog's
  multiple, both in base units). The cart line goes in the SKU's largest pack when the quantity is a whole number
  of packs (48 cans: 2 cases of 24), else in its base unit.

A constant number of queries whatever the number of SKUs, orders or sub-dealers: the open lines (grouped per order
and SKU), the orders on order, the safety stock, the stock, the SKUs, their packs, and headquarters' prices for the
supplier (pricing.selectors.dealer_line_prices: its context and the price book).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from tenant_apps.catalog.models import Sku, SkuUnit
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.inventory.selectors import owner_stock_totals, safety_stocks
from tenant_apps.ordering.models import Cart, CartLine, OrderLine, OrderStatus
from tenant_apps.ordering.quick import Added, _lines_into_cart
from tenant_apps.ordering.services import cart_for
from tenant_apps.pricing.quote_types import CartLine as PriceInput
from tenant_apps.pricing.selectors import dealer_line_prices

S = OrderStatus
# Orders placed with the supplier whose lines it still has to ship.
OPEN_DEMAND = (S.SUBMITTED, S.AWAITING_DEALER, S.IN_APPROVAL, S.APPROVED, S.ALLOCATED, S.PARTIALLY_SHIPPED)
# The supplier's own orders from headquarters whose goods it has not received yet.
ON_ORDER = (*OPEN_DEMAND, S.SHIPPED)


@dataclass
class DealerDemand:
    dealer_id: int
    code: str
    name: str
    orders: int = 0
    to_ship: int = 0


@dataclass
class DemandRow:
    sku: Sku
    open_demand: int = 0  # base units still to ship on the orders placed with the supplier
    reserved: int = 0  # of which already reserved in its warehouses
    orders: int = 0  # open orders holding the SKU
    dealers: list[DealerDemand] = field(default_factory=list)
    on_hand: int = 0
    available: int = 0
    on_order: int = 0  # from headquarters, not received yet
    safety: int = 0
    needed: int = 0
    suggested: int = 0
    unit_id: int | None = None  # the unit the suggestion goes into the cart in, and how many of it
    unit_quantity: int = 0
    unit_name: str = ""
    price: object | None = None  # headquarters' price of one base unit for the supplier (PricedLine), or None
    line_price: object | None = None  # headquarters' price of the suggested line (unit and quantity), or None

    @property
    def uncovered(self) -> int:
        return max(self.open_demand - self.reserved, 0)

    @property
    def reasons(self) -> list[str]:
        """The suggestion in words: each figure that makes it up, then the rounding."""
        unit = self.sku.base_unit.name
        said = [_("Still to ship to sub-dealers: %(qty)s %(unit)s (open orders: %(orders)s; reserved in our stock: "
                  "%(reserved)s).") % {"qty": self.open_demand, "unit": unit, "orders": self.orders,
                                                "reserved": self.reserved}] if self.open_demand else []
        if self.safety:
            said.append(_("Safety stock to keep: %(qty)s %(unit)s.") % {"qty": self.safety, "unit": unit})
        said.append(_("Available in our warehouses: %(qty)s %(unit)s; on order from headquarters: %(on_order)s "
                      "%(unit)s.") % {"qty": self.available, "unit": unit, "on_order": self.on_order})
        if not self.needed:
            said.append(_("Covered: nothing to buy."))
            return said
        said.append(_("Needed: %(uncovered)s still to ship and not reserved + %(safety)s safety stock − %(available)s "
                      "available − %(on_order)s on order = %(needed)s %(unit)s.")
                    % {"uncovered": self.uncovered, "safety": self.safety, "available": self.available,
                       "on_order": self.on_order, "needed": self.needed, "unit": unit})
        if self.suggested != self.needed:
            said.append(_("Rounded up to %(qty)s %(unit)s (minimum order %(min)s, in steps of %(step)s).")
                        % {"qty": self.suggested, "unit": unit, "min": self.sku.min_order_qty,
                           "step": self.sku.order_step})
        return said


@dataclass
class Rollup:
    rows: list[DemandRow]
    orders: int  # open orders placed with the supplier
    dealers: int  # sub-dealers with open orders

    @property
    def suggestions(self) -> list[DemandRow]:
        return [row for row in self.rows if row.suggested]

    @property
    def unpriced(self) -> list[DemandRow]:
        """Suggested lines headquarters has no price for the supplier: they cannot be ordered as they stand."""
        return [row for row in self.rows if row.suggested and row.line_price is None]


def suggested_quantity(needed: int, *, min_order_qty: int, order_step: int) -> int:
    """`needed` base units as an orderable quantity: at least the minimum, a whole number of steps; 0 stays 0."""
    if needed <= 0:
        return 0
    step = max(order_step, 1)
    quantity = max(needed, min_order_qty)
    return -(-quantity // step) * step


def _in_unit(row: DemandRow, packs: list[tuple[int, int, str]]) -> None:
    """The cart unit of the suggestion: the largest pack holding it in whole, else the base unit."""
    row.unit_id, row.unit_quantity, row.unit_name = row.sku.base_unit_id, row.suggested, row.sku.base_unit.name
    for unit_id, factor, name in sorted(packs, key=lambda pack: -pack[1]):
        if row.suggested and factor > 1 and row.suggested % factor == 0:
            row.unit_id, row.unit_quantity, row.unit_name = unit_id, row.suggested // factor, name
            return


def demand_rollup(*, dealer) -> Rollup:
    """The roll-up of `dealer`'s company as a supplier (its node's orders, stock, safety stock) and as a buyer from
    headquarters (its own orders, headquarters' prices for it), by SKU code. Only its own rows: nothing here takes
    an id from outside."""
    node_id = dealer.node_id
    shipped_left = F("quantity") * F("factor") - F("shipped_base")
    open_lines = (OrderLine.objects.filter(order__seller_id=node_id, order__status__in=OPEN_DEMAND)
                  .values("sku_id", "order_id", "order__dealer_id", "order__dealer__code", "order__dealer__name",
                          "order__dealer__legal_name")
                  .annotate(to_ship=Sum(Greatest(shipped_left, Value(0))),
                            reserved=Sum(F("reserved_base"))).order_by())
    rows: dict[int, DemandRow] = {}
    per_dealer: dict[tuple[int, int], DealerDemand] = {}
    orders, dealers = set(), set()
    for line in open_lines:
        if line["to_ship"] <= 0:
            continue
        row = rows.setdefault(line["sku_id"], DemandRow(sku=None))
        row.open_demand += line["to_ship"]
        row.reserved += min(line["reserved"], line["to_ship"])
        row.orders += 1
        key = (line["sku_id"], line["order__dealer_id"])
        if key not in per_dealer:
            per_dealer[key] = DealerDemand(dealer_id=line["order__dealer_id"], code=line["order__dealer__code"],
                                           name=line["order__dealer__name"] or line["order__dealer__legal_name"])
            row.dealers.append(per_dealer[key])
        per_dealer[key].orders += 1
        per_dealer[key].to_ship += line["to_ship"]
        orders.add(line["order_id"])
        dealers.add(line["order__dealer_id"])
    on_order = dict(OrderLine.objects.filter(order__dealer_id=dealer.pk, order__seller__isnull=True,
                                             order__status__in=ON_ORDER)
                    .values("sku_id").annotate(base=Sum(F("quantity") * F("factor"))).order_by()
                    .values_list("sku_id", "base"))
    safety = safety_stocks(node_id=node_id)
    sku_ids = set(rows) | {sku_id for sku_id, base in on_order.items() if base} | set(safety)
    stock = owner_stock_totals(node_id=node_id, sku_ids=sku_ids)
    skus = {sku.pk: sku for sku in Sku.objects.filter(pk__in=sku_ids).select_related("base_unit")}
    packs: dict[int, list[tuple[int, int, str]]] = {}
    for pack in SkuUnit.objects.filter(sku_id__in=sku_ids).select_related("unit"):
        packs.setdefault(pack.sku_id, []).append((pack.unit_id, pack.factor, pack.unit.name))
    out = []
    for sku_id in sku_ids:
        row = rows.get(sku_id) or DemandRow(sku=None)
        row.sku = skus[sku_id]
        row.dealers.sort(key=lambda d: d.code)
        row.on_hand, reserved = stock.get(sku_id, (0, 0))
        row.available = row.on_hand - reserved
        row.on_order, row.safety = on_order.get(sku_id, 0), safety.get(sku_id, 0)
        row.needed = max(row.uncovered + row.safety - row.available - row.on_order, 0)
        row.suggested = suggested_quantity(row.needed, min_order_qty=row.sku.min_order_qty,
                                           order_step=row.sku.order_step)
        _in_unit(row, packs.get(sku_id, []))
        out.append(row)
    # headquarters' price for the supplier: of one base unit (shown), and of the suggested line as its cart will
    # price it (a SKU priced only in cases, or from a quantity, has the second and maybe not the first)
    priced = dealer_line_prices(dealer, [line for row in out for line in (
        PriceInput(sku_id=row.sku.pk, unit_id=row.sku.base_unit_id, quantity=1),
        PriceInput(sku_id=row.sku.pk, unit_id=row.unit_id, quantity=max(row.unit_quantity, 1)))]) if out else []
    for number, row in enumerate(out):
        row.price, row.line_price = priced[2 * number], priced[2 * number + 1]
    out.sort(key=lambda row: (not row.suggested, row.sku.code))
    return Rollup(rows=out, orders=len(orders), dealers=len(dealers))


@transaction.atomic
def demand_to_cart(*, actor, dealer) -> Added:
    """The roll-up's suggestions into `dealer`'s own cart (its purchase from headquarters, submitted through the
    normal flow). What the cart already holds of a SKU (in any unit) counts toward its suggestion: only the rest is
    added, so pressing twice adds nothing more. A SKU the company cannot order (not visible, off sale) is left out
    and named; one without a price stays in the cart, where the quote says so. Nothing to add: 400."""
    Cart.objects.select_for_update().filter(pk=cart_for(dealer).pk).first()  # one writer per cart at a time
    rollup = demand_rollup(dealer=dealer)
    wanted = rollup.suggestions
    if not wanted:
        raise ValidationFailed(_("Nothing to buy: open orders and safety stock are covered."),
                               fields={"lines": [_("No line is suggested.")]})
    factors = {(pack.sku_id, pack.unit_id): pack.factor for pack in SkuUnit.objects.filter(
        sku_id__in=[row.sku.pk for row in wanted])}
    held: dict[int, int] = {}
    for sku_id, unit_id, quantity in CartLine.objects.filter(cart__dealer=dealer).values_list(
            "sku_id", "unit_id", "quantity"):
        held[sku_id] = held.get(sku_id, 0) + quantity * factors.get((sku_id, unit_id), 1)
    lines, covered = [], []
    for row in wanted:
        rest = row.suggested - held.get(row.sku.pk, 0)
        if rest <= 0:
            covered.append(_("%(code)s: already in the cart.") % {"code": row.sku.code})
        elif rest == row.suggested:
            lines.append((row.sku.pk, row.unit_id, row.unit_quantity))
        else:
            step = max(row.sku.order_step, 1)
            lines.append((row.sku.pk, row.sku.base_unit_id, -(-rest // step) * step))
    if not lines:
        raise ValidationFailed(_("The cart already holds everything suggested."),
                               fields={"lines": covered})
    added = _lines_into_cart(actor=actor, dealer=dealer, lines=lines, action="demand_suggested",
                             source={"suggested": len(wanted)})
    added.skipped = covered + added.skipped
    return added
