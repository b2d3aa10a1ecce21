from dj_rest_auth.serializers import LoginSerializer as BaseLoginSerializer
from dj_rest_auth.serializers import PasswordResetConfirmSerializer as BasePasswordResetConfirmSerializer
from dj_rest_auth.serializers import PasswordResetSerializer as BasePasswordResetSerializer
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers

from tenant_apps.accounts import throttle
from tenant_apps.accounts.forms import PasswordResetForm, PasswordSetForm, throttle_message
from tenant_apps.accounts.models import Invitation, User


class LoginSerializer(BaseLoginSerializer):
    """dj-rest-auth's login, refusing with a clear message while the account or address is throttled."""

    username = None
    otp = serializers.CharField(required=False, allow_blank=True, write_only=True,
                                help_text=gettext_lazy("The authenticator code, for users with two-step sign-in on."))

    def get_auth_user(self, username, email, password):
        """Always through the authentication backend, which hashes the password for an unknown email too and
        counts the failure (dj-rest-auth's own lookup answered an unknown email at once, without either)."""
        if not email or not password:
            return None
        return self.authenticate(email=email, password=password)

    def validate(self, attrs):
        from tenant_apps.accounts.totp import totp_verify

        request = self.context.get("request")
        wait = throttle.retry_after(request, attrs.get("email", ""))
        if wait:
            raise exceptions.Throttled(wait=wait, detail=throttle_message(wait))
        attrs = super().validate(attrs)
        user = attrs["user"]
        if user.totp_enabled:
            if not attrs.get("otp"):
                raise exceptions.ValidationError({"otp": [_("Enter the code from your authenticator app.")]})
            if not totp_verify(user, attrs["otp"]):
                throttle.record_failure(request, attrs.get("email", ""))
                raise exceptions.ValidationError({"otp": [_("That code is not right.")]})
        return attrs


class InvitationSerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(source="dealer_id", required=False, allow_null=True)
    scope_node = serializers.IntegerField(source="scope_node_id", required=False, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "dealer", "scope_node", "expires_at", "accepted_at", "revoked_at", "status"]
        read_only_fields = ["expires_at", "accepted_at", "revoked_at"]

    def get_status(self, invitation) -> str:
        if invitation.accepted_at:
            return "accepted"
        if invitation.revoked_at:
            return "revoked"
        return "pending"


class AcceptInvitationSerializer(serializers.Serializer):
    token = serializers.CharField()
    full_name = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True)


class UserSerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(source="dealer_id", read_only=True, allow_null=True)  # brand staff: null

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "dealer", "is_active", "date_joined"]


class PasswordChangeSerializer(serializers.Serializer):
    """The signed-in user's password change: the current password is required."""

    old_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    new_password1 = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    new_password2 = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    def validate(self, attrs):
        if attrs["new_password1"] != attrs["new_password2"]:
            raise exceptions.ValidationError({"new_password2": [SetPasswordForm.error_messages["password_mismatch"]]})
        try:
            password_validation.validate_password(attrs["new_password1"], user=self.context["request"].user)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"new_password1": list(error.messages)}) from None
        return attrs


class PasswordChangedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    key = serializers.CharField(allow_null=True, help_text=gettext_lazy(
        "Every API token of the user ends with the change. A call made with a token gets a new one here; a call "
        "made with a session cookie keeps that session signed in and gets null."))


class PasswordResetConfirmSerializer(BasePasswordResetConfirmSerializer):
    """dj-rest-auth's reset confirmation, setting the password through the accounts service (which ends every
    session and API token of the user)."""

    set_password_form_class = PasswordSetForm


class PasswordResetSerializer(BasePasswordResetSerializer):
    """dj-rest-auth's reset request, mailing the link of the page's form (on the workspace's primary domain)."""

    password_reset_form_class = PasswordResetForm


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_owner = serializers.BooleanField()
    tenant = serializers.CharField(allow_null=True)
