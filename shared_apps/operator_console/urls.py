from django.urls import path

from shared_apps.operator_console import views

app_name = "operator"

urlpatterns = [
    path("", views.tenant_list, name="tenants"),
    path("tenants/<int:tenant_id>/", views.tenant_detail, name="tenant"),
    path("tenants/<int:tenant_id>/support/enter/", views.support_enter, name="support-enter"),
    path("tenants/<int:tenant_id>/subscription/<slug:action>/", views.subscription_action,
         name="subscription-action"),
    path("tenants/<int:tenant_id>/backups/<int:backup_id>/download/", views.backup_download,
         name="backup-download"),
    path("tenants/<int:tenant_id>/<slug:action>/", views.tenant_action, name="tenant-action"),
    path("audit/", views.audit_log, name="audit"),
    path("business/", views.business, name="business"),
    path("health/", views.fleet_health, name="fleet-health"),
]
