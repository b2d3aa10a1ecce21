from django.urls import include, path

from tenant_apps.console import views
from tenants import views_console as tenants_console
from tenants import views_fapiao

app_name = "console"

urlpatterns = [
    path("", views.console_home, name="home"),
    path("company/", views.company, name="company"),
    path("suppliers/", views.suppliers_page, name="suppliers"),
    path("domains/", include("tenants.urls_console")),
    path("billing/fapiao/", views_fapiao.fapiao_requests, name="fapiao"),
    path("billing/", include("tenants.urls_billing")),
    path("data-export/", tenants_console.data_export, name="data-export"),
    path("data-export/<int:export_id>/download/", tenants_console.data_export_download, name="data-export-download"),
]

# The audit log, mounted at /console/audit/ under the name space "audit" (audit:list) by the tenant URLconf.
audit_patterns = [
    path("", views.audit_log, name="list"),
]
