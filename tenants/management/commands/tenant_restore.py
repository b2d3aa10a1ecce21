from tenants.management.commands._base import TransitionCommand
from tenants.services import tenant_restore


class Command(TransitionCommand):
    help = "Restore a suspended or deleted (not yet purged) tenant."
    service = tenant_restore
