from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tenants import fleet
from tenants.services import tenant_pool_fill, tenant_template_migrate


class Command(BaseCommand):
    help = (
        "Migrate everything, in order: the public schema, the tenant template, every tenant schema (in parallel, "
        "resumable: tenants.fleet), then refresh the warm pool. Safe to repeat; a run that stopped goes on where "
        "it stopped. Exits non-zero listing the schemas that failed (the others are migrated)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--executor", default="fleet", choices=["fleet", "standard", "multiprocessing"],
            help="fleet (default): tenants.fleet; standard / multiprocessing: django-tenants' migrate_schemas",
        )
        parser.add_argument("--workers", type=int, default=None,
                            help="parallel workers, one database connection each (default: CPUs, at most 4)")
        parser.add_argument("--progress-every", type=int, default=100,
                            help="without a terminal, a progress line every this many schemas")
        parser.add_argument("--no-pool", action="store_true", help="do not refill the warm pool")
        parser.add_argument("--lock-wait", type=float, default=30.0,
                            help="seconds to wait for another run's lock before giving up (default 30)")
        parser.add_argument("--schema", action="append", dest="schemas", metavar="NAME",
                            help="only this schema (repeat for more): neither public, the template nor the pool")

    def handle(self, *args, **options):
        try:
            with fleet.FleetLock(wait=options["lock_wait"]):
                self._all(options)
        except fleet.FleetBusy as exc:
            raise CommandError(str(exc)) from None

    def _all(self, options):
        verbosity = options["verbosity"]
        if options["schemas"]:
            self._fleet(options, only=options["schemas"])
            return
        self._public(options)
        version = tenant_template_migrate(verbosity=verbosity)
        if verbosity:
            self.stdout.write(f"template schema at version {version}")
        if options["executor"] == "fleet":
            self._fleet(options)
        else:
            call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity,
                         executor=options["executor"])
        if not options["no_pool"]:
            added = tenant_pool_fill()
            if verbosity:
                self.stdout.write(f"warm pool: {added} schemas added")

    def _public(self, options):
        """The public schema first: by the fleet's path when it can record its state or is new (its plan and states
        are then reused for the template and the tenants), else (an older database) by migrate_schemas."""
        public = fleet.fleet_status(["public"])["public"]
        if not public.missing:
            return
        if options["executor"] == "fleet" and (fleet.state_table_ready() or not public.has_table):
            outcome = fleet.schema_migrate_now("public")
            if not outcome.ok:
                raise CommandError(f"the public schema could not be migrated: {outcome.error}")
            return
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=options["verbosity"])

    def _fleet(self, options, only=None):
        report = fleet.fleet_migrate(workers=fleet.worker_count(options["workers"]), only=only,
                                     stdout=getattr(self.stdout, "_out", self.stdout),
                                     progress_every=options["progress_every"])
        if options["verbosity"] or report.failed:
            self.stdout.write(
                f"schemas: {report.total}, already current {report.current}, migrated {report.migrated}, "
                f"failed {len(report.failed)}, pool schemas migrated {report.pool_relisted} ({report.seconds:.1f} s, "
                f"run {report.run_id})"
            )
        if report.failed:
            for schema_name, error in sorted(report.failed.items()):
                self.stderr.write(f"FAILED {schema_name}: {error}")
            raise CommandError(f"{len(report.failed)} schema(s) failed to migrate; the others are migrated. "
                               "Fix the cause and run platform_migrate again.")
