"""The operator's management commands call the lifecycle services and report errors clearly."""

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from tenants.models import PooledSchema, Tenant


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_provision_command_prints_the_url(db):
    out = _run("tenant_provision", "initech", "--name", "Initech", "--method", "clone")
    assert out.startswith("initech: http://initech.localhost (schema t_initech, clone, ")
    assert Tenant.objects.get(slug="initech").status == "active"


def test_provision_command_reports_field_errors(db):
    with pytest.raises(CommandError, match=r"slug: This subdomain is reserved\. \(.*\)?|reserved"):
        _run("tenant_provision", "admin", "--name", "X")
    assert not Tenant.objects.filter(slug="admin").exists()


def test_suspend_restore_delete_purge_commands(tenant_a):
    assert _run("tenant_suspend", "acme", "--reason", "unpaid").strip() == "acme: suspended"
    with pytest.raises(CommandError, match="illegal_transition"):
        _run("tenant_suspend", "acme", "--reason", "again")
    assert _run("tenant_restore", "acme", "--reason", "paid").strip() == "acme: active"
    assert _run("tenant_delete", "acme", "--reason", "closed").strip() == "acme: deleted"
    assert schema_exists("t_acme")
    assert (
        _run("tenant_purge", "acme", "--confirm", "acme").strip()
        == "acme: schema t_acme dropped, tenant removed"
    )
    assert not schema_exists("t_acme")


def test_command_on_unknown_tenant_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No workspace has the subdomain nope"):
        _run("tenant_suspend", "nope", "--reason", "x")


def test_pool_fill_command(db):
    # one schema is enough to show it fills up to the size and not beyond (each clone costs seconds)
    assert _run("tenant_pool_fill", "--size", "1").strip() == "pool: 1 added, 1 ready"
    assert _run("tenant_pool_fill", "--size", "1").strip() == "pool: 0 added, 1 ready"
    assert PooledSchema.objects.count() == 1
