from tenants.management.commands._base import TransitionCommand
from tenants.services import tenant_suspend


class Command(TransitionCommand):
    help = "Suspend a tenant: its hosts answer 'suspended' until it is restored."
    service = tenant_suspend
