from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


class PricingInvalid(ValidationFailed):
    code = "pricing_invalid"


class PricingNotFound(NotFound):
    code = "pricing_not_found"


class PricingConflict(Conflict):
    code = "pricing_conflict"
