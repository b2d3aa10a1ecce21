from django.core.management.base import BaseCommand

from shared_apps.demo.seed import BRANDS, seed


class Command(BaseCommand):
    help = "Seed the demo showcase (idempotent) and print its URLs and sign-in accounts."

    def add_arguments(self, parser):
        parser.add_argument("--brand", action="append", choices=[brand.slug for brand in BRANDS],
                            help="seed only this brand (repeatable; default: every brand)")

    def handle(self, *args, **options):
        lines = seed(options["brand"])
        self.stdout.write("\nDemo is ready. Sign in with:")
        for line in lines:
            self.stdout.write("  " + line)
        self.stdout.write("")
