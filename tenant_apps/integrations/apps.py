from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """API keys for other systems (an ERP, a WMS) and the endpoints they call (docs/integrations.md)."""

    name = "tenant_apps.integrations"
    label = "integrations"
    verbose_name = _("Integrations")
