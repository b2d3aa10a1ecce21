from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "tenant_apps.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self):
        # web push is a notifications channel: notifications (a lower layer) calls it through its registry
        from tenant_apps.announcements.push import notification_push, subscribed
        from tenant_apps.notifications.channels.registry import channel_register

        channel_register("push", label=_("Web push"), send=notification_push, reachable=subscribed)
