from django.urls import path

from tenant_apps.integrations import views_console

app_name = "integrations"

urlpatterns = [
    path("", views_console.keys, name="keys"),
    path("keys/<int:pk>/rotate/", views_console.rotate, name="rotate"),
    path("keys/<int:pk>/revoke/", views_console.revoke, name="revoke"),
]
