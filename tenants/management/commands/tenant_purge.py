from tenants.management.commands._base import TenantCommand
from tenants.services import tenant_purge


class Command(TenantCommand):
    help = "Drop a deleted tenant's schema for good (irreversible)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--confirm", required=True, help="repeat the subdomain to confirm")

    def handle(self, *args, **options):
        schema = tenant_purge(
            actor=options["actor"], tenant=self.tenant(options), confirm_slug=options["confirm"]
        )
        self.stdout.write(f"{options['slug']}: schema {schema} dropped, tenant removed")
