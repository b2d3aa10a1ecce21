"""A dealer owner's own people on the API (/api/v1/me/company/people/): the list with each person's rights, and one
person's rights and active flag changed (PATCH). Inviting is /api/v1/invitations/, as for brand staff. The same
services as the storefront page (dealers.people): only the owner's own company (404 otherwise), never
themselves, refused (403) when the brand keeps people to itself."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from tenant_apps.accounts.permissions import COMPANY_USERS, dealer_rights
from tenant_apps.dealers import people, selectors
from tenant_apps.dealers.api.views import ApiViewSet


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    is_active = serializers.BooleanField()
    date_joined = serializers.DateTimeField()
    rights = serializers.SerializerMethodField()
    approval_limit = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)

    def get_rights(self, user) -> dict[str, bool]:
        return dealer_rights(user)


class PersonInput(serializers.Serializer):
    order = serializers.BooleanField(required=False)
    see_prices = serializers.BooleanField(required=False)
    pay = serializers.BooleanField(required=False)
    approve = serializers.BooleanField(required=False)
    approval_limit = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, allow_null=True,
                                              required=False)
    is_active = serializers.BooleanField(required=False)


class CompanyPeopleViewSet(ApiViewSet):
    serializer_class = PersonOutput
    required_capabilities = {"list": COMPANY_USERS, "partial_update": COMPANY_USERS}

    @extend_schema(summary="The people of your company, with their rights", responses=PersonOutput(many=True))
    def list(self, request):
        return self.page(PersonOutput, selectors.company_people(actor=request.user))

    @extend_schema(summary="Change one of your people's rights, or deactivate or reactivate them",
                   request=PersonInput, responses=PersonOutput)
    def partial_update(self, request, pk=None):
        person = selectors.person_get_for(actor=request.user, user_id=pk)
        data = self.validated(PersonInput)
        rights = {key: data[key] for key in ("order", "see_prices", "pay", "approve") if key in data}
        if rights or "approval_limit" in data:
            current = dealer_rights(person)
            person = people.person_rights_set(
                actor=request.user, user_id=person.pk, **{**current, **rights},
                approval_limit=data.get("approval_limit", person.approval_limit))
        if "is_active" in data:
            person = people.person_active_set(actor=request.user, user_id=person.pk, active=data["is_active"])
        return self.output(PersonOutput, person)
