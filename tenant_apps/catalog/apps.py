from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "tenant_apps.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        # billing meters what the plan limits through the app that owns it (billing_saas.usage)
        from billing_saas.models import Resource
        from billing_saas.usage import meter_register
        from tenant_apps.catalog.selectors import skus_count

        meter_register(Resource.SKUS, skus_count)
