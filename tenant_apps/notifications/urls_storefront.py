"""The dealer users' notifications, mounted at /account/notifications/ (namespace notifications_storefront)."""

from tenant_apps.notifications.views import storefront_urls

app_name = "notifications_storefront"
urlpatterns = storefront_urls
