"""Brand groups (tenants), their hosts, their status history, and the warm pool of ready schemas.

All of these live in the public schema. A tenant's own data lives in its schema (`t_<slug>`).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


def _logo_path(tenant: Tenant, filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:8]
    return f"branding/{tenant.schema_name}/logo-{secrets.token_hex(4)}{suffix}"


# Tenant rows live in the public schema, so the logo is stored by an ordinary (not schema-aware)
# storage under branding/<schema>/: its URL is the same whichever schema reads it.
branding_storage = FileSystemStorage()

hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a colour such as #1F6FEB."))


def tenant_host(slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_HOST}"


def tenant_url(slug: str, path: str = "/") -> str:
    """An absolute URL on the tenant's platform subdomain (with the platform's port, if any)."""
    port = settings.PLATFORM_DOMAIN.partition(":")[2]
    return f"{settings.PLATFORM_SCHEME}://{tenant_host(slug)}{':' + port if port else ''}{path}"


class TenantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DELETED = "deleted", _("Deleted")


class Tenant(TenantMixin):
    # Schemas are made by tenants.services (pool claim, clone, or migrations), never on save().
    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(_("company name"), max_length=200)
    slug = models.SlugField(_("subdomain"), max_length=63, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TenantStatus.choices, default=TenantStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    provisioned_by = models.CharField(_("provisioned by"), max_length=16, blank=True)
    plan = models.ForeignKey("billing_saas.Plan", on_delete=models.PROTECT, null=True, blank=True,
                             verbose_name=_("plan"))
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    # The plan, trial end and billing state are billing_saas.Subscription's, mirrored here by tenants.billing when
    # it changes: routing reads the tenant row on every request (kept by each worker), not the subscription.
    billing_state = models.CharField(_("billing state"), max_length=16, blank=True)
    purge_after = models.DateTimeField(_("purge after"), null=True, blank=True,
                                       help_text=_("A deleted tenant's schema is dropped after this time."))
    # Support access: while support_until is in the future, operator staff may enter the workspace,
    # and every page shows a banner.
    support_until = models.DateTimeField(_("support access until"), null=True, blank=True)
    support_operator = models.EmailField(_("support operator"), blank=True)

    # Branding shown on the brand's hosts.
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to=_logo_path, storage=branding_storage, blank=True)
    # When the brand last saved its branding (the getting-started step ticks on it, whatever colour it kept).
    branding_saved_at = models.DateTimeField(_("branding saved"), null=True, blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1F6FEB", validators=[hex_colour]
    )
    default_locale = models.CharField(
        _("default language"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    default_currency = models.CharField(_("default currency"), max_length=3, default="CNY")

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def _check_schema_name_is_unique(self):
        # django-tenants refuses a new name that differs only in case from another's, with a query per new tenant.
        # Ours are lowercase (tenants.schemas makes them from the slug), so the unique constraint is that check.
        if self.schema_name != self.schema_name.lower():
            super()._check_schema_name_is_unique()

    def __str__(self) -> str:
        return self.name

    @property
    def provisioned_by_label(self) -> str:
        from tenants.labels import provisioning_label

        return provisioning_label(self.provisioned_by)

    @property
    def brand_name(self) -> str:
        return self.display_name or self.name

    def primary_url(self, path: str = "/") -> str:
        """An absolute URL on the tenant's primary host (its custom domain once it has made one primary): where
        links in its mail point (accounts reads it through the connection's tenant, not by importing us)."""
        primary = self.domains.filter(is_primary=True).values_list("domain", flat=True).first()
        if primary is None or primary.endswith(f".{settings.PLATFORM_HOST}"):
            return tenant_url(self.slug, path)
        return f"{settings.PLATFORM_SCHEME}://{primary}{path}"


class Domain(DomainMixin):
    class Kind(models.TextChoices):
        SUBDOMAIN = "subdomain", _("Platform subdomain")
        CUSTOM = "custom", _("Custom domain")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for DNS verification")
        ACTIVE = "active", _("Active")
        TAKEN = "taken", _("Verified by another workspace")

    # Not unique: several workspaces may claim the same host while it is pending (a claim proves nothing, so
    # it must not keep the real owner out); the one that proves it through DNS gets it, and at most one
    # domain row per host is active (constraint below). Routing reads only active rows.
    domain = models.CharField(max_length=253, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SUBDOMAIN)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    verification_token = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], condition=models.Q(is_primary=True), name="one_primary_domain"),
            models.UniqueConstraint(fields=["domain"], condition=models.Q(status="active"),
                                    name="one_active_domain_per_host"),
            models.UniqueConstraint(fields=["tenant", "domain"], name="one_claim_per_tenant_and_host"),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def claim_expires_at(self):
        """When a pending claim stops being verifiable (CUSTOM_DOMAIN_CLAIM_DAYS after it was made)."""
        return self.created_at + timedelta(days=settings.CUSTOM_DOMAIN_CLAIM_DAYS)

    def claim_expired(self, now=None) -> bool:
        return self.status == self.Status.PENDING and (now or timezone.now()) >= self.claim_expires_at


class TenantStatusChange(models.Model):
    """The status history of a tenant: who changed what, when and why."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(max_length=64)  # dotted: tenants.tenant.suspended
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    actor = models.CharField(max_length=254, help_text=_("operator email, 'system' or a command"))
    # what changed besides the status (branding fields, a domain, the purge date), as the audit log keeps it
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.from_status or '-'} -> {self.to_status}"

    @property
    def action_label(self) -> str:
        from tenants.labels import action_label

        return action_label(self.action)


class HandoffToken(models.Model):
    """A one-time, short-lived sign-in on a tenant's host, handed over from the platform host
    (after sign-up, or for support access). Only the SHA-256 of the token is stored."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        SUPPORT = "support", _("Support access")

    token_hash = models.CharField(max_length=64, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="handoff_tokens")
    user_email = models.EmailField()
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.purpose} {self.user_email} -> {self.tenant_id}"


class PooledSchema(models.Model):
    """A migrated, empty schema waiting to be claimed by a sign-up (renamed to the tenant's schema).

    `version` is the fingerprint of the tenant migrations it was built with; only schemas of the
    running code's fingerprint are claimed.
    """

    schema_name = models.CharField(max_length=63, unique=True)
    version = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.schema_name


class TenantBackup(models.Model):
    """One backup archive of a tenant (tenants.backups): where it is in the backups storage and what it holds.

    The tenant may be purged later: its archives stay, named by the schema and subdomain they were made of."""

    tenant = models.ForeignKey(Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="backups")
    schema_name = models.CharField(max_length=63)
    slug = models.CharField(max_length=63)
    storage_name = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    version = models.CharField(max_length=64)  # the tenant-migration fingerprint of the schema backed up
    scheduled = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)  # rows per table, file count
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="tenant_backup_newest")]

    def __str__(self) -> str:
        return self.storage_name


class DataExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class TenantDataExport(models.Model):
    """A brand's export of its whole workspace (every business table as CSV or XLSX, plus its files, in a zip),
    asked for in the console by an owner or administrator and downloaded only by them."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="data_exports")
    requested_by_id = models.BigIntegerField()  # a user of the tenant's schema
    requested_by_email = models.EmailField()
    fmt = models.CharField(max_length=4)  # csv, xlsx
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=8, choices=DataExportStatus.choices, default=DataExportStatus.QUEUED)
    error = models.TextField(blank=True)
    storage_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.tenant_id}"

    @property
    def download_name(self) -> str:
        return f"workspace-export-{self.created_at:%Y%m%d-%H%M}-{self.pk}.zip"


class SchemaMigration(models.Model):
    """Where one schema stands in the fleet migration (`platform_migrate`, tenants.fleet): one row per schema.

    The truth is each schema's own `django_migrations`; this row is the record of the last run that looked at it:
    `pending` (queued, or the run stopped before reaching it), `done` (every migration of the code applied;
    `version` is the fingerprint of that set) or `failed` (`error` says which migration and why).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    schema_name = models.CharField(max_length=63, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    version = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    run_id = models.CharField(max_length=32, blank=True)
    applied = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["schema_name"]

    def __str__(self) -> str:
        return f"{self.schema_name}: {self.status}"


class TemplateScript(models.Model):
    """The template schema's DDL for one version of the tenant migrations (tenants.template_copy): made once per
    release, run under a new name for every copy of the template."""

    version = models.CharField(max_length=64, unique=True)
    ddl = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.version
