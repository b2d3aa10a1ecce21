from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfillmentConfig(AppConfig):
    name = "tenant_apps.fulfillment"
    label = "fulfillment"
    verbose_name = _("Fulfilment")

    def ready(self):
        from tenant_apps.finance import statement_sections
        from tenant_apps.fulfillment.statements import shipments_section

        statement_sections.register("shipments", shipments_section)
