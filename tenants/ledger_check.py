"""The ledger check commands' one shape: run an app's `ledger_mismatches()` in every tenant (or one), print a line
per tenant, and fail when any row differs from the sum of its ledger (stock, dealer accounts)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from tenants.models import Tenant, TenantStatus


class LedgerCheckCommand(BaseCommand):
    mismatches: Callable[[], list]  # the app's ledger_mismatches, run in each tenant's schema
    rows = "rows"  # what differs, in the failure message ("stock rows")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="one tenant's subdomain")

    def handle(self, *args, **options):
        tenants = Tenant.objects.exclude(status=TenantStatus.DELETED)
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        bad = 0
        for tenant in tenants:
            with tenant_context(tenant):
                problems = type(self).mismatches()
            for problem in problems:
                self.stderr.write(f"{tenant.slug}: {problem}")
            bad += len(problems)
            self.stdout.write(f"{tenant.slug}: {'OK' if not problems else f'{len(problems)} mismatches'}")
        if bad:
            raise CommandError(f"{bad} {self.rows} differ from their ledger")
