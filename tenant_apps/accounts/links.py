"""Where links in mail point: the brand's primary host on a brand's schema, the platform's on the public one.

The brand is the tenant row of the schema the connection is on (`core.workspace.connection_tenant`): accounts sits
below the tenant lifecycle (`tenants`) and does not import it. Never the request's Host header, which the client
chooses."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenant_apps.core.workspace import connection_tenant


def site_url(path: str = "") -> str:
    """`path` on the host links in mail point to (the brand's primary domain, or the platform's host)."""
    if connection.schema_name == get_public_schema_name():
        return f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{path}"
    return connection_tenant().primary_url(path)
