"""The dealer network in the brand console, at /console/network/."""

from django.urls import path

from tenant_apps.dealers import views

app_name = "dealers"

# The people page (accounts:people at /accounts/people/), mounted in the accounts name space by the tenant URLconf.
people_patterns = [
    path("people/", views.people, name="people"),
]

urlpatterns = [
    path("", views.dealer_list, name="list"),
    path("dealers/new/", views.dealer_create, name="create"),
    path("dealers/<int:dealer_id>/", views.dealer_detail, name="detail"),
    path("dealers/<int:dealer_id>/edit/", views.dealer_edit, name="edit"),
    path("dealers/<int:dealer_id>/status/", views.dealer_status, name="status"),
    path("dealers/<int:dealer_id>/addresses/new/", views.address_add, name="address-add"),
    path("dealers/<int:dealer_id>/contacts/new/", views.contact_add, name="contact-add"),
    path("dealers/<int:dealer_id>/qualifications/new/", views.qualification_add, name="qualification-add"),
    path("regions/new/", views.region_create, name="region-create"),
    path("nodes/<int:node_id>/move/", views.node_move, name="node-move"),
    path("import/", views.dealer_import, name="import"),
    path("export/", views.dealer_export, name="export"),
    path("settings/", views.network_settings, name="settings"),
]
