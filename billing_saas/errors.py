"""Billing's domain errors (the one error shape: code, detail, fields, status)."""

from __future__ import annotations

from tenant_apps.core.errors import Conflict, DomainError, ValidationFailed


class PlanLimitReached(Conflict):
    code = "plan_limit_reached"


class FeatureNotInPlan(Conflict):
    code = "feature_not_in_plan"
    status = 402


class WorkspaceReadOnly(Conflict):
    code = "workspace_read_only"
    status = 402


class PlanChangeInvalid(ValidationFailed):
    code = "plan_change_invalid"


class DowngradeOverLimits(Conflict):
    code = "downgrade_over_limits"


class IllegalSubscriptionMove(Conflict):
    code = "illegal_subscription_move"


class BillingInvalid(ValidationFailed):
    code = "billing_invalid"


# --- Stripe (billing_saas.stripe_gateway turns the library's errors into these; never a 500) -------------------
class PaymentsNotConfigured(DomainError):
    code = "payments_not_configured"
    status = 503


class PaymentProviderUnavailable(DomainError):
    """Stripe could not be reached (or asked us to slow down): nothing was charged or changed; try again."""

    code = "payment_provider_unavailable"
    status = 503


class PaymentProviderError(DomainError):
    """Stripe refused our request (a bug or a setting of ours): logged in full, told to the brand plainly."""

    code = "payment_provider_error"
    status = 502


class PaymentDeclined(DomainError):
    code = "payment_declined"
    status = 402


class WebhookRefused(DomainError):
    """A webhook whose signature does not verify (forged, altered, too old): refused, nothing stored."""

    code = "webhook_refused"
    status = 400
