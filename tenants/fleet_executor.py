"""`migrate_schemas --executor fleet` (or EXECUTOR=fleet): django-tenants' command, each schema by the fleet's path
(tenants.fleet), so that schemas missing the same migrations share one plan and one set of project states.

A new database's public schema and the template miss the same migrations (all of them): migrated by the fleet's
path one after the other in one process, the states Django renders for every operation (most of the time a new
schema takes) are made once, not twice. Django's test runner creates the test database with `migrate` (django-tenants'
migrate_schemas), which the suite points here (tests/conftest.py); platform_migrate takes the fleet's path on its own.

Only a run that asks for everything (every app to its latest migration, applied for real) goes by the fleet: a
target, --fake, --fake-initial, --plan, --check or --prune goes by django-tenants' standard executor, as does a
project with an app that has models but no migrations (--run-syncdb creates those; the fleet does not).
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django_tenants.migration_executors.base import MigrationExecutor
from django_tenants.migration_executors.standard import StandardExecutor

from tenants import fleet

_NOT_PLAIN = ("app_label", "migration_name", "fake", "fake_initial", "plan", "check_unapplied", "prune")


class FleetExecutor(MigrationExecutor):
    codename = "fleet"

    def _plain(self) -> bool:
        from django.apps import apps
        from django.db.migrations.loader import MigrationLoader

        if self.args or any(self.options.get(name) for name in _NOT_PLAIN):
            return False
        unmigrated = MigrationLoader(None, ignore_no_migrations=True).unmigrated_apps
        return not any(next(iter(config.get_models()), None) is not None
                       for config in apps.get_app_configs() if config.label in unmigrated)

    def run_migrations(self, tenants=None):
        if not self._plain():
            return StandardExecutor(self.args, self.options).run_migrations(tenants)
        for schema_name in tenants or []:
            outcome = fleet.schema_migrate_now(schema_name)
            if not outcome.ok:
                raise CommandError(f"schema {schema_name} could not be migrated: {outcome.error}")
        return None

    def run_multi_type_migrations(self, tenants):
        return StandardExecutor(self.args, self.options).run_multi_type_migrations(tenants)
