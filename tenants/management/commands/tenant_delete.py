from tenants.management.commands._base import TransitionCommand
from tenants.services import tenant_delete


class Command(TransitionCommand):
    help = "Delete a tenant: its hosts stop serving; the schema stays until tenant_purge."
    service = tenant_delete
