from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "tenant_apps.forecasting"
    label = "forecasting"
    verbose_name = _("Forecasting")
