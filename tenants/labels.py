"""How the codes of a tenant's history read to people (the operator console shows labels, never dotted codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from billing_saas.labels import SUBSCRIPTION_ACTION_LABELS

ACTION_LABELS = {
    # the subscription's changes, mirrored into the tenant's history (tenants.billing)
    **SUBSCRIPTION_ACTION_LABELS,
    # the tenant's status history (TenantStatusChange.action)
    "tenants.tenant.provisioned": _("Workspace created"),
    "tenants.tenant.suspended": _("Suspended"),
    "tenants.tenant.restored": _("Restored"),
    "tenants.tenant.deleted": _("Closed for deletion"),
    "tenants.tenant.exported": _("Data exported"),
    "tenants.tenant.purged": _("Data purged"),
    "tenants.tenant.support_granted": _("Support access granted"),
    "tenants.tenant.support_ended": _("Support access ended"),
    "tenants.tenant.branding_updated": _("Branding updated"),
    "tenants.tenant.purge_scheduled": _("Purge date set"),
    "tenants.tenant.support_entered": _("Support entered the workspace"),
    "tenants.tenant.backed_up": _("Backed up"),
    "tenants.tenant.restored_from_backup": _("Created from a backup"),
    "tenants.tenant.backup_restored_over": _("Replaced by a backup"),
    "tenants.domain.added": _("Domain added"),
    "tenants.domain.verified": _("Domain verified"),
    "tenants.domain.made_primary": _("Primary domain changed"),
    "tenants.domain.removed": _("Domain removed"),
    # the operator audit log (OperatorAuditLog.action)
    "operator.tenant.suspended": _("Suspended the workspace"),
    "operator.tenant.restored": _("Restored the workspace"),
    "operator.tenant.deletion_scheduled": _("Scheduled the deletion"),
    "operator.tenant.support_granted": _("Granted support access"),
    "operator.tenant.support_ended": _("Ended support access"),
    "operator.tenant.support_entered": _("Entered the workspace for support"),
    "operator.tenant.backup_requested": _("Started a backup"),
    "operator.tenant.backup_downloaded": _("Downloaded a backup"),
    "operator.subscription.trial_extended": _("Extended the trial"),
    "operator.subscription.comped": _("Gave periods free"),
    "operator.subscription.plan_set": _("Changed the plan"),
}

# How a workspace was set up (Tenant.provisioned_by): tenants.services' methods.
PROVISIONING_LABELS = {
    "pool": _("prepared workspace"),
    "clone": _("copied from the template"),
    "migrate": _("built from scratch"),
}


def action_label(action: str) -> str:
    """A history entry's action in the reader's language; an unknown code shows as it is."""
    return str(ACTION_LABELS.get(action, action))


def status_label(status: str | None) -> str:
    from tenants.models import TenantStatus

    return str(TenantStatus(status).label) if status in TenantStatus.values else (status or "—")


def provisioning_label(method: str) -> str:
    return str(PROVISIONING_LABELS.get(method, method))
