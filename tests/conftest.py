"""Fixtures: the test database with two tenants, made once per session; every test rolls back.

Tenant A is "acme", tenant B is "globex", so isolation is checked as a matter of course.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager, suppress
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases
from django.utils import translation
from django_tenants.utils import tenant_context

from billing_saas.limits import plans_forget
from billing_saas.models import Plan
from tenants import services as tenant_services
from tenants.models import Tenant
from tenants.selectors import routing_forget
from tests.factories import DEFAULT_PASSWORD

OWNERS = {"acme": "owner@acme.test", "globex": "owner@globex.test"}


_PREPARATION = pytest.StashKey[dict]()


def _xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _xdist_controller(config) -> bool:
    return (not _xdist_worker(config) and config.pluginmanager.hasplugin("xdist")
            and bool(config.getoption("numprocesses", None)) and config.getoption("dist", "no") != "no")


def _browser_tests_asked(config) -> bool:
    """Whether the run's arguments reach tests/e2e (the controller decides before any worker collects)."""
    e2e = (config.rootpath / "tests" / "e2e").resolve()
    paths = [(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args] or [e2e]
    return any(path == e2e or e2e.is_relative_to(path) or path.is_relative_to(e2e) for path in paths)


# The groups that take longest (seconds in a full run, --durations), handed out first in this order: a worker that
# finishes early then takes the many short groups, and no long group is left for the end while the other worker
# idles. xdist would order the groups by their number of tests, which put the API fuzz run (one test) last.
LONGEST_FIRST = (
    "tests/platform/test_api_fuzz.py",  # ~45 s since its cases are drawn once per host (was 85 s)
    "tests/crawl/test_crawl.py",  # 75 s
    "browser",  # tests/e2e, ~130 s, after the two above: its platform is being prepared meanwhile
    "tests/demo/test_seed.py",  # 38 s
    "tests/tenants/test_workspace_defaults.py",  # 30 s
    "tests/onboarding/test_signup.py",  # 25 s
)


def pytest_configure(config):
    """`make test` runs on both cores (pytest-xdist, `--dist loadgroup`). The browser tests' platform (~45 s to
    migrate and seed) is started here by the controller, beside the tests, and handed to the workers."""
    if _xdist_controller(config):
        config.option.loadscopereorder = False  # the workers' collection order is the order (LONGEST_FIRST)
    elif _xdist_worker(config) and getattr(config.option, "loadgroup", False):
        config.pluginmanager.register(_LongestFirst(), "longest-first")
    if _xdist_controller(config) and _browser_tests_asked(config):
        from tests.e2e.conftest import preparation_drop, prepare_in_background

        config.stash[_PREPARATION] = prepare_in_background().as_dict()
        config.add_cleanup(preparation_drop)
    elif _xdist_worker(config) and config.workerinput.get("e2e_preparation"):
        from tests.e2e.conftest import preparation_adopt

        preparation_adopt(config.workerinput["e2e_preparation"])


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist (controller): each worker learns of the browser platform being prepared."""
    if _PREPARATION in node.config.stash:
        node.workerinput["e2e_preparation"] = node.config.stash[_PREPARATION]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under xdist, a module's tests run together on one worker (a world built once per module is built once) and
    the browser tests all on one worker (one live platform). Runs before xdist's own hook, which names the group
    in the test's id ("<id>@<group>") for the scheduler (pytest 9 moved the id where xdist 3.8 cannot write it:
    hence pytest < 9 in pyproject)."""
    if not (_xdist_worker(config) and getattr(config.option, "loadgroup", False)):  # a worker's dist is "no"
        return
    for item in items:
        group = "browser" if "/tests/e2e/" in str(item.path) else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


class _LongestFirst:
    """The order xdist hands the groups out in: the workers' collection order, once every other plugin has ordered
    the tests (pytest-django puts the tests using the database first)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        groups: dict[str, list] = {}
        for item in items:
            groups.setdefault(item.get_closest_marker("xdist_group").args[0], []).append(item)
        # the longest groups first, then the others by their number of tests (as xdist orders them), each in its
        # own order
        rank = {group: index for index, group in enumerate(LONGEST_FIRST)}
        ordered = sorted(groups.items(), key=lambda pair: (rank.get(pair[0], len(rank)), -len(pair[1])))
        items[:] = [item for _group, members in ordered for item in members]


def pytest_collection_finish(session):
    """Browser tests need a platform of their own, migrated and seeded (~45 s): without xdist, start preparing it
    now, beside the tests that run before them."""
    if _xdist_worker(session.config) or _xdist_controller(session.config):
        return
    if any("/tests/e2e/" in str(item.path) for item in session.items):
        from tests.e2e.conftest import preparation_drop, prepare_in_background

        prepare_in_background()
        session.config.add_cleanup(preparation_drop)


_EXECUTOR = mock.patch.dict(os.environ, {"EXECUTOR": "fleet"})


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Before the test database is made: Django's `migrate` (django-tenants' migrate_schemas) migrates its public
    schema by the fleet's path (tenants/fleet_executor.py), as platform_migrate migrates a new database, so that
    the template schema (django_db_setup) reuses the plan and the states rendered for it (~20 s a worker)."""
    _EXECUTOR.start()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate the template schema once, then clone the two test tenants from it. pytest-django makes the test
    database only for the tests that ask for `db`; when a run holds none (tests/promotions/test_concurrency.py
    alone, whose tests commit for real), it is made here, so that nothing ever runs on the development one."""
    made = None
    with django_db_blocker.unblock():
        try:
            if not connection.settings_dict["NAME"].startswith("test_"):
                made = setup_databases(verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS})
        finally:
            with suppress(RuntimeError):  # not started when pytest-django's settings fixture was not used
                _EXECUTOR.stop()
        tenant_services.tenant_template_migrate()
        # as in the demo: acme a Chinese brand, globex an English one (its workspace defaults in English), both on
        # the demo's plan, whose features (the API by token, custom domains) the tests use; tests of a smaller plan
        # put the workspace on it (tests/billing/test_limits.py)
        growth = Plan.objects.get(code="growth")
        for slug, name, locale in (("acme", "Acme Beverage Group", "zh-hans"), ("globex", "Globex Tiles", "en")):
            tenant_services.tenant_provision(
                actor=None,
                name=name,
                slug=slug,
                locale=locale,
                method="clone",
                plan=growth,
                owner=tenant_services.Owner(email=OWNERS[slug], password=DEFAULT_PASSWORD),
            )
    # What the process holds from here on (the migrations' rendered states the fleet executor keeps, the apps'
    # modules...) stays alive until it ends: the garbage collector's full passes (automatic ones during the tests,
    # the five pytest makes at the end of a worker) no longer walk it again.
    gc.collect()
    gc.freeze()
    yield
    if made is not None:
        with django_db_blocker.unblock():
            teardown_databases(made, verbosity=0)


@contextmanager
def rolled_back(django_db_blocker):
    """A transaction around a whole module, rolled back at its end. Like TestCase's own atomic block, it lets
    the services open durable blocks inside; pytest-django runs each test (asking for `db`) in a savepoint on
    top of it, so a world built once for a module is seen afresh by every test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        outer._from_testcase = True
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()


@contextmanager
def building_in(slug: str):
    """Where a module-scoped fixture builds its world (inside `rolled_back`): tenant `slug`'s schema, in English, as
    a test's own fixtures run; yields the tenant and leaves the connection on the public schema.

    The deferred foreign keys of what was built are checked once here, as at the end of a test: else the checks
    still queued would run again at the end of every test (TestCase checks the constraints inside each test's
    savepoint, and rolling the savepoint back queues them again)."""
    tenant = Tenant.objects.get(slug=slug)
    with tenant_context(tenant), translation.override("en"):
        yield tenant
        connection.check_constraints()


def fresh(made):
    """A world built once for a module, its model instances read again from the database (in the current schema):
    each test starts from the rows, whatever an earlier test changed on the instances it was handed."""
    from django.db.models import Model

    values = made.values() if isinstance(made, dict) else vars(made).values()
    for value in values:
        if isinstance(value, Model) and value.pk is not None:
            value.refresh_from_db()
    return made


@pytest.fixture(autouse=True)
def _public_schema_and_english():
    """Tests read English messages unless they ask for zh-Hans; each ends on the public schema, with no routing
    kept from rows its transaction rolled back."""
    from celery.result import _set_task_join_will_block

    # Celery keeps one process-wide "inside a worker" flag (a worker sets it; eager tasks set and restore it):
    # each test starts outside any task, whatever an earlier test in this process left behind.
    _set_task_join_will_block(False)
    with translation.override("en"):
        yield
    connection.set_schema_to_public()
    plans_forget()  # plans kept by the limit checks, maybe from rows the test's transaction rolled back
    routing_forget()


@pytest.fixture
def tenant_a(db) -> Tenant:
    return Tenant.objects.get(slug="acme")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return Tenant.objects.get(slug="globex")


def host_client(host: str, language: str = "en", **kwargs) -> Client:
    """A browser on `host`, asking for `language` (Accept-Language)."""
    return Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE=language, **kwargs)


@pytest.fixture
def client_a(tenant_a) -> Client:
    return host_client("acme.localhost")


@pytest.fixture
def client_b(tenant_b) -> Client:
    return host_client("globex.localhost")


@pytest.fixture
def public_client(db) -> Client:
    return host_client("localhost")


@pytest.fixture
def in_tenant():
    """Use as `with in_tenant(tenant): ...` to act in a tenant's schema, as its requests do (the connection
    knows the tenant: its currency, core.money.tenant_currency)."""

    def _in(tenant: Tenant):
        return tenant_context(tenant)

    return _in


@pytest.fixture
def operator(db):
    """Operator staff: a user of the public schema with is_staff."""
    from tenant_apps.accounts.services import user_create

    connection.set_schema_to_public()
    return user_create(actor=None, email="ops@platform.test", password=DEFAULT_PASSWORD, is_staff=True)


@pytest.fixture
def operator_client(operator, public_client) -> Client:
    response = public_client.post("/accounts/login/", {"username": operator.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return public_client


class _Queries(CaptureQueriesContext):
    """Counts from a cold routing cache: every request measured reads its host's domain, as on a new worker."""

    def __enter__(self):
        routing_forget()
        return super().__enter__()

    @property
    def sql(self) -> list[str]:
        """The statements run, without the bookkeeping a connection does once: django-tenants' `SET search_path`,
        and the PREPARE (DEALLOCATE) of a statement it runs for the first time (tenant_apps.core.prepared)."""
        return [q["sql"] for q in self.captured_queries
                if not q["sql"].startswith(("SET search_path", "PREPARE ", "DEALLOCATE "))]


@pytest.fixture
def count_queries():
    """`with count_queries() as q: ...; assert len(q.sql) == 1` (constant query counts, checked)."""
    return lambda: _Queries(connection)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT. django-tenants' storage caches the media root it
    derived from MEDIA_ROOT and does not drop it when the setting changes, so drop it here."""
    from django.core.files.storage import storages

    def forget():
        storages["default"].__dict__.pop("relative_media_root", None)

    settings.MEDIA_ROOT = str(tmp_path)
    forget()
    yield tmp_path
    forget()
