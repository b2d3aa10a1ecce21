"""Keep Stripe's products and prices in step with our plans: `manage.py billing_stripe_sync`. Run after changing a
plan's prices (and on deploy); running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from billing_saas.stripe_gateway import plans_sync
from tenant_apps.core.errors import DomainError


class Command(BaseCommand):
    help = "Create or update the Stripe product and prices of every plan (a changed amount makes a new price)."

    def handle(self, *args, **options):
        try:
            counts = plans_sync()
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(" ".join(f"{name}={count}" for name, count in counts.items()))
