"""Input and output shapes of the dealer API. Inputs only validate and resolve references (through the
actor's scope); the views hand the validated data to the services, which do all the writing."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import DEALERS_BANK_VIEW, Role, has_perm
from tenant_apps.core.uploads import UploadSerializerField
from tenant_apps.dealers import selectors
from tenant_apps.dealers.errors import NodeNotFound
from tenant_apps.dealers.models import (
    Dealer,
    DealerAddress,
    DealerContact,
    DealerStatus,
    Node,
    Qualification,
    QualificationType,
    Territory,
    Tier,
)

MAX_ID = 2**63 - 1  # bigint: a larger id is simply not found, never a database error
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A territory code is also its ltree label (`services.territory_create`), so it keeps to ltree's letters.
TERRITORY_CODE = RegexValidator(r"^[A-Za-z0-9_]+$", _("Use letters, digits or underscore."))


class StrictInput(serializers.Serializer):
    # An input refuses fields it does not know: a typo or a read-only field is an error, not a no-op.
    # (A comment, not a docstring: the docstring would become every input's description in the schema.)
    IGNORED = frozenset({"csrfmiddlewaretoken"})

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {})) - set(self.fields) - self.IGNORED)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown or read-only field.")] for name in unknown})
        return attrs


class VisibleNodeField(serializers.IntegerField):
    """A network node id, resolved within the requesting user's scope (`selectors.node_get_for`)."""

    default_error_messages = {"not_found": _("No such place in the network.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty) -> Node | None:
        node_id = super().run_validation(data)  # an int in range (the validators run after to_internal_value)
        if node_id is None:
            return None
        try:
            return selectors.node_get_for(actor=self.context["request"].user, node_id=node_id)
        except NodeNotFound:
            self.fail("not_found")

    def to_representation(self, value) -> int:
        return value.pk if isinstance(value, Node) else value


def _enum(choices, name: str):
    """A choice field whose choices are one named component in the schema (never `ToEnum`, `Kind6b2Enum`)."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]}, component_name=name)
    class ChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    ChoiceField.__name__ = f"{name}Field"
    return ChoiceField


DealerStatusField = _enum(DealerStatus.choices, "DealerStatus")
AddressKindField = _enum(DealerAddress.Kind.choices, "AddressKind")
NodeKindField = _enum(Node.Kind.choices, "NodeKind")


def _staff(role: str):
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=role, is_active=True), required=False, allow_null=True,
        help_text=format_lazy(_("A user id with the role {role}."), role=role),
    )


def _masked(last4: str) -> str:
    return f"**** {last4}" if last4 else ""


# --- dealers ------------------------------------------------------------------------------------


class DealerOutput(serializers.ModelSerializer):
    tier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    territories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    node = serializers.IntegerField(source="node_id", read_only=True)
    parent = serializers.IntegerField(source="node.parent_id", read_only=True,
                                      help_text=_("The network node the dealer sits under."))
    path = serializers.CharField(source="node.path", read_only=True)
    supplier = serializers.IntegerField(source="supplier_id", read_only=True)
    sales_rep = serializers.IntegerField(source="sales_rep_id", read_only=True, allow_null=True)
    regional_manager = serializers.IntegerField(source="regional_manager_id", read_only=True, allow_null=True)
    status = DealerStatusField(read_only=True)
    # Not read-only on purpose: drf-spectacular documents every read-only field as always present, and this one
    # is left out for users who may not see bank details (an output serializer: nothing is ever written).
    bank_account = serializers.CharField(required=False, help_text=_("Only for users who may see bank details."))

    class Meta:
        model = Dealer
        fields = ["id", "code", "legal_name", "name", "status", "tier", "territories", "node", "parent", "path",
                  "supplier", "sales_rep", "regional_manager", "tax_number", "bank_name", "bank_account_masked",
                  "bank_account", "created_at", "updated_at"]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # the schema (drf-spectacular's fake view) documents the field, optional, whoever asks for it
        documenting = getattr(self.context.get("view"), "swagger_fake_view", False)
        if request is not None and not documenting and not has_perm(request.user, DEALERS_BANK_VIEW):
            del fields["bank_account"]  # never even decrypted for them
        return fields


class _DealerFields(StrictInput):
    legal_name = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=100)
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all(), required=False,
                                        allow_null=True, help_text=_("A tier code."))
    territories = serializers.SlugRelatedField(slug_field="code", queryset=Territory.objects.all(), many=True,
                                               required=False, help_text=_("Territory codes."))
    tax_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    bank_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=64, required=False, allow_blank=True, write_only=True)
    supplier = VisibleNodeField(required=False, help_text=_("The node the dealer buys from (headquarters if unset)."))
    sales_rep = _staff(Role.SALES_REP)
    regional_manager = _staff(Role.REGIONAL_MANAGER)


class DealerCreateInput(_DealerFields):
    parent = VisibleNodeField(help_text=_("The network node (region or dealer) the new dealer sits under."))
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                 help_text=_("Defaults to the legal name."))
    status = DealerStatusField(required=False)


class DealerUpdateInput(_DealerFields):
    """PATCH: every field optional; code, parent and status change elsewhere."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class DealerStatusInput(StrictInput):
    to = DealerStatusField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BlockersOutput(serializers.Serializer):
    blockers = serializers.ListField(child=serializers.CharField(),
                                     help_text=_("Required qualifications missing or expired (names)."))


# --- addresses, contacts, qualifications --------------------------------------------------------


class AddressOutput(serializers.ModelSerializer):
    kind = AddressKindField(read_only=True)
    territory = serializers.SlugRelatedField(slug_field="code", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)

    class Meta:
        model = DealerAddress
        fields = ["id", "kind", "label", "recipient", "phone", "territory", "territory_name", "line", "postal_code",
                  "is_default", "outside_territory", "created_at"]
        read_only_fields = fields


class AddressInput(StrictInput):
    kind = AddressKindField(default=DealerAddress.Kind.SHIPPING)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    recipient = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32)
    territory = serializers.SlugRelatedField(slug_field="code", queryset=Territory.objects.all(),
                                             help_text=_("The territory (area) code of the address."))
    line = serializers.CharField(max_length=300)
    postal_code = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    is_default = serializers.BooleanField(required=False, default=False)


class ContactOutput(serializers.ModelSerializer):
    # a contact's email is optional: "" when none (a model EmailField would be documented as format email)
    email = serializers.CharField(read_only=True)

    class Meta:
        model = DealerContact
        fields = ["id", "name", "title", "phone", "email", "is_primary"]
        read_only_fields = fields


class ContactInput(StrictInput):
    name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    is_primary = serializers.BooleanField(required=False, default=False)


class QualificationOutput(serializers.ModelSerializer):
    type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    type_name = serializers.CharField(source="type.name", read_only=True)
    number_masked = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = ["id", "type", "type_name", "number_masked", "file", "valid_from", "valid_to", "created_at"]
        read_only_fields = fields

    def get_number_masked(self, qualification) -> str:
        return _masked(qualification.number_last4)

    def get_file(self, qualification) -> str | None:
        # The scoped download (always an attachment): media never serves qualification documents.
        return reverse("storefront:qualification-file", args=[qualification.pk]) if qualification.file else None


class QualificationInput(StrictInput):
    type = serializers.SlugRelatedField(slug_field="code", queryset=QualificationType.objects.all(),
                                        help_text=_("A qualification type code."))
    number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="", write_only=True)
    file = UploadSerializerField(kind="document", max_bytes=MAX_UPLOAD_BYTES, required=False, allow_null=True,
                                 max_length=80, help_text=_("PDF, JPEG or PNG, at most 10 MB."))
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)


# --- the network tree ---------------------------------------------------------------------------


class NodeOutput(serializers.ModelSerializer):
    kind = NodeKindField(read_only=True)
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Node
        fields = ["id", "parent", "kind", "name", "code", "path", "depth"]
        read_only_fields = fields


class RegionInput(StrictInput):
    parent = VisibleNodeField(help_text=_("Headquarters or a region."))
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=64)


class NodeMoveInput(StrictInput):
    parent = VisibleNodeField(help_text=_("The new parent node."))


# --- brand settings -----------------------------------------------------------------------------


class TierSerializer(StrictInput, serializers.ModelSerializer):
    rank = serializers.IntegerField(min_value=0, max_value=32767, required=False, default=0)

    class Meta:
        model = Tier
        fields = ["id", "code", "name", "rank"]
        extra_kwargs = {"code": {"validators": []}}  # uniqueness: services.tier_create


class TerritorySerializer(StrictInput, serializers.ModelSerializer):
    code = serializers.CharField(max_length=32, validators=[TERRITORY_CODE])
    parent = serializers.SlugRelatedField(slug_field="code", queryset=Territory.objects.all(), required=False,
                                          allow_null=True, help_text=_("The parent territory's code."))

    class Meta:
        model = Territory
        fields = ["id", "code", "name", "parent", "path"]
        read_only_fields = ["path"]


class QualificationTypeSerializer(StrictInput, serializers.ModelSerializer):
    code = serializers.CharField(max_length=32, validators=[
        UniqueValidator(queryset=QualificationType.objects.all(), message=_("This code is already used."))
    ])
    reminder_days = serializers.IntegerField(min_value=0, max_value=365, required=False, default=30)

    class Meta:
        model = QualificationType
        fields = ["id", "code", "name", "required", "reminder_days"]


# --- import and export --------------------------------------------------------------------------


class ExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


class ImportInput(StrictInput):
    # Its size, rows, columns...: the reader's limits (tenant_apps.core.table_limits), a 413 naming the limit.
    file = serializers.FileField(max_length=200, help_text=_("A CSV or XLSX file with the export's columns."))


class ImportRowError(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()
    count = serializers.IntegerField(required=False, help_text=_(
        "Only on the last line of a capped list (at most 100 errors are listed): how many more there are."))


class ImportTooLarge(serializers.Serializer):
    """413: the file is past one of the spreadsheet limits (rows, columns, cell length, size, inflated size)."""

    code = serializers.CharField()  # "file_too_large"
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text=_("The limit, on the field “file”."))


class ImportApplied(serializers.Serializer):
    applied = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()


class ImportRefused(serializers.Serializer):
    """400: a file with errors (`rows`, `errors` per row; code import_invalid), or a request refused before
    reading any row (`fields`: the field errors, code invalid)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    rows = serializers.IntegerField(required=False)
    errors = ImportRowError(many=True, required=False)
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
