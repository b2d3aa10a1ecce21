"""Tenant lifecycle services: provision (pool, clone, migrations), suspend, restore, delete, purge."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, schema_exists

from billing_saas.models import Plan
from tenant_apps.accounts.models import User
from tenants import schemas, services
from tenants.errors import IllegalTransition, ProvisioningFailed, SlugTaken, TenantInvalid
from tenants.models import Domain, PooledSchema, Tenant, TenantStatus, TenantStatusChange
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

OWNER = services.Owner(email="Boss@Initech.test", password=DEFAULT_PASSWORD, full_name="Bill")


def _counts():
    return Tenant.objects.count(), Domain.objects.count(), TenantStatusChange.objects.count()


def _sign_in(host, email, password):
    return host_client(host).post(
        "/api/v1/auth/login/", {"email": email, "password": password}, content_type="application/json"
    )


@pytest.mark.parametrize("method", ["pool", "clone"])  # "migrate": the fallback test below
def test_provision_makes_a_working_tenant_whose_owner_can_sign_in(db, method):
    if method == "pool":
        assert services.tenant_pool_fill(size=1) == 1
    tenant = services.tenant_provision(
        actor="test", name=" Initech 集团 ", slug="Initech", owner=OWNER, method=method
    )
    assert tenant.provisioned_by == method
    _assert_working(tenant)


def _assert_working(tenant):
    """Named, active, on its subdomain, at the code's migration version, its owner signs in."""
    assert (tenant.name, tenant.slug, tenant.schema_name) == ("Initech 集团", "initech", "t_initech")
    assert tenant.status == TenantStatus.ACTIVE
    assert list(tenant.domains.values_list("domain", "is_primary")) == [("initech.localhost", True)]
    assert schemas.schema_version("t_initech") == schemas.code_version()
    with schema_context("t_initech"):
        owner = User.objects.get()
        assert (owner.email, owner.is_owner) == ("boss@initech.test", True)
    # provisioned, and its trial started (the default plan's days)
    assert sorted(TenantStatusChange.objects.filter(tenant=tenant).values_list("action", flat=True)) == [
        "billing.subscription.started", "tenants.tenant.provisioned"]
    assert (tenant.subscription.state, tenant.subscription.plan.code, tenant.billing_state) == (
        "trialing", "starter", "")
    # the instance returned carries the trial billing mirrored on the row
    stored = Tenant.objects.get(pk=tenant.pk)
    assert tenant.plan_id == stored.plan_id == tenant.subscription.plan_id
    assert tenant.trial_ends_at == stored.trial_ends_at == tenant.subscription.trial_ends_at
    response = _sign_in("initech.localhost", "boss@initech.test", DEFAULT_PASSWORD)
    assert response.status_code == 200, response.content
    assert "key" in response.json()


def test_pool_claim_renames_a_ready_schema(db):
    services.tenant_pool_fill(size=2)
    pooled = list(PooledSchema.objects.values_list("schema_name", flat=True))
    assert len(pooled) == 2 and all(schema_exists(name) for name in pooled)
    services.tenant_provision(actor="test", name="Initech", slug="initech")
    assert schema_exists("t_initech")
    assert not schema_exists(pooled[0])  # the oldest was renamed, not copied
    assert list(PooledSchema.objects.values_list("schema_name", flat=True)) == pooled[1:]


def test_a_sign_up_from_the_pool_is_one_transaction_of_a_fixed_few_statements(db):
    # the sign-up path's budget (p50 < 20 ms, bench/provision.py): no savepoints, no lookup a constraint makes
    services.tenant_pool_fill(size=1)
    plan = Plan.objects.get(code="starter")  # the sign-up form's choice, read while it validates
    with CaptureQueriesContext(connection) as queries:
        tenant = services.tenant_provision(actor="test", name="Initech", slug="initech", owner=OWNER, plan=plan)
    assert tenant.provisioned_by == "pool"
    statements = [query["sql"] for query in queries.captured_queries]
    savepoints = [sql for sql in statements if "SAVEPOINT" in sql]
    assert len(savepoints) == 2  # the block's own, as the test's transaction encloses it; none nested inside
    assert len(statements) - len(savepoints) <= 17, "\n".join(statements)


def test_warming_the_pool_walks_a_sign_up_through_each_schema_and_keeps_nothing(db):
    """The refill warms the schemas it will hand out (their catalogue back in PostgreSQL's buffers) by walking a
    sign-up's writes through them and rolling back: no user, no audit entry, the headquarters still unnamed; the
    schema is claimed as before."""
    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.dealers.models import Node

    services.tenant_pool_fill(size=1)  # fills, then warms
    [name] = PooledSchema.objects.values_list("schema_name", flat=True)
    assert services.tenant_pool_warm() == 1
    with schema_context(name):
        assert (User.objects.count(), AuditEntry.objects.count()) == (0, 0)
        assert list(Node.objects.filter(kind="headquarters").values_list("name", flat=True)) == [""]
    tenant = services.tenant_provision(actor="test", name="Initech", slug="initech", owner=OWNER, method="pool")
    with schema_context(tenant.schema_name):
        assert list(User.objects.values_list("email", flat=True)) == ["boss@initech.test"]
        assert list(Node.objects.filter(kind="headquarters").values_list("name", flat=True)) == ["Initech"]


def test_a_pool_claim_onto_a_schema_that_exists_fails_and_leaves_the_pool_as_it_was(db):
    services.tenant_pool_fill(size=1)
    pooled = list(PooledSchema.objects.values_list("schema_name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA t_initech")  # left over: a purge that did not finish
    before = _counts()
    with pytest.raises(ProvisioningFailed, match="already exists"):
        services.tenant_provision(actor="test", name="Initech", slug="initech", owner=OWNER, method="pool")
    assert _counts() == before
    assert list(PooledSchema.objects.values_list("schema_name", flat=True)) == pooled
    assert schema_exists(pooled[0])


def test_pool_schemas_of_another_migration_state_are_never_claimed(db):
    services.tenant_pool_fill(size=1)
    PooledSchema.objects.update(version="an-older-migration-state")
    tenant = services.tenant_provision(actor="test", name="Initech", slug="initech")
    assert tenant.provisioned_by == "clone"
    # and the next refill replaces the stale schema
    stale = PooledSchema.objects.get().schema_name
    services.tenant_pool_fill(size=1)
    assert not schema_exists(stale)
    assert PooledSchema.objects.get().version == schemas.code_version()


def test_auto_falls_back_to_migrations_without_a_current_template(db):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tenant_template.django_migrations WHERE app = 'accounts'")
    with pytest.raises(ProvisioningFailed):
        services.tenant_provision(actor="test", name="Initech", slug="initech", method="clone")
    # with no current template, provisioning runs the migrations (the slow path: run once in the suite)
    tenant = services.tenant_provision(actor="test", name=" Initech 集团 ", slug="Initech", owner=OWNER)
    assert tenant.provisioned_by == "migrate"
    _assert_working(tenant)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"slug": "www"}, "slug"),
        ({"slug": "api"}, "slug"),
        ({"slug": "acme"}, "slug"),  # taken by tenant A
        ({"slug": "-bad-"}, "slug"),
        ({"slug": "ab"}, "slug"),
        ({"slug": "under_score"}, "slug"),
        ({"slug": "x" * 41}, "slug"),
        ({"name": "  "}, "name"),
        ({"locale": "fr"}, "locale"),
        ({"currency": "rmb"}, "currency"),
    ],
)
def test_bad_input_is_a_field_error_and_leaves_nothing_behind(db, kwargs, field):
    before = _counts()
    args = {"name": "Initech", "slug": "initech", **kwargs}
    with pytest.raises(TenantInvalid) as error:
        services.tenant_provision(actor="test", **args)
    assert field in error.value.fields
    assert error.value.status == 400
    assert _counts() == before
    assert not schema_exists("t_initech")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("boss@initech.test", "123", "owner_password"),
        ("boss@initech.test", "password123", "owner_password"),
        ("not-an-email", DEFAULT_PASSWORD, "owner_email"),
    ],
)
def test_bad_owner_is_a_field_error(db, email, password, field):
    before = _counts()
    with pytest.raises(TenantInvalid) as error:
        services.tenant_provision(
            actor="test", name="Initech", slug="initech", owner=services.Owner(email=email, password=password)
        )
    assert field in error.value.fields
    assert _counts() == before
    assert not schema_exists("t_initech")


def test_a_failure_after_the_schema_is_claimed_leaves_no_schema_and_no_rows(tenant_b):
    """Another tenant's custom domain already uses the new host: the insert fails after the claim."""
    services.tenant_pool_fill(size=1)
    pooled = PooledSchema.objects.get().schema_name
    Domain.objects.create(domain="initech.localhost", tenant=tenant_b, is_primary=False, kind="custom")
    before = _counts()
    with pytest.raises(SlugTaken):
        services.tenant_provision(actor="test", name="Initech", slug="initech", owner=OWNER)
    assert _counts() == before
    assert not schema_exists("t_initech")
    assert schema_exists(pooled)  # the claim was rolled back: the pool schema is still there
    assert PooledSchema.objects.get().schema_name == pooled


LEGAL = [
    ("active", services.tenant_suspend, "suspended"),
    ("suspended", services.tenant_restore, "active"),
    ("active", services.tenant_delete, "deleted"),
    ("suspended", services.tenant_delete, "deleted"),
    ("deleted", services.tenant_restore, "active"),
]
ILLEGAL = [
    ("active", services.tenant_restore),
    ("suspended", services.tenant_suspend),
    ("deleted", services.tenant_suspend),
    ("deleted", services.tenant_delete),
]


def _put_in(tenant, status):
    if status in ("suspended", "deleted"):
        services.tenant_suspend(actor="test", tenant=tenant, reason="setup")
    if status == "deleted":
        services.tenant_delete(actor="test", tenant=tenant, reason="setup")


@pytest.mark.parametrize(("start", "service", "end"), LEGAL)
def test_legal_transitions_change_status_and_record_history(tenant_a, start, service, end):
    _put_in(tenant_a, start)
    result = service(actor="ops@platform.test", tenant=tenant_a, reason="because")
    assert result.status == end
    change = TenantStatusChange.objects.filter(tenant=tenant_a).first()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        start,
        end,
        "ops@platform.test",
        "because",
    )


@pytest.mark.parametrize(("start", "service"), ILLEGAL)
def test_illegal_transitions_are_refused_with_409(tenant_a, start, service):
    _put_in(tenant_a, start)
    with pytest.raises(IllegalTransition) as error:
        service(actor="test", tenant=tenant_a, reason="because")
    assert error.value.status == 409
    assert Tenant.objects.get(pk=tenant_a.pk).status == start


def test_a_transition_needs_a_reason(tenant_a):
    with pytest.raises(TenantInvalid) as error:
        services.tenant_suspend(actor="test", tenant=tenant_a, reason=" ")
    assert "reason" in error.value.fields
    assert Tenant.objects.get(pk=tenant_a.pk).status == "active"


def test_delete_keeps_the_schema_and_purge_drops_it(tenant_a):
    with pytest.raises(IllegalTransition):
        services.tenant_purge(actor="test", tenant=tenant_a, confirm_slug="acme")
    services.tenant_delete(actor="test", tenant=tenant_a, reason="closed")
    assert schema_exists("t_acme")
    with pytest.raises(TenantInvalid):
        services.tenant_purge(actor="test", tenant=tenant_a, confirm_slug="acm")
    assert services.tenant_purge(actor="test", tenant=tenant_a, confirm_slug="acme") == "t_acme"
    assert not schema_exists("t_acme")
    assert not Tenant.objects.filter(slug="acme").exists()
    assert not Domain.objects.filter(domain="acme.localhost").exists()


def test_branding_update_validates_and_shows_on_the_host(tenant_a, client_a):
    with pytest.raises(TenantInvalid) as error:
        services.tenant_branding_update(actor="test", tenant=tenant_a, primary_colour="red")
    assert "primary_colour" in error.value.fields
    services.tenant_branding_update(
        actor="test", tenant=tenant_a, display_name="阿克米饮料", primary_colour="#D9282F"
    )
    page = client_a.get("/").content.decode()
    assert "阿克米饮料" in page
    assert "--brand: #D9282F" in page
