from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts import throttle
from tenant_apps.accounts.links import site_url
from tenant_apps.accounts.permissions import INVITABLE_ROLES, Role
from tenant_apps.accounts.prerequisites import DEALER, needs

throttle_message = throttle.message


class LoginForm(AuthenticationForm):
    otp = forms.CharField(label=_("Code from your authenticator app"), required=False, max_length=8,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))

    def clean(self):
        wait = throttle.retry_after(self.request, self.data.get("username", ""))
        if wait:
            raise forms.ValidationError(throttle_message(wait), code="throttled")
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user.totp_enabled:
            from tenant_apps.accounts.totp import totp_verify

            if not self.cleaned_data.get("otp"):
                self.needs_otp = True
                raise forms.ValidationError(_("Enter the code from your authenticator app."), code="otp_required")
            if not totp_verify(user, self.cleaned_data["otp"]):
                throttle.record_failure(self.request, self.data.get("username", ""))
                self.needs_otp = True
                raise forms.ValidationError(_("That code is not right."), code="otp_invalid")
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in Role if r in INVITABLE_ROLES])
    dealer = needs(forms.IntegerField(label=_("Dealer"), required=False, widget=forms.Select,
                                      help_text=_("For dealer staff.")), DEALER)
    scope_node = forms.IntegerField(label=_("Part of the network"), required=False, widget=forms.Select)

    def __init__(self, *args, dealers=(), nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].widget.choices = [("", "—"), *[(d.pk, f"{d.code} {d.name}") for d in dealers]]
        self.fields["scope_node"].widget.choices = [("", "—"), *[(n.pk, n.name) for n in nodes]]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput,
                               help_text=_("At least 10 characters; not a common password."))


class PasswordSetForm(auth_forms.SetPasswordForm):
    """Django's form behind a password-reset link (page and API): the new password is set by the accounts
    service, which ends every other sign-in of the user (sessions and API tokens)."""

    def save(self, commit=True):
        from tenant_apps.accounts.services import user_password_reset

        return user_password_reset(actor=self.user, user=self.user, new_password=self.cleaned_data["new_password1"])


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The signed-in user's password change: Django's form (every field error at once, the current password
    included); the change itself is accounts.services.user_password_change, which checks the current password
    again (the rule lives there, for the API too) and whose field errors the view puts back by FIELD_NAMES. Both
    checks go through the account's sign-in throttle (throttle.password_verify)."""

    FIELD_NAMES = {"new_password": "new_password2"}

    def clean_old_password(self):
        right, wait = throttle.password_verify(self.user, self.cleaned_data["old_password"])
        if wait:
            raise forms.ValidationError(throttle.message(wait), code="throttled")
        if not right:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return self.cleaned_data["old_password"]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset request (page and API): the link is on the workspace's primary domain (site_url), and the
    mail is ours whoever asks."""

    def save(self, **kwargs):
        kwargs.update(subject_template_name="accounts/password_reset_subject.txt",
                      email_template_name="accounts/password_reset_email.txt", html_email_template_name=None,
                      extra_email_context={**(kwargs.get("extra_email_context") or {}), "site_url": site_url()})
        return super().save(**kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        """Rendered here, sent by a task (accounts.tasks.mail_send): an address with an account costs the
        request no more time than one without."""
        from django.template import loader

        from tenant_apps.accounts.tasks import mail_send

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        mail_send.delay(subject=subject, body=body, to=[to_email], html=html)
