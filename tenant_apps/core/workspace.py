"""The brand whose schema the connection is on, read through django-tenants (`connection.tenant`,
`get_tenant_model()`): apps below the tenant lifecycle (`tenants`) read their brand here and never import it."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import get_tenant_model


def connection_tenant():
    """The routing's tenant on a request or under `tenant_context` (no query); under a bare `schema_context`, whose
    tenant is a stand-in, the row of its schema. No brand on the schema (public, template): the tenant model's
    DoesNotExist."""
    tenant = getattr(connection, "tenant", None)
    model = get_tenant_model()
    if isinstance(tenant, model):
        return tenant
    return model.objects.get(schema_name=connection.schema_name)
