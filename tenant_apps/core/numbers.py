"""The ranges of PostgreSQL's integer columns, so that a number from a client is refused by our code (a field
error) before the database refuses it (a 500): ids are bigint, quantities and counts integer."""

from __future__ import annotations

INTEGER_MAX = 2**31 - 1  # integer (models.IntegerField, PositiveIntegerField)
BIGINT_MAX = 2**63 - 1  # bigint (ids: BigAutoField and the foreign keys to it)


def is_id(value) -> bool:
    """An int that can be a row's id (1..bigint max); bools are not ids."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= BIGINT_MAX


def fits_integer(value: int) -> bool:
    """`value` fits an integer column (as a quantity, or a delta added to one)."""
    return -INTEGER_MAX <= value <= INTEGER_MAX
