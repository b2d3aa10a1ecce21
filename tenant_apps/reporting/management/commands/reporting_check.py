"""`manage.py reporting_check [--schema NAME] [--refresh]`: prove that the sales rollups equal a fresh computation
from the order tables, in one workspace or all of them. Exits 1 naming the first rows that differ."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_tenant_model, tenant_context


class Command(BaseCommand):
    help = "Check that the report rollups equal the order tables (every workspace, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="only this workspace's schema")
        parser.add_argument("--refresh", action="store_true", help="bring the rollups up to date first")

    def handle(self, *args, schema=None, refresh=False, **options):
        from tenant_apps.reporting.selectors import rollup_mismatches
        from tenant_apps.reporting.services import rollups_refresh

        tenants = get_tenant_model().objects.exclude(schema_name="public")
        if schema:
            tenants = tenants.filter(schema_name=schema)
        failed = 0
        for tenant in tenants.order_by("schema_name"):
            with tenant_context(tenant):
                if refresh:
                    rollups_refresh()
                mismatches = rollup_mismatches()
            if mismatches:
                failed += 1
                self.stdout.write(f"{tenant.schema_name}: {len(mismatches)} rollup rows differ from the orders")
                for row in mismatches[:10]:
                    self.stdout.write(f"  {row[0]} {row[1]} dealer {row[2]} sku {row[3]} {row[4]}")
            else:
                self.stdout.write(f"{tenant.schema_name}: rollups match the orders")
        if failed:
            raise CommandError(f"{failed} workspace(s) with rollups that differ from their orders")
