"""Where links in mail point: the brand's primary host on a brand's schema, the platform's on the public one.

The brand is the tenant row of the schema the connection is on, read through django-tenants
(`connection.tenant`, `get_tenant_model()`), as core.money reads its currency: accounts sits below the tenant
lifecycle (`tenants`) and does not import it. Never the request's Host header, which the client chooses."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name, get_tenant_model


def workspace():
    """The brand whose schema the connection is on: the routing's tenant on a request or under
    `tenant_context`, else (a bare `schema_context`, whose tenant is a stand-in) its row."""
    tenant = getattr(connection, "tenant", None)
    model = get_tenant_model()
    if isinstance(tenant, model):
        return tenant
    return model.objects.get(schema_name=connection.schema_name)


def site_url(path: str = "") -> str:
    """`path` on the host links in mail point to (the brand's primary domain, or the platform's host)."""
    if connection.schema_name == get_public_schema_name():
        return f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{path}"
    return workspace().primary_url(path)
