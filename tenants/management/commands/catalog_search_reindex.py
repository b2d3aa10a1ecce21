from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from tenant_apps.catalog.services import skus_reindex
from tenants.models import Tenant, TenantStatus


class Command(BaseCommand):
    help = "Recompute the SKUs' search text and pinyin initials, in every tenant (or one)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="one tenant's subdomain")

    def handle(self, *args, **options):
        tenants = Tenant.objects.exclude(status=TenantStatus.DELETED)
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        for tenant in tenants:
            with tenant_context(tenant):
                products = skus_reindex()
            self.stdout.write(f"{tenant.slug}: {products} products reindexed")
