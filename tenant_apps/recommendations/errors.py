"""Domain errors of recommendations (see tenant_apps.core.errors)."""

from tenant_apps.core.errors import NotFound, ValidationFailed


class RecommendationsInvalid(ValidationFailed):
    code = "recommendations_invalid"


class RecommendationBlockNotFound(NotFound):
    code = "recommendation_block_not_found"
