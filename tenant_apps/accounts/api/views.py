"""API of people and access: users (scoped), invitations, accepting an invitation."""

from __future__ import annotations

from dj_rest_auth.views import PasswordChangeView as BasePasswordChangeView
from django.contrib.auth import login, update_session_auth_hash
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.response import Response

from tenant_apps.accounts import invitations, services
from tenant_apps.accounts.api.serializers import (
    AcceptInvitationSerializer,
    InvitationSerializer,
    MeSerializer,
    PasswordChangedSerializer,
    PasswordChangeSerializer,
    UserSerializer,
)
from tenant_apps.accounts.permissions import USERS_VIEW, has_perm
from tenant_apps.core.clients import ClientAddressThrottle


class CanViewUsers(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_perm(request.user, USERS_VIEW) or bool(invitations.invitable_roles(request.user))


@extend_schema(request=None, responses=InvitationSerializer, summary="Revoke a pending invitation")
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated, CanViewUsers])
def invitation_revoke(request, invitation_id: int):
    return Response(InvitationSerializer(invitations.invitation_revoke(actor=request.user,
                                                                       invitation_id=invitation_id)).data)


class AcceptThrottle(ClientAddressThrottle):
    scope = "invitation-accept"  # its own count (the page's and the API's), not every anonymous call's
    rate = "30/hour"


@extend_schema(request=AcceptInvitationSerializer, responses={201: UserSerializer},
               summary="Accept an invitation: set name and password; signs the new user in")
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AcceptThrottle])
def invitation_accept(request):
    serializer = AcceptInvitationSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    user = invitations.invitation_accept(raw_token=data["token"], full_name=data["full_name"],
                                         password=data["password"])
    login(request, user, backend="tenant_apps.accounts.backends.ThrottledModelBackend")
    return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class PasswordChangeView(BasePasswordChangeView):
    """dj-rest-auth's password change, with the current password required and every other sign-in ended."""

    serializer_class = PasswordChangeSerializer

    @extend_schema(request=PasswordChangeSerializer, responses=PasswordChangedSerializer,
                   summary="Change your password (the current one is required); ends your other sign-ins")
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        by_token = isinstance(request.auth, Token)
        token = services.user_password_change(
            actor=request.user, user=request.user, old_password=serializer.validated_data["old_password"],
            new_password=serializer.validated_data["new_password1"], reissue_token=by_token)
        if not by_token:
            update_session_auth_hash(request, request.user)  # this session stays signed in
        return Response(PasswordChangedSerializer({
            "detail": _("New password has been saved."), "key": token.key if token else None}).data)


@extend_schema(responses=MeSerializer, summary="The signed-in user on this host")
@api_view(["GET"])
def me(request):
    tenant = getattr(request, "tenant", None)
    data = {
        "email": request.user.email,
        "full_name": request.user.full_name,
        "is_owner": request.user.is_owner,
        "tenant": tenant.slug if tenant else None,
    }
    return Response(MeSerializer(data).data)
