from django.core.management.base import BaseCommand

from shared_apps.demo.seed import seed


class Command(BaseCommand):
    help = "Seed the demo showcase (idempotent) and print its URLs and sign-in accounts."

    def handle(self, *args, **options):
        lines = seed()
        self.stdout.write("\nDemo is ready. Sign in with:")
        for line in lines:
            self.stdout.write("  " + line)
        self.stdout.write("")
