"""Tenant lifecycle: provision, suspend, restore, delete, purge; the template schema and warm pool.

Provisioning never runs migrations when it can avoid it. In order of preference:
  pool   claim a ready schema from the warm pool and rename it (a few milliseconds);
  clone  copy the migrated template schema (under a second);
  migrate  create the schema and run the migrations (seconds; the last fallback).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, ProgrammingError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from billing_saas import services as billing_services
from billing_saas.usage import storage_check
from dms.database.base import all_or_nothing
from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.permissions import Role
from tenant_apps.core import uploads
from tenants import fleet, schemas, template_copy, workspace
from tenants.errors import IllegalTransition, ProvisioningFailed, SlugTaken, TenantInvalid
from tenants.history import actor_label as _actor_label
from tenants.history import tenant_history_record
from tenants.models import Domain, PooledSchema, Tenant, TenantStatus, tenant_host, tenant_url

logger = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
RESERVED_SLUGS = frozenset(
    """www api admin static media assets cdn app apps mail email smtp imap pop ftp ns ns1 ns2 dns
    platform operator operators console status health help support docs blog billing pay payment
    auth login logout signup register account accounts dashboard public template pool test staging
    dev prod production internal system root""".split()
)
LOCALES = {"zh-hans", "en"}
CURRENCY = re.compile(r"^[A-Z]{3}$")
PROVISION_METHODS = ("auto", "pool", "clone", "migrate")

# Legal status transitions: (from, to) -> audit action.
TRANSITIONS = {
    (TenantStatus.ACTIVE, TenantStatus.SUSPENDED): "tenants.tenant.suspended",
    (TenantStatus.SUSPENDED, TenantStatus.ACTIVE): "tenants.tenant.restored",
    (TenantStatus.DELETED, TenantStatus.ACTIVE): "tenants.tenant.restored",
    (TenantStatus.ACTIVE, TenantStatus.DELETED): "tenants.tenant.deleted",
    (TenantStatus.SUSPENDED, TenantStatus.DELETED): "tenants.tenant.deleted",
}


@dataclass(frozen=True)
class Owner:
    """The brand group's first user. Give `password` (validated and hashed here), or `password_hash`
    when the caller has hashed it already (the sign-up form hashes while it validates)."""

    email: str
    password: str = ""
    full_name: str = ""
    password_hash: str = ""


def slug_errors(slug: str, *, taken: bool = True) -> list[str]:
    """Why a subdomain cannot be used (empty list: it can). Shared with onboarding's live check. `taken=False`
    skips the query for another tenant's use of it (the caller's insert is the check)."""
    if not SLUG.match(slug or ""):
        return [
            _("Use 3 to 40 lowercase letters, digits or hyphens, starting and ending with a letter or digit.")
        ]
    if slug in RESERVED_SLUGS or slug.startswith(("xn--", "pool-", "t-")):
        return [_("This subdomain is reserved.")]
    if taken and Tenant.objects.filter(slug=slug).exists():
        return [_slug_taken()]
    return []


def _slug_taken() -> str:
    return _("This subdomain is already taken.")


def provision_field_errors(
    *, name: str, slug: str, locale: str, currency: str, owner: Owner | None, method: str = "auto",
    taken: bool = True,
) -> dict[str, list[str]]:
    """Every reason these provisioning arguments would be refused, by field (no writes). `taken=False`: without
    the query for a subdomain taken (slug_errors)."""
    errors: dict[str, list[str]] = {}
    if owner is not None:
        errors.update(
            account_services.user_field_errors(
                email=owner.email,
                password=owner.password,
                full_name=owner.full_name,
                check_password=not owner.password_hash,
                prefix="owner_",
            )
        )
    if not name.strip():
        errors["name"] = [_("Enter the company name.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most 200 characters.")]
    if locale not in LOCALES:
        errors["locale"] = [_("Choose zh-hans or en.")]
    if not CURRENCY.match(currency):
        errors["currency"] = [_("Use a three-letter ISO currency code such as CNY.")]
    if method not in PROVISION_METHODS:
        errors["method"] = [_("Unknown provisioning method.")]
    slug_problems = slug_errors(slug, taken=taken)
    if slug_problems:
        errors["slug"] = slug_problems
    return errors


def _pool_claim(schema_name: str) -> bool:
    """Rename a ready pool schema to `schema_name`. Must run inside the provisioning transaction: the oldest entry
    of the running code's version is taken off the pool (skipping those other sign-ups hold) and its schema renamed,
    or neither."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {PooledSchema._meta.db_table} WHERE id = (SELECT id FROM {PooledSchema._meta.db_table} "  # noqa: S608 - the model's table
            "WHERE version = %s ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING schema_name",
            [schemas.code_version()])
        taken = cursor.fetchone()
    if taken is None:
        return False
    try:  # a schema of that name fails the rename (checked here rather than by a query first)
        schemas.rename(taken[0], schema_name)
    except ProgrammingError as error:
        if getattr(error.__cause__, "pgcode", None) == DUPLICATE_SCHEMA:
            raise _schema_exists() from None
        raise
    return True


DUPLICATE_SCHEMA = "42P06"


def _schema_exists() -> ProvisioningFailed:
    return ProvisioningFailed(_("A schema for this subdomain already exists; ask the operator to purge it."))


def _template_is_current() -> bool:
    return schemas.schema_version(schemas.template_name()) == schemas.code_version()


def tenant_provision(
    *,
    actor,
    name: str,
    slug: str,
    owner: Owner | None = None,
    locale: str = "zh-hans",
    currency: str = "CNY",
    method: str = "auto",
    plan=None,
) -> Tenant:
    """Create a brand group's tenant: schema, tenant and domain rows, its owner and the workspace's defaults
    (tenants.workspace), all or nothing: one transaction, without savepoints (the sign-up path: p50 < 20 ms
    from the warm pool, bench/provision.py)."""
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    # a subdomain taken is found by the inserts (the schema's rename, the unique slug) and told apart on failure
    errors = provision_field_errors(name=name, slug=slug, locale=locale, currency=currency, owner=owner, method=method,
                                    taken=False)
    if errors:
        raise TenantInvalid(_("The workspace could not be created."), fields=errors)
    schema_name = schemas.tenant_schema_name(slug)
    connection.set_schema_to_public()
    try:
        with all_or_nothing():
            used = _acquire_schema(schema_name, method=method)
            fleet.schema_record_current(schema_name)
            tenant = Tenant.objects.create(
                name=name,
                slug=slug,
                schema_name=schema_name,
                default_locale=locale,
                default_currency=currency,
                status_changed_at=timezone.now(),
                provisioned_by=used,
            )
            # the tenant's first domain, so primary without Domain.save's demotion of others (one UPDATE less)
            Domain.objects.bulk_create([Domain(domain=tenant_host(slug), tenant=tenant, is_primary=True)])
            # how: Tenant.provisioned_by
            tenant_history_record(actor=actor, tenant=tenant, action="tenants.tenant.provisioned",
                                  from_status="")
            # the trial of the plan chosen (or the default one); billing mirrors plan and trial end on the row, and
            # on this instance (tenants.billing.subscription_mirror)
            billing_services.subscription_start(actor=actor, tenant=tenant, plan=plan, currency=currency)
            with schema_context(schema_name):
                if owner is not None:
                    account_services.user_create(
                        actor=None,
                        email=owner.email,
                        password=owner.password,
                        full_name=owner.full_name,
                        password_hash=owner.password_hash,
                        role=Role.OWNER,
                        preferred_language=locale,
                    )
                workspace.workspace_defaults_ensure(actor=None, tenant=tenant)
            transaction.on_commit(schedule_pool_refill)
    except (IntegrityError, ProvisioningFailed) as error:  # rolled back: nothing was kept
        connection.set_schema_to_public()
        if Tenant.objects.filter(slug=slug).exists():  # another workspace has this subdomain
            raise TenantInvalid(_("The workspace could not be created."), fields={"slug": [_slug_taken()]}) from None
        if isinstance(error, ProvisioningFailed):
            raise
        # its host is another's (a custom domain), or a concurrent sign-up took it between the checks and the insert
        raise SlugTaken(_slug_taken(), fields={"slug": [_slug_taken()]}) from None
    finally:
        connection.set_schema_to_public()
    logger.info("tenant provisioned", extra={"schema": schema_name, "method": used})
    return tenant


def _acquire_schema(schema_name: str, *, method: str) -> str:
    if method in ("auto", "pool") and _pool_claim(schema_name):
        return "pool"
    if schemas.exists(schema_name):
        raise _schema_exists()
    if method == "pool":
        raise ProvisioningFailed(_("No ready schema in the pool."))
    if method in ("auto", "clone") and _template_is_current():
        schemas.clone_template(schema_name)
        return "clone"
    if method == "clone":
        raise ProvisioningFailed(_("The template schema is missing or not migrated."))
    if method == "auto":
        logger.warning(
            "provisioning by migrations: pool empty and template not current", extra={"schema": schema_name}
        )
    schemas.create_by_migrations(schema_name)
    return "migrate"


def _transition(*, actor, tenant: Tenant, to: TenantStatus, reason: str) -> Tenant:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        action = TRANSITIONS.get((locked.status, to))
        if action is None:
            raise IllegalTransition(
                _("A %(from)s tenant cannot become %(to)s.") % {"from": locked.status, "to": to}
            )
        if not (reason or "").strip():
            raise TenantInvalid(_("Give a reason."), fields={"reason": [_("This field is required.")]})
        previous = locked.status
        locked.status = to
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        tenant_history_record(actor=actor, tenant=locked, action=action, from_status=previous, to_status=to,
                              reason=reason.strip())
    logger.info(action, extra={"schema": locked.schema_name, "actor": _actor_label(actor)})
    return locked


def tenant_suspend(*, actor, tenant: Tenant, reason: str) -> Tenant:
    return _transition(actor=actor, tenant=tenant, to=TenantStatus.SUSPENDED, reason=reason)


def tenant_restore(*, actor, tenant: Tenant, reason: str) -> Tenant:
    return _transition(actor=actor, tenant=tenant, to=TenantStatus.ACTIVE, reason=reason)


def tenant_delete(*, actor, tenant: Tenant, reason: str) -> Tenant:
    """Close the workspace: its hosts stop serving; the schema and data stay until a purge."""
    return _transition(actor=actor, tenant=tenant, to=TenantStatus.DELETED, reason=reason)


def tenant_purge(*, actor, tenant: Tenant, confirm_slug: str) -> str:
    """Drop a deleted tenant's schema and rows for good, freeing its subdomain. Returns the schema name.

    Irreversible. Only a tenant already in `deleted` can be purged, and the operator must type its
    subdomain again.
    """
    if confirm_slug != tenant.slug:
        raise TenantInvalid(
            _("Type the subdomain to confirm."), fields={"confirm_slug": [_("Does not match.")]}
        )
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.status != TenantStatus.DELETED:
            raise IllegalTransition(_("Only a deleted tenant can be purged."))
        schemas.drop(locked.schema_name)
        fleet.schema_record_forget(locked.schema_name)
        locked.delete()
    logger.info("tenants.tenant.purged", extra={"schema": locked.schema_name, "actor": _actor_label(actor)})
    return locked.schema_name


def tenant_branding_update(
    *,
    actor,
    tenant: Tenant,
    display_name: str | None = None,
    primary_colour: str | None = None,
    default_locale: str | None = None,
    logo=None,
) -> Tenant:
    """Change how the brand's hosts look. Fields left as None are unchanged."""
    errors: dict[str, list[str]] = {}
    if primary_colour is not None and not re.match(r"^#[0-9A-Fa-f]{6}$", primary_colour):
        errors["primary_colour"] = [_("Use a colour such as #1F6FEB.")]
    if default_locale is not None and default_locale not in LOCALES:
        errors["default_locale"] = [_("Choose zh-hans or en.")]
    if display_name is not None and len(display_name) > 200:
        errors["display_name"] = [_("Use at most 200 characters.")]
    if logo is not None:
        try:  # free when the form checked it already
            logo = uploads.image_checked(logo, max_bytes=uploads.LOGO_MAX_BYTES)
        except uploads.UploadRefused as refused:
            errors["logo"] = [refused.message]
    if errors:
        raise TenantInvalid(_("The branding could not be saved."), fields=errors)
    if logo is not None:
        with tenant_context(tenant):  # the tenant's plan and files, whichever schema the caller is on
            storage_check(adding_bytes=logo.size)
    changes = {
        k: v
        for k, v in {
            "display_name": display_name,
            "primary_colour": primary_colour,
            "default_locale": default_locale,
        }.items()
        if v is not None
    }
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = {field: getattr(locked, field) for field in changes}
        if logo is not None:
            before["logo"] = locked.logo.name
        for field, value in changes.items():
            setattr(locked, field, value)
        if logo is not None:
            locked.logo.save(logo.name, logo, save=False)
            changes["logo"] = locked.logo.name
        locked.branding_saved_at = timezone.now()
        locked.save(update_fields=[*changes, "branding_saved_at", "updated_at"])
        tenant_history_record(actor=actor, tenant=locked, action="tenants.tenant.branding_updated",
                              before=before, after=changes)
    logger.info(
        "tenants.tenant.branding_updated", extra={"schema": locked.schema_name, "actor": _actor_label(actor)}
    )
    return locked


def tenant_purge_schedule(*, actor, tenant: Tenant, purge_after) -> Tenant:
    """Set (or clear, with None) when a deleted tenant's schema is purged by the daily task."""
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if purge_after is not None and locked.status != TenantStatus.DELETED:
            raise IllegalTransition(_("Only a deleted tenant can be scheduled for purging."))
        before = locked.purge_after
        locked.purge_after = purge_after
        locked.save(update_fields=["purge_after", "updated_at"])
        if before != purge_after:
            tenant_history_record(
                actor=actor, tenant=locked, action="tenants.tenant.purge_scheduled",
                before={"purge_after": before.isoformat() if before else None},
                after={"purge_after": purge_after.isoformat() if purge_after else None})
    return locked


def tenant_support_grant(*, actor, tenant: Tenant, minutes: int) -> Tenant:
    """Open time-limited support access: operator staff may enter; the tenant sees a banner."""
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.status != TenantStatus.ACTIVE:
            raise IllegalTransition(_("Support access is only for active workspaces."))
        locked.support_until = timezone.now() + timedelta(minutes=minutes)
        locked.support_operator = _actor_label(actor)
        locked.save(update_fields=["support_until", "support_operator", "updated_at"])
        tenant_history_record(actor=actor, tenant=locked, action="tenants.tenant.support_granted",
                              reason=f"{minutes} minutes",
                              after={"support_until": locked.support_until.isoformat()})
    return locked


def tenant_support_end(*, actor, tenant: Tenant) -> Tenant:
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = locked.support_until
        locked.support_until = None
        locked.save(update_fields=["support_until", "updated_at"])
        tenant_history_record(actor=actor, tenant=locked, action="tenants.tenant.support_ended",
                              before={"support_until": before.isoformat() if before else None})
    return locked


def tenant_support_enter(*, actor, tenant: Tenant) -> str:
    """A one-time sign-in URL into the tenant's host as platform support, while access is open."""
    from tenants.handoff import handoff_issue

    if tenant.status != TenantStatus.ACTIVE or not tenant.support_until or tenant.support_until <= timezone.now():
        raise IllegalTransition(_("Support access to this workspace is not open."))
    email = _actor_label(actor)
    with transaction.atomic():
        with schema_context(tenant.schema_name):
            account_services.user_ensure_support(email=email)
        token = handoff_issue(tenant=tenant, user_email=email, purpose="support",
                              ttl=settings.HANDOFF_TTL_SECONDS)
        tenant_history_record(actor=actor, tenant=tenant, action="tenants.tenant.support_entered")
    return tenant_url(tenant.slug, f"/accounts/handoff/{token}/")


def tenant_export(*, schema_name: str) -> str:
    """Before a deleted tenant's schema is purged: a backup of it (schema, public rows and files: tenants.backups,
    restorable into a new tenant by `tenant_backup_restore`), kept in the backups storage after the purge. Recorded
    on the tenant's history; returns the archive's name in that storage."""
    from tenants.services_backup import tenant_backup

    tenant = Tenant.objects.get(schema_name=schema_name)
    backup = tenant_backup(actor="system", tenant=tenant)
    tenant_history_record(actor="system", tenant=tenant, action="tenants.tenant.exported",
                          reason=backup.storage_name)
    return backup.storage_name


def tenants_purge_due(*, now=None) -> list[str]:
    """Purge deleted tenants whose grace period is over and whose data export exists."""
    now = now or timezone.now()
    purged = []
    for tenant in Tenant.objects.filter(status=TenantStatus.DELETED, purge_after__lte=now):
        if not tenant.status_changes.filter(action="tenants.tenant.exported").exists():
            tenant_export(schema_name=tenant.schema_name)
        purged.append(tenant_purge(actor="system", tenant=tenant, confirm_slug=tenant.slug))
    return purged


# --- template and pool ----------------------------------------------------------------------------


def tenant_template_migrate(*, verbosity: int = 0) -> str:
    """Create or migrate the template schema (by the fleet's path: tenants.fleet); return its version
    fingerprint."""
    connection.set_schema_to_public()
    outcome = fleet.schema_migrate_now(schemas.template_name())
    if not outcome.ok:
        raise RuntimeError(f"the template schema could not be migrated: {outcome.error}")  # operators only
    # What every workspace starts with: cloned with the template, so sign-up only names it for the brand.
    workspace.template_defaults_ensure(schema_name=schemas.template_name())
    connection.set_schema_to_public()
    version = schemas.schema_version(schemas.template_name())
    template_copy.script(version)  # its DDL, dumped once per version (the rows are copied from the template itself)
    return version


def tenant_pool_fill(*, size: int | None = None) -> int:
    """Bring the warm pool to `size` schemas of the current version; drop stale ones. Returns added."""
    size = settings.TENANT_POOL_SIZE if size is None else size
    connection.set_schema_to_public()
    version = schemas.code_version()
    if not _template_is_current():
        logger.warning("pool not refilled: template schema is not current; run platform_migrate")
        return 0
    for stale in PooledSchema.objects.exclude(version=version):
        with transaction.atomic():
            locked = PooledSchema.objects.select_for_update(skip_locked=True).filter(pk=stale.pk).first()
            if locked is not None:
                schemas.drop(locked.schema_name)
                locked.delete()
    added = 0
    while PooledSchema.objects.filter(version=version).count() < size:
        name = schemas.new_pool_schema_name()
        with transaction.atomic():
            schemas.clone_template(name)
            PooledSchema.objects.create(schema_name=name, version=version)
        added += 1
    tenant_pool_warm()
    return added


class _Walked(Exception):
    """Raised to roll a pool schema's warming back."""


def tenant_pool_warm(*, count: int | None = None) -> int:
    """Walk a sign-up's writes through the schemas the pool will hand out next (every one, or the oldest `count`) and
    roll them back: their catalogue rows (tables, columns, indexes, constraints, triggers, foreign-key checks) are
    read back into PostgreSQL's shared buffers, where the claiming web worker then finds them. At a million
    relations a claim of a schema made minutes before took ~15 ms, of one whose catalogue had left the buffers ~30 ms
    (docs/dev/scale-out.md). Nothing is kept (the rows, the audit entries: rolled back); a schema being claimed
    (its pool row locked) is passed over. Run after every refill (the beat's, each minute, and after each claim).
    Returns the schemas walked."""
    rows = PooledSchema.objects.filter(version=schemas.code_version()).order_by("id").values_list(
        "pk", "schema_name")
    walked = 0
    for pk, name in rows[:count] if count is not None else rows:
        stand_in = Tenant(name="pool", slug="pool", schema_name=name, default_locale=workspace.TEMPLATE_LOCALE,
                          default_currency=workspace.TEMPLATE_CURRENCY)
        try:
            with transaction.atomic():
                if not PooledSchema.objects.select_for_update(skip_locked=True).filter(pk=pk).exists():
                    continue  # being claimed now
                with schema_context(name):
                    account_services.user_create(actor=None, email="warm@pool.invalid", password="",
                                                 password_hash=make_password(None), role=Role.OWNER,
                                                 preferred_language=workspace.TEMPLATE_LOCALE)
                    workspace.workspace_defaults_ensure(actor=None, tenant=stand_in)
                raise _Walked
        except _Walked:
            walked += 1
        except Exception:  # a schema claimed or dropped meanwhile: nothing to warm
            logger.debug("pool schema %s not warmed", name, exc_info=True)
        finally:
            connection.set_schema_to_public()
    return walked


_refill_lock = threading.Lock()


def _refill_in_thread() -> None:
    if not _refill_lock.acquire(blocking=False):
        return  # a refill is already running in this process
    try:
        tenant_pool_fill()
    except Exception:
        logger.exception("pool refill failed")
    finally:
        _refill_lock.release()
        close_old_connections()
        connection.close()


def schedule_pool_refill() -> None:
    """After a claim: refill the pool off the request path (Celery, or a thread without a broker)."""
    if settings.TENANT_POOL_REFILL != "background":
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        threading.Thread(target=_refill_in_thread, name="tenant-pool-refill", daemon=True).start()
    else:
        from tenants.tasks import tenant_pool_refill

        tenant_pool_refill.delay()
