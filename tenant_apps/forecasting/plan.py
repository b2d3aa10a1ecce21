"""The suggested production / transfer plan, per SKU over headquarters' warehouses (no queries: the selector
hands it the figures).

Each warehouse needs its expected demand over the coming weeks plus its safety stock (the stock page's low-stock
threshold of that SKU there, where set) and has its free stock (on hand minus reserved). What one has beyond its need
is a surplus, what it lacks a deficit. Surpluses go to deficits, the largest surplus to the largest deficit first;
what no surplus covers is the production suggestion for that warehouse."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

TRANSFER, PRODUCE = "transfer", "produce"


@dataclass
class Need:
    warehouse_id: int
    warehouse: str  # its name
    demand: int  # expected demand over the weeks, rounded up
    safety: int
    free: int  # on hand - reserved

    @property
    def balance(self) -> int:
        return self.free - self.demand - self.safety


@dataclass
class Line:
    sku_id: int
    kind: str  # TRANSFER or PRODUCE
    quantity: int
    target: Need
    source: Need | None = None
    moved_in: int = 0  # PRODUCE: what transfers brought to the target first
    weeks: int = 0
    sku: object = None  # the Sku, set by the selector for the page

    @property
    def explanation(self) -> str:
        figures = {"qty": self.quantity, "target": self.target.warehouse, "demand": self.target.demand,
                   "safety": self.target.safety, "free": self.target.free, "weeks": self.weeks}
        if self.kind == TRANSFER:
            return _("Move %(qty)s from %(source)s to %(target)s: %(target)s expects %(demand)s in the next %(weeks)s "
                     "weeks (+%(safety)s safety stock) against %(free)s free, and %(source)s has %(surplus)s more than "
                     "it needs.") % {**figures, "source": self.source.warehouse, "surplus": self.source.balance}
        if self.moved_in:
            return _("Produce %(qty)s for %(target)s: it expects %(demand)s in the next %(weeks)s weeks "
                     "(+%(safety)s safety stock) against %(free)s free, and transfers cover only %(moved)s of the "
                     "gap.") % {**figures, "moved": self.moved_in}
        return _("Produce %(qty)s for %(target)s: it expects %(demand)s in the next %(weeks)s weeks (+%(safety)s "
                 "safety stock) against %(free)s free, and no other warehouse has any to spare.") % figures


def plan_for_sku(sku_id: int, needs: list[Need], *, weeks: int) -> list[Line]:
    """Transfers (largest surplus to largest deficit first), then production for what is still short."""
    surpluses = sorted((need for need in needs if need.balance > 0), key=lambda n: (-n.balance, n.warehouse_id))
    deficits = sorted((need for need in needs if need.balance < 0), key=lambda n: (n.balance, n.warehouse_id))
    spare = {need.warehouse_id: need.balance for need in surpluses}
    short = {need.warehouse_id: -need.balance for need in deficits}
    lines = []
    source_index = 0
    for target in deficits:
        while short[target.warehouse_id] and source_index < len(surpluses):
            source = surpluses[source_index]
            quantity = min(spare[source.warehouse_id], short[target.warehouse_id])
            lines.append(Line(sku_id, TRANSFER, quantity, target, source, weeks=weeks))
            spare[source.warehouse_id] -= quantity
            short[target.warehouse_id] -= quantity
            if not spare[source.warehouse_id]:
                source_index += 1
        if short[target.warehouse_id]:
            lines.append(Line(sku_id, PRODUCE, short[target.warehouse_id], target,
                              moved_in=-target.balance - short[target.warehouse_id], weeks=weeks))
    return lines
