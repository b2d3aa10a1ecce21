import time

from django.conf import settings

from tenants.management.commands._base import TenantCommand
from tenants.services import PROVISION_METHODS, Owner, tenant_host, tenant_provision


class Command(TenantCommand):
    help = "Provision a brand group's tenant (schema, host, owner account)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--name", required=True, help="company name")
        parser.add_argument("--owner-email")
        parser.add_argument("--owner-password")
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--locale", default="zh-hans")
        parser.add_argument("--currency", default="CNY")
        parser.add_argument("--method", default="auto", choices=PROVISION_METHODS)

    def handle(self, *args, **options):
        owner = None
        if options["owner_email"]:
            owner = Owner(
                email=options["owner_email"],
                password=options["owner_password"] or "",
                full_name=options["owner_name"],
            )
        started = time.perf_counter()
        tenant = tenant_provision(
            actor=options["actor"],
            name=options["name"],
            slug=options["slug"],
            owner=owner,
            locale=options["locale"],
            currency=options["currency"],
            method=options["method"],
        )
        ms = (time.perf_counter() - started) * 1000
        self.stdout.write(
            f"{tenant.slug}: {settings.PLATFORM_SCHEME}://{tenant_host(tenant.slug)}"
            f"{':' + settings.PLATFORM_DOMAIN.partition(':')[2] if ':' in settings.PLATFORM_DOMAIN else ''}"
            f" (schema {tenant.schema_name}, {tenant.provisioned_by}, {ms:.0f} ms)"
        )
