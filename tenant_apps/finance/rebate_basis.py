"""What a dealer was shipped in a period, net of returns: the basis of rebates (finance.services_rebates).

Fulfillment owns shipments and returns and sits above finance, so finance never imports it: fulfillment registers
its function here in its AppConfig.ready():

    rebate_basis.register(shipped_amounts)   # (period_start, period_end, dealer_ids, *, currency) -> {id: Decimal}

`period_end` is inclusive; dates are the brand's days (settings.TIME_ZONE). Dealers without shipments may be
missing from the answer (read as zero). Several functions add up (none registered: every basis is zero)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

BasisFunction = Callable[..., dict[int, Decimal]]
_FUNCTIONS: list[BasisFunction] = []


def register(function: BasisFunction) -> BasisFunction:
    """Add a basis function (once: registering the same one again changes nothing)."""
    if function not in _FUNCTIONS:
        _FUNCTIONS.append(function)
    return function


def registered() -> tuple[BasisFunction, ...]:
    return tuple(_FUNCTIONS)


def shipped_net(period_start: date, period_end: date, dealer_ids: Iterable[int], *,
                currency: str) -> dict[int, Decimal]:
    """{dealer id: shipped amount net of returns} over every registered function, for `dealer_ids`."""
    dealer_ids = sorted(set(dealer_ids))
    totals: dict[int, Decimal] = {}
    if not dealer_ids:
        return totals
    for function in _FUNCTIONS:
        for dealer_id, amount in function(period_start, period_end, dealer_ids, currency=currency).items():
            totals[dealer_id] = totals.get(dealer_id, Decimal("0")) + Decimal(amount)
    return totals
