"""The console's webhook pages, mounted at /console/webhooks/ (namespace webhooks)."""

from django.urls import path

from tenant_apps.webhooks import views_console

app_name = "webhooks"

urlpatterns = [
    path("", views_console.endpoints, name="list"),
    path("new/", views_console.endpoint_new, name="new"),
    path("<int:pk>/", views_console.endpoint_detail, name="detail"),
    path("<int:pk>/rotate/", views_console.endpoint_rotate, name="rotate"),
    path("<int:pk>/toggle/", views_console.endpoint_toggle, name="toggle"),
    path("<int:pk>/deliveries/<int:delivery_pk>/replay/", views_console.delivery_replay, name="replay"),
]
