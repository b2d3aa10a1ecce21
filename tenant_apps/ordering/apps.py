from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderingConfig(AppConfig):
    name = "tenant_apps.ordering"
    label = "ordering"
    verbose_name = _("Ordering")

    def ready(self):
        # billing meters what the plan limits through the app that owns it (billing_saas.usage)
        from billing_saas.models import Resource
        from billing_saas.usage import meter_register
        from tenant_apps.ordering.submission import orders_this_month

        meter_register(Resource.ORDERS_MONTH, orders_this_month)
