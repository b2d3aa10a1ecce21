"""What an export writes: for each kind, the column headers and the rows of the list page it comes from (its
filters, within the actor's data scope), read in chunks with a constant number of queries per chunk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from tenant_apps.fulfillment.models import ReturnReason, ReturnStatus, ShipmentStatus
from tenant_apps.fulfillment.selectors import returns_visible_to, shipments_visible_to
from tenant_apps.ordering.models import OrderLine, OrderStatus
from tenant_apps.ordering.selectors import order_list
from tenant_apps.reporting.exports.errors import ExportNotFound
from tenant_apps.reporting.models import ExportJob


@dataclass
class Table:
    header: list[str]
    rows: QuerySet  # ordered; iterated with .iterator(chunk_size=...)
    row: Callable  # one object -> its cells


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def _orders(actor, filters: dict):
    filters = dict(filters)
    status = filters.pop("status", "")
    return order_list(actor=actor, status=status, **filters)


def orders_table(*, actor, filters: dict) -> Table:
    """One row per order of the console order list with `filters` (OrderFilter.clean_filters())."""
    rows = _orders(actor, filters).order_by("-created_at", "-id")
    header = [_("Order number"), _("Dealer code"), _("Dealer"), _("Status"), _("Placed"), _("Submitted"), _("Lines"),
              _("Currency"), _("Subtotal"), _("Discount"), _("Total")]

    def row(order):
        return [order.number, order.dealer.code, order.dealer.display_name, _label(OrderStatus.choices, order.status),
                order.created_at, order.submitted_at, order.line_count, order.currency, order.subtotal,
                order.discount_total, order.total]

    return Table(header, rows, row)


def order_lines_table(*, actor, filters: dict) -> Table:
    """One row per line of the orders `orders_table` lists, the orders newest first, lines in order."""
    orders = _orders(actor, filters).order_by().values("pk")
    rows = (OrderLine.objects.filter(order__in=orders)
            .select_related("order", "order__dealer", "sku", "unit")
            .defer("order__dealer__bank_account", "order__breakdown", "order__shipping_address")
            .order_by("-order__created_at", "-order_id", "line_no"))
    header = [_("Order number"), _("Dealer code"), _("Dealer"), _("Status"), _("Placed"), _("Line"), _("SKU code"),
              _("Product"), _("Unit"), _("Quantity"), _("Quantity (base units)"), _("Unit price"), _("Gross"),
              _("Discount"), _("Net"), _("Currency")]

    def row(line):
        order = line.order
        return [order.number, order.dealer.code, order.dealer.display_name, _label(OrderStatus.choices, order.status),
                order.created_at, line.line_no, line.sku.code, line.sku.name, line.unit.name, line.quantity,
                line.quantity * line.factor, line.unit_price, line.gross, line.discount, line.net, order.currency]

    return Table(header, rows, row)


def _dealer_named(query: str) -> Q:
    return Q(order__dealer__name__icontains=query) | Q(order__dealer__legal_name__icontains=query)


def _period_dealer(rows, filters: dict, *, search: Q | None):
    if filters.get("dealer") is not None:
        rows = rows.filter(order__dealer=filters["dealer"])
    if filters.get("from"):
        rows = rows.filter(created_at__date__gte=filters["from"])
    if filters.get("to"):
        rows = rows.filter(created_at__date__lte=filters["to"])
    if search is not None:
        rows = rows.filter(search)
    return rows


def shipments_table(*, actor, filters: dict) -> Table:
    """The shipments list (status, search) with a period and dealer, one row per shipment."""
    query = (filters.get("q") or "").strip()
    search = Q(number__icontains=query) | Q(tracking_number__icontains=query) | _dealer_named(query) if query else None
    rows = _period_dealer(shipments_visible_to(actor), filters, search=search)
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    rows = (rows.select_related("order", "order__dealer", "warehouse", "carrier")
            .defer("order__dealer__bank_account", "order__breakdown", "order__shipping_address")
            .annotate(base_quantity=Sum("lines__quantity")).order_by("-created_at", "-id"))
    header = [_("Shipment number"), _("Order number"), _("Dealer code"), _("Dealer"), _("Warehouse"), _("Carrier"),
              _("Tracking number"), _("Status"), _("Created"), _("Shipped"), _("Delivered"),
              _("Quantity (base units)")]

    def row(shipment):
        return [shipment.number, shipment.order.number, shipment.order.dealer.code,
                shipment.order.dealer.display_name, shipment.warehouse.name,
                shipment.carrier.name if shipment.carrier else "", shipment.tracking_number,
                _label(ShipmentStatus.choices, shipment.status), shipment.created_at, shipment.shipped_at,
                shipment.delivered_at, shipment.base_quantity or 0]

    return Table(header, rows, row)


def returns_table(*, actor, filters: dict) -> Table:
    """The returns list (its status: the open ones unless told) with a period, dealer and search."""
    query = (filters.get("q") or "").strip()
    search = (Q(number__icontains=query) | Q(order__number__icontains=query) | _dealer_named(query)) if query else None
    rows = _period_dealer(returns_visible_to(actor), filters, search=search)
    status = filters.get("status") or "open"
    if status == "open":
        rows = rows.filter(status__in=[ReturnStatus.REQUESTED, ReturnStatus.APPROVED])
    elif status != "all":
        rows = rows.filter(status=status)
    rows = (rows.select_related("order", "order__dealer", "warehouse")
            .defer("order__dealer__bank_account", "order__breakdown", "order__shipping_address")
            .annotate(base_quantity=Sum("lines__quantity"), line_count=Count("lines")).order_by("-created_at", "-id"))
    header = [_("RMA number"), _("Order number"), _("Dealer code"), _("Dealer"), _("Reason"), _("Details"), _("Status"),
              _("Requested"), _("Decided"), _("Received"), _("Warehouse"), _("Lines"), _("Quantity (base units)")]

    def row(rma):
        return [rma.number, rma.order.number, rma.order.dealer.code, rma.order.dealer.display_name,
                _label(ReturnReason.choices, rma.reason_code), rma.reason_text,
                _label(ReturnStatus.choices, rma.status),
                rma.created_at, rma.decided_at, rma.received_at, rma.warehouse.name if rma.warehouse else "",
                rma.line_count, rma.base_quantity or 0]

    return Table(header, rows, row)


TABLES = {"orders": orders_table, "order_lines": order_lines_table, "shipments": shipments_table,
          "returns": returns_table}


def export_jobs_of(*, actor) -> QuerySet[ExportJob]:
    """The actor's own exports, newest first (nobody sees another person's)."""
    return ExportJob.objects.filter(requested_by=actor).order_by("-created_at", "-id")


def export_job_get_for(*, actor, job_id) -> ExportJob:
    """One of the actor's own exports; anyone else's, or none, is ExportNotFound (404)."""
    job = export_jobs_of(actor=actor).filter(pk=job_id).first() if str(job_id).isdigit() and len(
        str(job_id)) < 18 else None
    if job is None or not getattr(actor, "is_authenticated", False):
        raise ExportNotFound(_("No such export."))
    return job
