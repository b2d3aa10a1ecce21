from django.core.management.base import CommandError

from tenants.management.commands._base import TenantCommand
from tenants.models import Tenant
from tenants.selectors import tenant_get_by_slug
from tenants.services_backup import tenant_backup, tenant_backups_prune, tenants_backup_due


class Command(TenantCommand):
    help = ("Back up one tenant (schema, public rows, files) into the backups storage: `tenant_backup <schema or "
            "subdomain>`; or every tenant that is due, with each one's retention: `tenant_backup --due` (the "
            "scheduled CronJob).")

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="the tenant's schema (t_acme) or subdomain (acme)")
        parser.add_argument("--actor", default="operator-cli", help="who is acting, for the tenant's history")
        parser.add_argument("--due", action="store_true", help="back up every tenant whose last backup is old")

    def handle(self, *args, **options):
        if options["due"]:
            if options["slug"]:
                raise CommandError("Give a tenant or --due, not both.")
            done, failed = tenants_backup_due()
            self.stdout.write(f"backups: {len(done)} made, {len(failed)} failed"
                              + (f" ({', '.join(failed)})" if failed else ""))
            if failed:
                raise CommandError(f"{len(failed)} tenant backups failed: {', '.join(failed)}")
            return
        if not options["slug"]:
            raise CommandError("Give a tenant's schema or subdomain, or --due.")
        tenant = Tenant.objects.filter(schema_name=options["slug"]).first() or tenant_get_by_slug(options["slug"])
        record = tenant_backup(actor=options["actor"], tenant=tenant)
        pruned = tenant_backups_prune(tenant=tenant)
        self.stdout.write(f"{tenant.slug}: {record.storage_name} ({record.size} bytes, "
                          f"{sum(record.summary['rows'].values())} rows, {record.summary['files']} files)"
                          + (f"; {len(pruned)} old backups deleted" if pruned else ""))
