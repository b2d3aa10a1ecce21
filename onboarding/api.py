from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from onboarding import services
from onboarding.slugs import suggest
from tenant_apps.core.clients import ClientAddressThrottle
from tenants.services import slug_errors, tenant_url


class SignupThrottle(ClientAddressThrottle):
    scope = "signup"  # its own count (the page's and the API's), not every anonymous call's
    rate = "30/hour"


class SignupSerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=40)
    owner_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True)
    locale = serializers.ChoiceField(choices=["zh-hans", "en"], default="zh-hans")
    currency = serializers.ChoiceField(choices=services.CURRENCIES, default="CNY")
    plan = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(
    request=SignupSerializer,
    responses={201: inline_serializer("SignupResult", {
        "slug": serializers.CharField(), "url": serializers.URLField(), "handoff_url": serializers.URLField(),
        "provision_ms": serializers.FloatField(),
    })},
    summary="Sign a brand group up: provisions its workspace and returns a one-time sign-in link",
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([SignupThrottle])
def signup(request):
    serializer = SignupSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    result = services.signup_submit(
        company_name=data["company_name"], slug=data["slug"], owner_name=data["owner_name"], email=data["email"],
        password=data["password"], locale=data["locale"], currency=data["currency"], plan_code=data["plan"],
    )
    return Response({
        "slug": result.tenant.slug, "url": tenant_url(result.tenant.slug),
        "handoff_url": result.handoff_url, "provision_ms": round(result.provision_ms, 1),
    }, status=status.HTTP_201_CREATED)


@extend_schema(
    responses=inline_serializer("SlugCheck", {
        "slug": serializers.CharField(), "available": serializers.BooleanField(),
        "errors": serializers.ListField(child=serializers.CharField()), "suggestion": serializers.CharField(),
    }),
    summary="Is this subdomain free? With a suggestion from `company_name`",
)
@api_view(["GET"])
@permission_classes([AllowAny])
def slug_check(request):
    slug = (request.query_params.get("slug") or "").strip().lower()
    problems = slug_errors(slug) if slug else []
    return Response({
        "slug": slug, "available": bool(slug) and not problems, "errors": problems,
        "suggestion": suggest(request.query_params.get("company_name", "")),
    })
