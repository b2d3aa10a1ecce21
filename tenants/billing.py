"""The tenant lifecycle's side of billing (billing_saas sits below and tells it through a signal): every change of a
subscription is written to the tenant's history (the operator's log), its plan, trial end and billing state are
mirrored on the tenant row (routing reads them on every request), and the workspace is suspended when billing
suspends it and restored when it is paid again (only a suspension billing made; an operator's stands)."""

from __future__ import annotations

from billing_saas.models import Subscription, SubscriptionState
from tenants import services
from tenants.history import tenant_history_record
from tenants.models import Tenant, TenantStatus
from tenants.selectors import tenant_suspension

BILLING_ACTOR = "billing"
# the tenant's billing_state for each subscription state: what the workspace may do
MIRRORED = {
    SubscriptionState.TRIALING: "", SubscriptionState.ACTIVE: "", SubscriptionState.PAST_DUE: "past_due",
    SubscriptionState.READ_ONLY: "read_only", SubscriptionState.CANCELLED: "read_only",
    SubscriptionState.SUSPENDED: "read_only",
}


def subscription_mirror(*, subscription, change, **_ignored) -> None:
    if change.action == "billing.subscription.started" and Subscription.tenant.is_cached(subscription):
        # A subscription starts in the transaction that made its tenant (tenant_provision, a restore into a new
        # tenant): nobody else can have changed the row, so it is neither locked nor read again, and the caller's
        # instance is the one brought up to date.
        tenant = subscription.tenant
    else:
        tenant = Tenant.objects.select_for_update().get(pk=subscription.tenant_id)
    tenant_history_record(actor=change.actor, tenant=tenant, action=change.action, reason=change.reason,
                          before=change.before, after=change.after)
    wanted = {"plan_id": subscription.plan_id, "trial_ends_at": subscription.trial_ends_at,
              "billing_state": MIRRORED[subscription.state]}
    changed = [name for name, value in wanted.items() if getattr(tenant, name) != value]
    for name in changed:
        setattr(tenant, name, wanted[name])
    if changed:
        tenant.save(update_fields=[*changed, "updated_at"])
    if subscription.state == SubscriptionState.SUSPENDED and tenant.status == TenantStatus.ACTIVE:
        services.tenant_suspend(actor=BILLING_ACTOR, tenant=tenant, reason=change.reason or "unpaid")
    elif subscription.state == SubscriptionState.ACTIVE and tenant.status == TenantStatus.SUSPENDED:
        suspension = tenant_suspension(tenant)
        if suspension is not None and suspension.actor == BILLING_ACTOR:
            services.tenant_restore(actor=BILLING_ACTOR, tenant=tenant, reason="paid")
