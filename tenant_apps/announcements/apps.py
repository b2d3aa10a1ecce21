from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "tenant_apps.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self):
        # Notifications (a layer below) asks which dealers an announcement reaches through its registry.
        from tenant_apps.announcements.selectors import audiences_of_events
        from tenant_apps.notifications.registry import dealer_audience_register

        dealer_audience_register("announcement.published", audiences_of_events)

        # web push is a notifications channel: notifications (a lower layer) calls it through its registry
        from tenant_apps.announcements.push import notification_push, subscribed
        from tenant_apps.notifications.channels.registry import channel_register

        channel_register("push", label=_("Web push"), send=notification_push, reachable=subscribed)
