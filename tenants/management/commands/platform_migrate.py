from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import tenant_pool_fill, tenant_template_migrate


class Command(BaseCommand):
    help = (
        "Migrate everything, in order: the public schema, the tenant template, every tenant schema, "
        "then refresh the warm pool. Safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--executor", default="standard", choices=["standard", "multiprocessing"])
        parser.add_argument("--no-pool", action="store_true", help="do not refill the warm pool")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        version = tenant_template_migrate(verbosity=verbosity)
        self.stdout.write(f"template schema at version {version}")
        call_command(
            "migrate_schemas",
            tenant=True,
            interactive=False,
            verbosity=verbosity,
            executor=options["executor"],
        )
        if not options["no_pool"]:
            added = tenant_pool_fill()
            self.stdout.write(f"warm pool: {added} schemas added")
