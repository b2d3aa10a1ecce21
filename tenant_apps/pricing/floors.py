"""The price floor (乱价): a supplier reselling to its sub-dealers may not go below a SKU's minimum resale price
(`ResalePrice`, per base unit, times the unit's factor for a pack), and every refused attempt is kept for
headquarters (`FloorViolation`).

Recording an attempt whose write is refused: the refusal is a domain error raised inside the service's
transaction, which rolls back (`transaction.on_commit` never fires for it). So the error carries the attempts as
unsaved rows (`floor_violations`), and `records_floor_violations`, wrapped around the atomic service, writes them
once the service's transaction (or savepoint) has been rolled back, then raises the error on. Pages and the API run
no transaction of their own around the service: the record is committed on its own. A caller that holds a
transaction open around the service and then rolls it back takes the record with it (nothing of ours does).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from tenant_apps.catalog.models import Category, SkuUnit
from tenant_apps.core.errors import DomainError
from tenant_apps.pricing.models import FloorViolation, PriceEntry, ResalePrice


def records_floor_violations(service):
    """Wrap an atomic service (put it above `@transaction.atomic`): a domain error carrying `floor_violations`
    has them written after the service's transaction rolled back, then goes on up."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except DomainError as error:
            violations = getattr(error, "floor_violations", None)
            if violations:
                floor_violations_record(violations=violations)
            raise

    return wrapper


@transaction.atomic
def floor_violations_record(*, violations: list[FloorViolation]) -> list[FloorViolation]:
    """Keep refused attempts below a floor (unsaved rows made by the refusing service)."""
    for violation in violations:
        violation.pk = None
    return FloorViolation.objects.bulk_create(violations)


def floor_in_force(on: date | None = None, *, currency: str):
    """A subquery: the minimum resale price of one base unit of the outer row's `sku_id` in force on `on` (today)."""
    return Subquery(ResalePrice.objects.filter(sku_id=OuterRef("sku_id"), currency=currency,
                                               valid_from__lte=on or timezone.localdate())
                    .order_by("-valid_from").values("price")[:1])


@dataclass(frozen=True)
class SupplierPrice:
    """One entry of a supplier's lists: the price of `unit` (`factor` base units) of a SKU from `min_quantity`
    units on, and the SKU's floor per base unit in force (None: it has none)."""

    sku_id: int
    sku_code: str
    unit_id: int
    unit_name: str
    factor: int
    min_quantity: int
    price: Decimal
    floor: Decimal | None

    @property
    def unit_floor(self) -> Decimal | None:
        return None if self.floor is None else self.floor * self.factor


def supplier_prices(*, owner_id: int, currency: str, skus=(), categories=(), on: date | None = None
                    ) -> list[SupplierPrice]:
    """Every entry of the supplier's price lists in `currency` (active or not: a list switched on later is
    covered too) for the SKUs given or in the categories given (with their subtrees); every SKU when both are
    empty. One query."""
    rows = PriceEntry.objects.filter(price_list__owner_id=owner_id, price_list__currency=currency)
    skus, categories = list(skus), list(categories)
    if skus or categories:
        scope = Q(sku_id__in=skus)
        if categories:
            scope |= Q(Exists(Category.objects.filter(
                pk__in=categories, path__ancestor_of=OuterRef("sku__product__category__path"))))
        rows = rows.filter(scope)
    factor = Case(When(unit_id=F("sku__base_unit_id"), then=Value(1)),
                  default=Subquery(SkuUnit.objects.filter(sku_id=OuterRef("sku_id"), unit_id=OuterRef("unit_id"))
                                   .values("factor")[:1]), output_field=IntegerField())
    rows = rows.annotate(factor_=factor, floor_=floor_in_force(on, currency=currency)).values_list(
        "sku_id", "sku__code", "unit_id", "unit__name", "factor_", "min_quantity", "price", "floor_")
    return [SupplierPrice(sku_id, code, unit_id, unit, factor or 1, minimum, price, floor)
            for sku_id, code, unit_id, unit, factor, minimum, price, floor in rows.order_by("sku__code", "unit_id",
                                                                                               "min_quantity")]
