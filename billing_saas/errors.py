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
