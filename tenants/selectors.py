from __future__ import annotations

import time
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils.translation import gettext as _

from tenant_apps.core import prepared
from tenant_apps.core.rows import Columns
from tenants import schemas
from tenants.errors import TenantNotFound
from tenants.models import Domain, PooledSchema, Tenant, TenantStatusChange

# Host -> (read at, routing generation, the query's row). A row, not model instances: every request builds its own
# instances, so nothing a view does to request.tenant outlives the request.
_ROUTES: dict[str, tuple[float, int, tuple]] = {}
# Bumped in the shared cache by every change of a tenant or domain, so that other processes (workers) drop what
# they kept at once too: the page after saving the branding shows it, whichever worker serves it.
GENERATION_KEY = "tenants:routing:generation"


def _shared():
    """The platform's cache, shared by every process, with keys of its own (no tenant prefix)."""
    return caches["platform"]


def _generation() -> int:
    return _shared().get(GENERATION_KEY, 0)


@cache
def _route_shape() -> tuple[Columns, Columns, str]:
    domain, tenant = Columns(Domain, alias="d"), Columns(Tenant, alias="t")
    sql = (f"SELECT {domain.sql}, {tenant.sql} FROM {Domain._meta.db_table} d "  # noqa: S608 - model names
           f"JOIN {Tenant._meta.db_table} t ON t.id = d.tenant_id WHERE d.domain = %(host)s"
           # only an active row serves a host: pending or taken claims of other workspaces may share its name
           f" AND d.status = '{Domain.Status.ACTIVE.value}'")
    return domain, tenant, sql


def domain_for_host(host: str) -> Domain | None:
    """The domain row (with its tenant) serving this host name, or None. Called on every request: one prepared
    query, whose answer a worker keeps for TENANT_ROUTING_CACHE_MS (hosts that exist only; an unknown host is
    read every time). Every save of a tenant or a domain forgets what was kept (tenants.apps): in this process at
    once, in the others through the generation in the shared cache, so a suspension or new branding is seen on the
    next request whichever worker serves it."""
    host = host.lower()
    domain_cols, tenant_cols, sql = _route_shape()
    ttl = settings.TENANT_ROUTING_CACHE_MS / 1000
    now = time.monotonic()
    kept = _ROUTES.get(host)
    generation = _generation() if kept is not None else None
    if kept is not None and now - kept[0] < ttl and kept[1] == generation:
        row = kept[2]
    else:
        with connection.cursor() as cursor:
            prepared.execute(cursor, "domain_for_host", sql, {"host": host})
            row = cursor.fetchone()
        if row is None:
            return None
        if ttl > 0:
            _ROUTES[host] = (now, _generation() if generation is None else generation, row)
    domain = domain_cols.instance(row[:len(domain_cols)])
    domain.tenant = tenant_cols.instance(row[len(domain_cols):])
    return domain


def routing_forget(**_ignored) -> None:
    """Forget every host's routing kept by this process, and tell the other processes (a tenant or domain
    changed)."""
    _ROUTES.clear()
    try:
        _shared().incr(GENERATION_KEY)
    except ValueError:  # not in the cache yet (or evicted): any new value differs from what was kept
        _shared().set(GENERATION_KEY, int(time.time() * 1000), None)


def routing_forget_tenant_saved(*, created: bool = False, **_ignored) -> None:
    """A tenant was saved: forget the routing kept, unless the tenant is new (it has no domain yet, so no worker
    keeps a route to it: a sign-up skips the shared cache's write)."""
    if not created:
        routing_forget()


def tenant_get_by_slug(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=(slug or "").strip().lower()).first()
    if tenant is None:
        raise TenantNotFound(_("No workspace has the subdomain %(slug)s.") % {"slug": slug})
    return tenant


def pool_ready_count() -> int:
    return PooledSchema.objects.filter(version=schemas.code_version()).count()


def tenant_suspension(tenant: Tenant):
    """The status change that suspended the tenant (when, and the reason the operator gave), or None."""
    return (TenantStatusChange.objects.filter(tenant=tenant, action="tenants.tenant.suspended")
            .order_by("-id").first())


def tenant_storage_bytes() -> int:
    """The bytes of the files the connection's workspace stored (billing's meter of "storage_mb"): its media
    folder (product images, qualification files: the default storage is per schema) and its branding (the logo,
    under branding/<schema>/ of the shared storage)."""
    from django.core.files.storage import default_storage

    from tenant_apps.core.uploads import stored_bytes
    from tenants.models import branding_storage

    schema = connection.schema_name
    return stored_bytes(default_storage) + stored_bytes(branding_storage, f"branding/{schema}")


def workspace_exports_of(*, actor, tenant) -> list:
    """The workspace exports `actor` asked for (newest first, the last 20): nobody sees another's."""
    from tenants.models import TenantDataExport

    return list(TenantDataExport.objects.filter(tenant=tenant, requested_by_id=actor.pk)
                .order_by("-created_at", "-id")[:20])
