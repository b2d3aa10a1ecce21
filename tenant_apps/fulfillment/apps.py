from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfillmentConfig(AppConfig):
    name = "tenant_apps.fulfillment"
    label = "fulfillment"
    verbose_name = _("Fulfilment")

    def ready(self):
        # finance computes rebates on what was shipped net of returns, which only fulfillment knows
        from tenant_apps.finance import rebate_basis
        from tenant_apps.fulfillment.selectors import shipped_amounts

        rebate_basis.register(shipped_amounts)
        # and a statement lists the period's shipments beside its money
        from tenant_apps.finance import statement_sections
        from tenant_apps.fulfillment.statements import shipments_section

        statement_sections.register("shipments", shipments_section)
