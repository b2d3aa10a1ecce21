from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_owner = serializers.BooleanField()
    tenant = serializers.CharField(allow_null=True)


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
