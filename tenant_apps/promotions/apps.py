from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "tenant_apps.promotions"
    label = "promotions"
    verbose_name = _("Promotions")
