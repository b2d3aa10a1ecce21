"""Billing's domain errors (the one error shape: code, detail, fields, status)."""

from __future__ import annotations

from tenant_apps.core.errors import Conflict, ValidationFailed


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


class InvoiceRequestInvalid(BillingInvalid):
    """A Chinese invoice (发票) request with missing or wrong tax details: field errors per field."""

    code = "invoice_request_invalid"


class InvoiceAlreadyRequested(BillingInvalid):
    code = "invoice_already_requested"


class FapiaoProviderError(Exception):
    """The e-invoicing provider did not issue (billing_saas.fapiao): not shown as such to the brand; the
    invoice request records the message."""


class FapiaoUnavailable(FapiaoProviderError):
    """Down, slow, misconfigured or answering nonsense: the request stays requested and is tried again."""


class FapiaoRefused(FapiaoProviderError):
    """The provider refuses the invoice itself (the tax bureau's checks): the request fails; the brand may
    request again with corrected details."""
