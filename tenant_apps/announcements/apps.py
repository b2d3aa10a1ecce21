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
