from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotingConfig(AppConfig):
    name = "tenant_apps.quoting"
    label = "quoting"
    verbose_name = _("Quoting")
