from django.urls import path

from tenant_apps.accounts.api import views as api_views

urlpatterns = [
    path("invitations/<int:invitation_id>/revoke/", api_views.invitation_revoke, name="api-invitation-revoke"),
    path("invitations/accept/", api_views.invitation_accept, name="api-invitation-accept"),
]
