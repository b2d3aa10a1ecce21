from django.urls import include, path

from tenant_apps.console import views

app_name = "console"

urlpatterns = [
    path("", views.console_home, name="home"),
    path("company/", views.company, name="company"),
    path("domains/", include("tenants.urls_console")),
]
