from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from tenant_apps.finance.selectors import ledger_mismatches
from tenants.models import Tenant, TenantStatus


class Command(BaseCommand):
    help = "Prove that every dealer account equals the sum of its ledger, in every tenant (or one)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="one tenant's subdomain")

    def handle(self, *args, **options):
        tenants = Tenant.objects.exclude(status=TenantStatus.DELETED)
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        bad = 0
        for tenant in tenants:
            with tenant_context(tenant):
                problems = ledger_mismatches()
            for problem in problems:
                self.stderr.write(f"{tenant.slug}: {problem}")
            bad += len(problems)
            self.stdout.write(f"{tenant.slug}: {'OK' if not problems else f'{len(problems)} mismatches'}")
        if bad:
            raise CommandError(f"{bad} dealer accounts differ from their ledger")
