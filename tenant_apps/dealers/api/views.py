"""The dealer network API (tenant hosts, /api/v1/). Thin: each action declares its capability
(`required_capabilities`, checked by HasCapability), looks objects up through the actor's scope
(`selectors.dealer_get_for` / `node_get_for`: outside it is a 404), validates the input, calls one
service and answers with an output serializer. Domain errors become {"code", "detail", "fields"}
in `tenant_apps.core.api.exception_handler`."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.accounts.api.serializers import InvitationSerializer, UserSerializer
from tenant_apps.accounts.api.views import CanViewUsers
from tenant_apps.accounts.permissions import (
    COMPANY_ADDRESSES,
    COMPANY_VIEW,
    DEALERS_BANK_VIEW,
    DEALERS_CREATE,
    DEALERS_EDIT,
    DEALERS_EXPORT,
    DEALERS_IMPORT,
    DEALERS_STATUS,
    DEALERS_VIEW,
    NETWORK_EDIT,
    QUALIFICATIONS_EDIT,
    SETTINGS_EDIT,
    has_perm,
)
from tenant_apps.accounts.selectors import invitations_visible_to
from tenant_apps.core.parsers import ObjectJSONParser
from tenant_apps.dealers import selectors, services, transfer
from tenant_apps.dealers.api import serializers as s
from tenant_apps.dealers.api.filters import DealerFilter
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.models import Dealer, QualificationType, Territory, Tier, tree_order

ID = "[0-9]+"  # anything else in an id's place is not a route (404), never a failed query
DEALER_READ = (DEALERS_VIEW, COMPANY_VIEW)  # brand staff in their scope; dealer staff, their own company


class ApiViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None  # OPTIONS would describe the writes to anyone signed in: 405 instead
    lookup_value_regex = ID
    required_capabilities: dict[str, str | tuple[str, ...]] = {}

    def validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def output(self, serializer_class, instance, *, code: int = status.HTTP_200_OK) -> Response:
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=code)

    def page(self, serializer_class, queryset) -> Response:
        items = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            serializer_class(items, many=True, context=self.get_serializer_context()).data
        )


class _FileFormatNegotiation(DefaultContentNegotiation):
    """On the export, `?format=` is the file format (csv, xlsx), not DRF's renderer override."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


# --- dealers ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Dealers in your scope", responses=s.DealerOutput(many=True)),
    create=extend_schema(summary="Create a dealer under a node of the network", request=s.DealerCreateInput,
                         responses={201: s.DealerOutput}),
    retrieve=extend_schema(summary="A dealer", responses=s.DealerOutput),
    partial_update=extend_schema(summary="Change a dealer's details", request=s.DealerUpdateInput,
                                 responses=s.DealerOutput),
)
class DealerViewSet(ApiViewSet):
    serializer_class = s.DealerOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = DealerFilter
    required_capabilities = {
        "list": DEALERS_VIEW,
        "create": DEALERS_CREATE,
        "retrieve": DEALER_READ,
        "partial_update": DEALERS_EDIT,
        "status_change": DEALERS_STATUS,
        "addresses": DEALER_READ,
        "address_add": (DEALERS_EDIT, COMPANY_ADDRESSES),
        "contacts": DEALER_READ,
        "contact_add": DEALERS_EDIT,
        "qualifications": DEALER_READ,
        "qualification_add": QUALIFICATIONS_EDIT,
        "blockers": DEALER_READ,
        "export": DEALERS_EXPORT,
        "import_file": DEALERS_IMPORT,
    }

    def get_queryset(self):
        return selectors.dealer_list(actor=self.request.user)

    def dealer(self) -> Dealer:
        return selectors.dealer_get_for(actor=self.request.user, dealer_id=int(self.kwargs["pk"]))

    def list(self, request):
        dealers = self.filter_queryset(self.get_queryset())
        if not has_perm(request.user, DEALERS_BANK_VIEW):
            dealers = dealers.defer("bank_account")  # not even decrypted for them
        return self.page(s.DealerOutput, dealers)

    def create(self, request):
        dealer = services.dealer_create(actor=request.user, **self.validated(s.DealerCreateInput))
        return self.output(s.DealerOutput, dealer, code=status.HTTP_201_CREATED)

    def retrieve(self, request, pk):
        return self.output(s.DealerOutput, self.dealer())

    def partial_update(self, request, pk):
        dealer = self.dealer()
        dealer = services.dealer_update(actor=request.user, dealer=dealer, **self.validated(s.DealerUpdateInput))
        return self.output(s.DealerOutput, dealer)

    @extend_schema(summary="Change a dealer's status", request=s.DealerStatusInput,
                   responses={200: s.DealerOutput, 409: OpenApiResponse(description="Illegal transition")})
    @action(detail=True, methods=["post"], url_path="status", url_name="status", filter_backends=[])
    def status_change(self, request, pk):
        dealer = self.dealer()
        dealer = services.dealer_status_change(actor=request.user, dealer=dealer, **self.validated(s.DealerStatusInput))
        return self.output(s.DealerOutput, dealer)

    @extend_schema(summary="A dealer's addresses", responses=s.AddressOutput(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def addresses(self, request, pk):
        return self.page(s.AddressOutput, self.dealer().addresses.select_related("territory"))

    @extend_schema(summary="Add an address (checked against the dealer's territories)", request=s.AddressInput,
                   responses={201: s.AddressOutput})
    @addresses.mapping.post
    def address_add(self, request, pk):
        dealer = self.dealer()
        address = services.address_add(actor=request.user, dealer=dealer, **self.validated(s.AddressInput))
        return self.output(s.AddressOutput, address, code=status.HTTP_201_CREATED)

    @extend_schema(summary="A dealer's contacts", responses=s.ContactOutput(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def contacts(self, request, pk):
        return self.page(s.ContactOutput, self.dealer().contacts.all())

    @extend_schema(summary="Add a contact", request=s.ContactInput, responses={201: s.ContactOutput})
    @contacts.mapping.post
    def contact_add(self, request, pk):
        dealer = self.dealer()
        contact = services.contact_add(actor=request.user, dealer=dealer, **self.validated(s.ContactInput))
        return self.output(s.ContactOutput, contact, code=status.HTTP_201_CREATED)

    @extend_schema(summary="A dealer's qualifications (licences, certificates)",
                   responses=s.QualificationOutput(many=True))
    @action(detail=True, methods=["get"], filter_backends=[],
            parser_classes=[ObjectJSONParser, MultiPartParser, FormParser])
    def qualifications(self, request, pk):
        return self.page(s.QualificationOutput, self.dealer().qualifications.select_related("type"))

    @extend_schema(summary="Add a qualification, optionally with its scanned file",
                   request={"multipart/form-data": s.QualificationInput, "application/json": s.QualificationInput},
                   responses={201: s.QualificationOutput})
    @qualifications.mapping.post
    def qualification_add(self, request, pk):
        dealer = self.dealer()
        qualification = services.qualification_add(actor=request.user, dealer=dealer,
                                                    **self.validated(s.QualificationInput))
        return self.output(s.QualificationOutput, qualification, code=status.HTTP_201_CREATED)

    @extend_schema(summary="Why the dealer may not order: required qualifications missing or expired",
                   responses=s.BlockersOutput)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def blockers(self, request, pk):
        return self.output(s.BlockersOutput, {"blockers": selectors.qualification_blockers(dealer=self.dealer())})

    @extend_schema(
        summary="Export the dealers in your scope (the import's columns)",
        parameters=[s.ExportQuery],
        responses={(200, "text/csv"): OpenApiTypes.BINARY,
                   (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="export", filter_backends=[], pagination_class=None,
            content_negotiation_class=_FileFormatNegotiation)
    def export(self, request):
        query = s.ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        content, content_type, filename = transfer.dealers_export(actor=request.user,
                                                                  fmt=query.validated_data["format"])
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    @extend_schema(summary="Import dealers from a CSV or XLSX file: all rows or none",
                   request={"multipart/form-data": s.ImportInput},
                   responses={201: s.ImportApplied, 400: s.ImportRefused, 413: s.ImportTooLarge})
    @action(detail=False, methods=["post"], url_path="import", url_name="import", filter_backends=[],
            pagination_class=None, parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        upload = self.validated(s.ImportInput)["file"]
        result = transfer.dealers_import(actor=request.user, file=upload, filename=upload.name)
        if result.applied:
            return Response({"applied": True, "rows": result.rows, "created": result.created},
                            status=status.HTTP_201_CREATED)
        return Response({
            "code": "import_invalid",
            "detail": _("The file has errors; nothing was imported."),
            "rows": result.rows,
            "errors": [asdict(error) for error in result.errors],
        }, status=status.HTTP_400_BAD_REQUEST)


@extend_schema_view(retrieve=extend_schema(summary="Your own company (dealer staff)", responses=s.DealerOutput))
class MyCompanyViewSet(ApiViewSet):
    serializer_class = s.DealerOutput
    required_capabilities = {"retrieve": COMPANY_VIEW}

    def retrieve(self, request):
        # Scope "own dealer": a user without a dealer finds nothing (404).
        return self.output(s.DealerOutput, selectors.dealer_get_for(actor=request.user,
                                                                    dealer_id=request.user.dealer_id))


# --- the network tree ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The network nodes in your scope (flat, in tree order)"),
    create=extend_schema(summary="Create a region", request=s.RegionInput, responses={201: s.NodeOutput}),
)
class NodeViewSet(ApiViewSet):
    serializer_class = s.NodeOutput
    required_capabilities = {"list": DEALERS_VIEW, "create": NETWORK_EDIT, "move": NETWORK_EDIT}

    def get_queryset(self):
        return selectors.nodes_visible_to(self.request.user).order_by(tree_order())

    def list(self, request):
        return self.page(s.NodeOutput, self.get_queryset())

    def create(self, request):
        region = services.region_create(actor=request.user, **self.validated(s.RegionInput))
        return self.output(s.NodeOutput, region, code=status.HTTP_201_CREATED)

    @extend_schema(summary="Move a region or dealer, with everything below it", request=s.NodeMoveInput,
                   responses={200: s.NodeOutput, 409: OpenApiResponse(description="Not a legal move")})
    @action(detail=True, methods=["post"])
    def move(self, request, pk):
        node = selectors.node_get_for(actor=request.user, node_id=int(pk))
        new_parent = self.validated(s.NodeMoveInput)["parent"]
        return self.output(s.NodeOutput, services.node_move(actor=request.user, node=node, new_parent=new_parent))


# --- brand settings: tiers, territories, qualification types -------------------------------------


class _SettingsViewSet(ApiViewSet):
    """A brand-wide list that every console user reads and settings editors extend."""

    required_capabilities = {"list": DEALERS_VIEW, "create": SETTINGS_EDIT}

    def list(self, request):
        return self.page(self.serializer_class, self.get_queryset())

    def create(self, request):
        created = self.create_with(**self.validated(self.serializer_class))
        return self.output(self.serializer_class, created, code=status.HTTP_201_CREATED)

    def create_with(self, **data):
        raise NotImplementedError


@extend_schema_view(list=extend_schema(summary="Dealer tiers"), create=extend_schema(summary="Create a tier"))
class TierViewSet(_SettingsViewSet):
    serializer_class = s.TierSerializer

    def get_queryset(self):
        return Tier.objects.all()

    def create_with(self, **data):
        return services.tier_create(actor=self.request.user, **data)


@extend_schema_view(list=extend_schema(summary="Sales territories (flat, in tree order)"),
                    create=extend_schema(summary="Create a territory"))
class TerritoryViewSet(_SettingsViewSet):
    serializer_class = s.TerritorySerializer
    # Whoever may add an address picks its area from this list.
    required_capabilities = {"list": (DEALERS_VIEW, COMPANY_ADDRESSES), "create": SETTINGS_EDIT}

    def get_queryset(self):
        return Territory.objects.select_related("parent")

    def create_with(self, **data):
        return services.territory_create(actor=self.request.user, **data)


@extend_schema_view(list=extend_schema(summary="Qualification types"),
                    create=extend_schema(summary="Create a qualification type"))
class QualificationTypeViewSet(_SettingsViewSet):
    serializer_class = s.QualificationTypeSerializer

    def get_queryset(self):
        return QualificationType.objects.all()

    def create_with(self, **data):
        return services.qualification_type_create(actor=self.request.user, **data)


# People of the network (/api/v1/users/, /api/v1/invitations/): scoped by the dealers the caller sees.
class UserList(generics.ListAPIView):
    """Users of this workspace that the caller may see (staff of their scope's dealers)."""

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewUsers]

    def get_queryset(self):
        return selectors.users_visible_to(self.request.user)


class InvitationList(generics.ListCreateAPIView):
    serializer_class = InvitationSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewUsers]

    def get_queryset(self):
        return invitations_visible_to(self.request.user).order_by("-created_at")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dealer_id, node_id = data.get("dealer_id"), data.get("scope_node_id")
        invitation, _raw = services.invitation_create(
            actor=request.user, email=data["email"], role=data["role"],
            dealer=selectors.dealers_visible_to(request.user).filter(pk=dealer_id).first() if dealer_id else None,
            scope_node=selectors.nodes_visible_to(request.user).filter(pk=node_id).first() if node_id else None,
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)
