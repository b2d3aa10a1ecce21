"""How another system calls the API: an API key (Authorization: Bearer <key>, or X-Api-Key: <key>) looked up in
the schema of the host's tenant only (a key of another brand does not exist here: 401), a scope per view (403
scope_missing), a rate per key (429 with Retry-After), and one audit entry per call."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.views import APIView

from billing_saas.limits import feature_check
from billing_saas.models import Feature
from tenant_apps.integrations import services
from tenant_apps.integrations.models import ApiKey


class KeyActor:
    """`request.user` of a call made with a key, and the actor the services get: no user row, so not
    `is_authenticated` (services then record no user id: created_by, the timeline's and events' actor stay
    empty) while audit entries and timelines name the key (`email`, `full_name`). The key itself is
    `request.auth`, and ScopeRequired checks it."""

    is_authenticated = False
    is_anonymous = False
    is_active = True
    is_staff = is_superuser = False
    pk = id = None
    role = ""
    dealer = None
    dealer_id = None
    scope_node_id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.email = str(api_key)
        self.full_name = str(api_key)

    def __str__(self) -> str:
        return self.email


def key_from(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.META.get("HTTP_X_API_KEY", "").strip() or None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        key = key_from(request)
        if key is None:
            return None
        failed = exceptions.AuthenticationFailed(_("Invalid API key."))
        if connection.schema_name == get_public_schema_name():
            raise failed
        prefix = services.key_split(key)
        api_key = ApiKey.objects.filter(prefix=prefix).first() if prefix else None
        if api_key is None or not services.key_matches(api_key, key):
            raise failed
        if not api_key.usable(timezone.now()):
            raise exceptions.AuthenticationFailed(_("This API key is revoked or expired."))
        feature_check(Feature.API_ACCESS)  # 402 on a plan without API access
        services.api_key_touch(api_key=api_key)
        return KeyActor(api_key), api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ScopeRequired(permissions.BasePermission):
    """The view's `required_scopes` ({method: scope}, or one scope for every method) must be the key's."""

    def has_permission(self, request, view):
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        if api_key is None:
            raise exceptions.NotAuthenticated()
        wanted = view.required_scopes
        scope = wanted.get(request.method) if isinstance(wanted, dict) else wanted
        if scope is None or scope not in api_key.scopes:
            raise exceptions.PermissionDenied(
                _("This API key lacks the scope %(scope)s.") % {"scope": scope or "-"}, code="scope_missing")
        return True


class KeyRateThrottle(throttling.SimpleRateThrottle):
    """Calls a minute per key (ApiKey.rate_per_minute), counted in the cache (keyed by tenant)."""

    scope = "integrations"

    def get_rate(self):
        return None  # set per request from the key

    def allow_request(self, request, view):
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        if api_key is None:
            return True
        self.rate = f"{api_key.rate_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"throttle_apikey_{connection.schema_name}_{request.auth.pk}"


class IntegrationView(APIView):
    """The base of every integration endpoint: key only, scope, rate, and the call in the audit log."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [ScopeRequired]
    throttle_classes = [KeyRateThrottle]
    required_scopes: dict | str = {}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        api_key = getattr(request, "_auth", None)
        if isinstance(api_key, ApiKey):
            services.api_call_record(actor=request._user, api_key=api_key, method=request.method,
                                     path=request.get_full_path(), status=response.status_code)
        return response


try:  # the key as drf-spectacular documents it (OpenAPI: a bearer token)
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class ApiKeyScheme(OpenApiAuthenticationExtension):
        target_class = "tenant_apps.integrations.api.auth.ApiKeyAuthentication"
        name = "integrationApiKey"

        def get_security_definition(self, auto_schema):
            return {"type": "http", "scheme": "bearer", "description": "An integration API key (X-Api-Key also)."}
except ImportError:  # pragma: no cover - drf-spectacular is a dependency
    pass
