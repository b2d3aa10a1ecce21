from __future__ import annotations

from tenants import schemas
from tenants.errors import TenantNotFound
from tenants.models import Domain, PooledSchema, Tenant


def domain_for_host(host: str) -> Domain | None:
    """The domain row (with its tenant) serving this host name, or None. One query."""
    return Domain.objects.select_related("tenant").filter(domain=host.lower()).first()


def tenant_get_by_slug(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=(slug or "").strip().lower()).first()
    if tenant is None:
        raise TenantNotFound(f"No tenant with subdomain {slug!r}.")
    return tenant


def pool_ready_count() -> int:
    return PooledSchema.objects.filter(version=schemas.code_version()).count()

