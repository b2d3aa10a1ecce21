from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


class PricingInvalid(ValidationFailed):
    code = "pricing_invalid"


class PricingNotFound(NotFound):
    code = "pricing_not_found"


class PricingConflict(Conflict):
    code = "pricing_conflict"


class BelowResaleFloor(PricingInvalid):
    """A supplier's price below a SKU's minimum resale price: the attempts ride along (unsaved FloorViolation rows)
    for `pricing.floors.records_floor_violations` to keep once the write is rolled back."""

    def __init__(self, detail, *, fields, violations):
        super().__init__(detail, fields=fields)
        self.floor_violations = violations
