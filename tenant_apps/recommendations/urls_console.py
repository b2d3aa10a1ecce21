from django.urls import path

from tenant_apps.recommendations import views_console as views

app_name = "recommendations_console"

urlpatterns = [
    path("", views.settings_page, name="settings"),
]
