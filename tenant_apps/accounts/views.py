from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts import invitations
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.api.views import AcceptThrottle
from tenant_apps.accounts.forms import AcceptInvitationForm, LoginForm, PasswordResetForm
from tenant_apps.accounts.permissions import (
    CONSOLE,
    DEALER_ROLES,
    USERS_VIEW,
)
from tenant_apps.core.clients import page_throttled
from tenant_apps.core.errors import DomainError

logger = logging.getLogger(__name__)


def landing_for(user) -> str:
    """Where a person starts after accepting an invitation: a dealer's people on the ordering home (what waits
    for them, their orders, the cart), brand staff on the console."""
    return "home" if user.role in DEALER_ROLES else "console:home"


class SignInView(auth_views.LoginView):
    """Sign-in on every host. Without a `next`, operator staff on the platform host land on the operator console;
    everyone on a brand's host lands on its home, which sends each role on to its own start."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if getattr(self.request, "tenant", None) is None and self.request.user.is_staff:
            return reverse("operator:tenants")
        return super().get_default_redirect_url()


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email. The same answer whether or not the address has an account."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = "/accounts/password/reset/sent/"


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = invitations.invitation_for_token(token)
    except DomainError as error:
        return render(request, "accounts/invitation_accept.html", {"unusable": error.detail}, status=410)
    if request.method == "POST" and (refused := page_throttled(request, AcceptThrottle)):
        return refused
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(raw_token=token, full_name=form.cleaned_data["full_name"],
                                                 password=form.cleaned_data["password"])
        except DomainError as error:
            for field, errors in error.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            if not error.fields:
                form.add_error(None, error.detail)
        else:
            login(request, user, backend="tenant_apps.accounts.backends.ThrottledModelBackend")
            messages.success(request, _("Welcome, %(name)s.") % {"name": user.get_short_name()})
            return redirect(landing_for(user))
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@requires(USERS_VIEW)
@require_POST
def invitation_revoke(request, invitation_id: int):
    try:
        invitations.invitation_revoke(actor=request.user, invitation_id=invitation_id)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("accounts:people")


@requires(CONSOLE)
@require_http_methods(["GET", "POST"])
def security(request):
    """Two-step sign-in for brand staff: set up with an authenticator app, or turn it off."""
    from tenant_apps.accounts import totp

    user = request.user
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "begin":
                totp.totp_begin(actor=user)
            elif action == "confirm":
                totp.totp_confirm(actor=user, code=request.POST.get("code", ""))
                messages.success(request, _("Two-step sign-in is on."))
                return redirect("accounts:security")
            elif action == "disable":
                totp.totp_disable(actor=user, code=request.POST.get("code", ""))
                messages.success(request, _("Two-step sign-in is off."))
                return redirect("accounts:security")
        except DomainError as exc:
            error = exc.detail
    setting_up = bool(user.totp_secret and not user.totp_enabled)
    return render(request, "accounts/security.html", {
        "setting_up": setting_up, "error": error,
        "secret": user.totp_secret if setting_up else "",
        "uri": totp.totp_uri(user, request.tenant.brand_name) if setting_up else "",
    })
