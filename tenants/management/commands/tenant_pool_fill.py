from django.core.management.base import BaseCommand

from tenants.selectors import pool_ready_count
from tenants.services import tenant_pool_fill


class Command(BaseCommand):
    help = "Top up the warm pool of ready tenant schemas (drops schemas of an old migration state)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=None)

    def handle(self, *args, **options):
        added = tenant_pool_fill(size=options["size"])
        self.stdout.write(f"pool: {added} added, {pool_ready_count()} ready")
