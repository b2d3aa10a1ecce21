"""The brand console's custom domains, included by tenant_apps.console.urls_console under /console/domains/."""

from django.urls import path

from tenants import views_console

urlpatterns = [
    path("", views_console.domains, name="domains"),
    path("<int:domain_id>/verify/", views_console.domain_verify, name="domain-verify"),
    path("<int:domain_id>/make-primary/", views_console.domain_make_primary, name="domain-make-primary"),
    path("<int:domain_id>/remove/", views_console.domain_remove, name="domain-remove"),
]
