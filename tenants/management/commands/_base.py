"""Shared plumbing of the operator's tenant commands: domain errors become a clear CommandError."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tenant_apps.core.errors import DomainError
from tenants.selectors import tenant_get_by_slug


class TenantCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("slug", help="the tenant's subdomain, e.g. acme")
        parser.add_argument("--actor", default="operator-cli", help="who is acting, for the status history")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.fields.items())
            raise CommandError(f"{exc.detail}{' (' + details + ')' if details else ''} [{exc.code}]") from exc

    def tenant(self, options):
        return tenant_get_by_slug(options["slug"])


class TransitionCommand(TenantCommand):
    service = None

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--reason", required=True, help="why; kept in the tenant's status history")

    def handle(self, *args, **options):
        tenant = type(self).service(
            actor=options["actor"], tenant=self.tenant(options), reason=options["reason"]
        )
        self.stdout.write(f"{tenant.slug}: {tenant.status}")
