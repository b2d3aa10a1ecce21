"""A dealer's own pages on the storefront, at /account/."""

from django.urls import path

from tenant_apps.dealers import views_storefront as views

app_name = "storefront"

urlpatterns = [
    path("", views.account, name="account"),
    path("company/", views.company, name="company"),
    path("addresses/", views.addresses, name="addresses"),
    path("people/", views.company_people, name="people"),
    path("people/<int:user_id>/rights/", views.person_rights, name="person-rights"),
    path("people/<int:user_id>/active/", views.person_active, name="person-active"),
    path("people/invitations/<int:invitation_id>/revoke/", views.invitation_revoke,
         name="people-invitation-revoke"),
    path("files/qualifications/<int:qualification_id>/", views.qualification_file, name="qualification-file"),
]
