from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "tenant_apps.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from tenant_apps.events.registry import consumer_register
        from tenant_apps.webhooks.services import deliveries_for_events

        consumer_register("webhooks", deliveries_for_events)
