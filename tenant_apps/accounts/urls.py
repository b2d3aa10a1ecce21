"""Pages of people and access. `sign_in_patterns` are what every host has (the platform's operators sign in, out
and reset their password too); `urlpatterns` adds what only a brand's host has (its users, invitations, hand-off
from the platform, two-step sign-in): the platform's schema has none of those tables."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tenant_apps.accounts import views

app_name = "accounts"

sign_in_patterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_sent.html"), name="password-reset-sent"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password-reset-complete"),
]

urlpatterns = [
    *sign_in_patterns,
    path("invite/<str:token>/", views.invitation_accept, name="invite"),
    path("security/", views.security, name="security"),
    path("people/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation-revoke"),
]
