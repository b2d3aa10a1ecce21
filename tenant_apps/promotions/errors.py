"""Domain errors of promotions (see tenant_apps.core.errors)."""

from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


class PromotionInvalid(ValidationFailed):
    code = "promotion_invalid"


class PromotionNotFound(NotFound):
    code = "promotion_not_found"


class IllegalPromotionTransition(Conflict):
    code = "illegal_transition"


class PromotionBudgetExhausted(Conflict):
    code = "promotion_budget_exhausted"


class CouponUsedUp(Conflict):
    code = "coupon_used_up"


class PromotionBelowFloor(PromotionInvalid):
    """A supplier's promotion that would resell below a SKU's minimum resale price: the attempts ride along (unsaved
    pricing FloorViolation rows) for `pricing.floors.records_floor_violations` to keep once the write is rolled
    back."""

    def __init__(self, detail, *, fields, violations):
        super().__init__(detail, fields=fields)
        self.floor_violations = violations
