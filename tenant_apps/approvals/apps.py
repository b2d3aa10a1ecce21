from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "tenant_apps.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        # Ordering asks for approval plans through the interface it owns; this app fills it in (approvals sits
        # above ordering, never the other way round: docs/dev/ordering.md).
        from tenant_apps.approvals.services import Chain
        from tenant_apps.ordering.approval import approval_chain_register

        approval_chain_register(Chain())
