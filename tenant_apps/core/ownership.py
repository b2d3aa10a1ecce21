"""A supplier's own rows (S2B2B: a price list, warehouse or promotion whose `owner` is a supplier's node) are changed
by that supplier's own people only, through the supplier console, never by headquarters' staff through the brand
console or the brand's API: headquarters reads them (its console lists them under "Suppliers'"), and a write is a
403 `owned_by_supplier` whose message says whose row it is. The apps' write services call `supplier_row_guard`;
their console pages show such a row read-only."""

from __future__ import annotations

from tenant_apps.core.errors import DomainError


class OwnedBySupplier(DomainError):
    code = "owned_by_supplier"
    status = 403


def brand_side(actor) -> bool:
    """Is `actor` the brand's staff (a person without a dealer)? The system (None) and dealer users (a supplier's
    own people, whom the supplier console's getters keep to their own node's rows) are not."""
    return actor is not None and not getattr(actor, "dealer_id", None)


def written_by_outsider(actor, owner_id) -> bool:
    """Would `actor` be writing a supplier's row (`owner_id` set) from outside it (the brand's staff)?"""
    return owner_id is not None and brand_side(actor)


def supplier_row_guard(actor, owner_id, message: str) -> None:
    if written_by_outsider(actor, owner_id):
        raise OwnedBySupplier(message)
