"""The brand staff's notifications, mounted at /console/notifications/ (namespace notifications)."""

from tenant_apps.notifications.views import console_urls

app_name = "notifications"
urlpatterns = console_urls
