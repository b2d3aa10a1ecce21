"""Operator actions on tenants and their subscriptions. Each one calls the tenants (or billing) service and writes
the operator audit log in the same transaction, with the reason the operator must give."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_saas import services as billing_services
from billing_saas.models import Plan, Subscription
from shared_apps.operator_console.errors import OperatorActionInvalid
from shared_apps.operator_console.models import OperatorAuditLog
from tenants import services as tenant_services
from tenants.models import Tenant

logger = logging.getLogger(__name__)

SUPPORT_MINUTES = (15, 30, 60, 120, 240)


def _snapshot(tenant: Tenant) -> dict:
    return {
        "status": tenant.status,
        "purge_after": tenant.purge_after.isoformat() if tenant.purge_after else None,
        "support_until": tenant.support_until.isoformat() if tenant.support_until else None,
    }


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise OperatorActionInvalid(_("Give a reason."), fields={"reason": [_("This field is required.")]})
    return reason


def _log(*, operator, action: str, tenant: Tenant, reason: str, before: dict, after: dict) -> OperatorAuditLog:
    entry = OperatorAuditLog.objects.create(
        action=action, actor_email=operator.email, tenant_slug=tenant.slug, reason=reason, before=before, after=after
    )
    logger.info(action, extra={"schema": tenant.schema_name, "actor": operator.email})
    return entry


@transaction.atomic
def operator_tenant_suspend(*, operator, tenant: Tenant, reason: str) -> Tenant:
    reason = _require_reason(reason)
    before = _snapshot(tenant)
    tenant = tenant_services.tenant_suspend(actor=operator, tenant=tenant, reason=reason)
    _log(operator=operator, action="operator.tenant.suspended", tenant=tenant, reason=reason, before=before,
         after=_snapshot(tenant))
    return tenant


@transaction.atomic
def operator_tenant_restore(*, operator, tenant: Tenant, reason: str) -> Tenant:
    reason = _require_reason(reason)
    before = _snapshot(tenant)
    tenant = tenant_services.tenant_restore(actor=operator, tenant=tenant, reason=reason)
    tenant = tenant_services.tenant_purge_schedule(actor=operator, tenant=tenant, purge_after=None)
    _log(operator=operator, action="operator.tenant.restored", tenant=tenant, reason=reason, before=before,
         after=_snapshot(tenant))
    return tenant


@transaction.atomic
def operator_tenant_schedule_deletion(*, operator, tenant: Tenant, reason: str) -> Tenant:
    """Close the workspace now; its data is exported and the schema purged after the grace period."""
    reason = _require_reason(reason)
    before = _snapshot(tenant)
    tenant = tenant_services.tenant_delete(actor=operator, tenant=tenant, reason=reason)
    tenant = tenant_services.tenant_purge_schedule(
        actor=operator, tenant=tenant, purge_after=timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS)
    )
    _log(operator=operator, action="operator.tenant.deletion_scheduled", tenant=tenant, reason=reason,
         before=before, after=_snapshot(tenant))
    schema = tenant.schema_name
    transaction.on_commit(lambda: _export_later(schema))
    return tenant


def _export_later(schema_name: str) -> None:
    from tenants.tasks import tenant_export

    tenant_export.delay(schema_name)


@transaction.atomic
def operator_tenant_backup(*, operator, tenant: Tenant, reason: str) -> Tenant:
    """Back the workspace up now, whatever its status (a deleted one still has its data until the purge). The
    backup (tenants.services_backup.tenant_backup, with the operator as its actor) runs as a task after the
    commit: it can take longer than a request may, and it reads the schema at one instant in its own
    transaction. Its retention is applied by the next scheduled run."""
    reason = _require_reason(reason)
    locked = Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    if locked is None:
        raise OperatorActionInvalid(_("This workspace has been purged: there is nothing left to back up."))
    _log(operator=operator, action="operator.tenant.backup_requested", tenant=locked, reason=reason,
         before=_snapshot(locked), after=_snapshot(locked))
    tenant_id, actor = locked.pk, operator.email
    transaction.on_commit(lambda: _backup_later(tenant_id, actor))
    return locked


def _backup_later(tenant_id: int, actor: str) -> None:
    from tenants.tasks import tenant_backup

    tenant_backup.delay(tenant_id, actor)


def operator_backup_download(*, operator, tenant: Tenant, backup_id: int):
    """One of the tenant's backup archives, opened from the backups storage for download (the caller closes it),
    and the archive's file name. The download is audited."""
    from tenants.models import TenantBackup
    from tenants.services_backup import backup_storage

    backup = TenantBackup.objects.filter(pk=backup_id, tenant=tenant).first()
    storage = backup_storage()
    if backup is None or not storage.exists(backup.storage_name):
        raise OperatorActionInvalid(_("This backup does not exist (any more)."))
    file = storage.open(backup.storage_name, "rb")
    try:
        _log(operator=operator, action="operator.tenant.backup_downloaded", tenant=tenant, reason="", before={},
             after={"backup": backup.storage_name, "sha256": backup.sha256})
    except BaseException:
        file.close()
        raise
    return file, backup.storage_name.rsplit("/", 1)[-1]


@transaction.atomic
def operator_support_grant(*, operator, tenant: Tenant, minutes: int, reason: str) -> Tenant:
    reason = _require_reason(reason)
    if minutes not in SUPPORT_MINUTES:
        raise OperatorActionInvalid(_("Choose a duration."), fields={"minutes": [_("Choose a duration.")]})
    before = _snapshot(tenant)
    tenant = tenant_services.tenant_support_grant(actor=operator, tenant=tenant, minutes=minutes)
    _log(operator=operator, action="operator.tenant.support_granted", tenant=tenant, reason=reason,
         before=before, after={**_snapshot(tenant), "minutes": minutes})
    return tenant


@transaction.atomic
def operator_support_end(*, operator, tenant: Tenant, reason: str = "") -> Tenant:
    before = _snapshot(tenant)
    tenant = tenant_services.tenant_support_end(actor=operator, tenant=tenant)
    _log(operator=operator, action="operator.tenant.support_ended", tenant=tenant, reason=reason or "ended",
         before=before, after=_snapshot(tenant))
    return tenant


@transaction.atomic
def operator_support_enter(*, operator, tenant: Tenant) -> str:
    """A one-time sign-in link into the tenant's console as platform support (access must be open)."""
    url = tenant_services.tenant_support_enter(actor=operator, tenant=tenant)
    _log(operator=operator, action="operator.tenant.support_entered", tenant=tenant, reason="", before={},
         after={"support_until": tenant.support_until.isoformat() if tenant.support_until else None})
    return url


# --- the subscription: operator adjustments (billing records its own change; this adds the operator's entry) ----
def _billing_snapshot(subscription: Subscription) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {"state": subscription.state, "plan": subscription.plan.code, "interval": subscription.interval,
            "trial_ends_at": iso(subscription.trial_ends_at),
            "current_period_end": iso(subscription.current_period_end)}


def _subscription(tenant: Tenant) -> Subscription:
    subscription = Subscription.objects.select_related("plan").filter(tenant=tenant).first()
    if subscription is None:
        raise OperatorActionInvalid(_("This workspace has no subscription."))
    return subscription


@transaction.atomic
def operator_trial_extend(*, operator, tenant: Tenant, days: int, reason: str) -> Subscription:
    """Give the workspace `days` more of its trial."""
    reason = _require_reason(reason)
    subscription = _subscription(tenant)
    before = _billing_snapshot(subscription)
    subscription = billing_services.subscription_trial_extend(actor=operator, subscription=subscription, days=days,
                                                              reason=reason)
    _log(operator=operator, action="operator.subscription.trial_extended", tenant=tenant, reason=reason,
         before=before, after={**_billing_snapshot(subscription), "days": days})
    return subscription


@transaction.atomic
def operator_subscription_comp(*, operator, tenant: Tenant, periods: int, reason: str) -> Subscription:
    """Give `periods` of the subscription's interval free: paid through moves on and the workspace is active."""
    reason = _require_reason(reason)
    subscription = _subscription(tenant)
    before = _billing_snapshot(subscription)
    subscription = billing_services.subscription_comp(actor=operator, subscription=subscription, periods=periods,
                                                      reason=reason)
    _log(operator=operator, action="operator.subscription.comped", tenant=tenant, reason=reason, before=before,
         after={**_billing_snapshot(subscription), "periods": periods})
    return subscription


@transaction.atomic
def operator_plan_set(*, operator, tenant: Tenant, plan: Plan, reason: str) -> Subscription:
    """Put the workspace on `plan` now, without charging (a negotiated deal)."""
    reason = _require_reason(reason)
    subscription = _subscription(tenant)
    if subscription.plan_id == plan.pk and not subscription.scheduled_plan_id:
        raise OperatorActionInvalid(_("The workspace is on this plan already."),
                                    fields={"plan": [_("Choose another plan.")]})
    before = _billing_snapshot(subscription)
    subscription = billing_services.subscription_plan_set(actor=operator, subscription=subscription, plan=plan,
                                                          reason=reason)
    _log(operator=operator, action="operator.subscription.plan_set", tenant=tenant, reason=reason, before=before,
         after=_billing_snapshot(subscription))
    return subscription
