from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The pages that draw on many apps: the brand console's home, checklist and navigation, the company page,
    the storefront home. The top layer: it may import any tenant app, none imports it."""

    name = "tenant_apps.console"
    label = "console"
    verbose_name = _("Console")
