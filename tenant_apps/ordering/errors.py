"""Domain errors of ordering (see tenant_apps.core.errors): the one home of every error about orders, carts,
templates and saved views. Fulfilment and approvals raise and catch these, never a copy of their own."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenant_apps.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from tenant_apps.core.tables import MoreErrors, RowError, capped_errors


class OrderNotFound(NotFound):
    code = "order_not_found"


class SavedOrderViewNotFound(NotFound):
    code = "saved_view_not_found"


class NotAllowed(DomainError):
    """The actor may not do this to an order at all (a dealer's user placing for a dealer, brand staff confirming
    for the dealer): 403."""

    code = "not_allowed"
    status = 403


class IllegalOrderTransition(Conflict):
    """The order is in a state from which this move is not allowed (409, naming both)."""

    code = "illegal_transition"


class OrderActionInvalid(ValidationFailed):
    code = "order_action_invalid"


class ErpReferenceConflict(Conflict):
    """The order was acknowledged by the ERP under another number (409)."""

    code = "erp_reference_conflict"


class OrderInvalid(ValidationFailed):
    code = "order_invalid"


class OrderRefused(Conflict):
    code = "order_refused"


class PriceChanged(Conflict):
    code = "price_changed"


class CartAlreadySubmitted(Conflict):
    code = "cart_already_submitted"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422


class StockShort(Conflict):
    code = "insufficient_stock"

    def __init__(self, detail, *, shortages: list[dict], reducible: bool = False):
        super().__init__(detail, code="stock_short_reduce_possible" if reducible else None, fields={
            f"lines.{s['line']}.quantity": [_("%(available)s of %(wanted)s %(unit)s available.") % s]
            for s in shortages})
        self.shortages = shortages

    def as_dict(self) -> dict:
        return {**super().as_dict(), "shortages": self.shortages}


class ReservationMissing(Conflict):
    """A line to ship is no longer reserved in the shipment's warehouse."""

    code = "reservation_missing"


class OverReturn(Conflict):
    code = "over_return"


class CartInvalid(ValidationFailed):
    code = "cart_invalid"


class QuickOrderInvalid(ValidationFailed):
    """Some lines cannot go in the cart: `errors` names each (line or row number, field, message)."""

    code = "quick_order_invalid"

    def __init__(self, detail, *, errors: list[RowError], prefix: str = "lines"):
        super().__init__(detail, fields={})
        self.errors = errors = capped_errors(errors)  # the first 100, then "… and N more"
        for error in errors:
            name = prefix if isinstance(error, MoreErrors) else (
                f"{prefix}.{error.row}.{error.field}" if error.row else error.field or "file")
            self.fields.setdefault(name, []).append(str(error.message))


class TemplateInvalid(ValidationFailed):
    code = "template_invalid"


class SavedViewInvalid(ValidationFailed):
    code = "saved_view_invalid"


class OrderingNotAllowed(DomainError):
    """A dealer's person whose owner took away the right to submit orders (403)."""

    code = "ordering_not_allowed"
    status = 403


class InternalApprovalNotPending(Conflict):
    code = "internal_approval_not_pending"
