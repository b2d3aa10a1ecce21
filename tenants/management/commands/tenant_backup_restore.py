from django.core.management.base import CommandError

from tenants.management.commands._base import TenantCommand
from tenants.selectors import tenant_get_by_slug
from tenants.services_backup import tenant_backup_restore_new, tenant_backup_restore_over


class Command(TenantCommand):
    help = ("Restore a tenant backup (its name in the backups storage, or a file's path): into a new tenant "
            "(`--slug new-subdomain`), or over the tenant it was made of (`--over acme --confirm acme`).")

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup's storage name (t_acme/t_acme-...dmsbak.zip) or a file path")
        parser.add_argument("--actor", default="operator-cli", help="who is acting, for the tenant's history")
        parser.add_argument("--slug", help="restore into a new tenant with this subdomain")
        parser.add_argument("--name", default="", help="the new tenant's company name (default: the archived one)")
        parser.add_argument("--over", help="restore over this tenant (its subdomain): replaces all its data")
        parser.add_argument("--confirm", default="", help="with --over: type the subdomain again")

    def handle(self, *args, **options):
        if bool(options["slug"]) == bool(options["over"]):
            raise CommandError("Give either --slug (a new tenant) or --over with --confirm (the same tenant).")
        if options["slug"]:
            tenant = tenant_backup_restore_new(actor=options["actor"], source=options["source"],
                                               slug=options["slug"], name=options["name"])
            self.stdout.write(f"{tenant.slug}: restored from {options['source']} into schema {tenant.schema_name}")
            return
        tenant = tenant_backup_restore_over(actor=options["actor"], source=options["source"],
                                            tenant=tenant_get_by_slug(options["over"]),
                                            confirm_slug=options["confirm"])
        self.stdout.write(f"{tenant.slug}: replaced by {options['source']}")
