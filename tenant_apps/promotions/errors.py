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
