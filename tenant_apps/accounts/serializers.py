from dj_rest_auth.serializers import LoginSerializer as BaseLoginSerializer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers

from tenant_apps.accounts import throttle
from tenant_apps.accounts.forms import throttle_message
from tenant_apps.accounts.models import Invitation, User


class LoginSerializer(BaseLoginSerializer):
    """dj-rest-auth's login, refusing with a clear message while the account or address is throttled."""

    username = None
    otp = serializers.CharField(required=False, allow_blank=True, write_only=True,
                                help_text=gettext_lazy("The authenticator code, for users with two-step sign-in on."))

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
