"""`manage.py webhooks_worker --schema NAME [--once]`: relay the outbox, then send the due webhook deliveries, in a
loop (a short sleep when there was nothing to do). Safe to kill at any moment: what it held goes back to waiting."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_tenant_model, tenant_context


class Command(BaseCommand):
    help = "Relay the outbox and send due webhook deliveries in one workspace, in a loop (or once)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="the workspace's schema")
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--sleep", type=float, default=0.2, help="seconds to wait when idle")

    def handle(self, *args, schema, once=False, sleep=0.2, **options):
        from tenant_apps.events.services import outbox_relay_all
        from tenant_apps.webhooks.services import webhook_deliver_due

        tenant = get_tenant_model().objects.filter(schema_name=schema).first()
        if tenant is None or schema == "public":
            raise CommandError(f"no workspace with schema {schema!r}")
        while True:
            with tenant_context(tenant):
                worked = outbox_relay_all()
                worked += webhook_deliver_due()
            if once:
                return
            if not worked:
                time.sleep(sleep)
