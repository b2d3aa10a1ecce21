from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealersConfig(AppConfig):
    name = "tenant_apps.dealers"
    label = "dealers"
    verbose_name = _("Dealer network")

    def ready(self):
        # billing meters what the plan limits through the app that owns it (billing_saas.usage)
        from billing_saas.models import Resource
        from billing_saas.usage import meter_register
        from tenant_apps.accounts.permissions import supplier_check_register
        from tenant_apps.dealers.selectors import dealers_count, supplier_node_id_of_user

        meter_register(Resource.DEALERS, dealers_count)
        supplier_check_register(supplier_node_id_of_user)
