from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tenant_apps.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from tenant_apps.events.registry import consumer_register
        from tenant_apps.notifications.services import notifications_from_events

        consumer_register("notifications", notifications_from_events)
        from tenant_apps.notifications.channels import wechat

        wechat.register()
