"""Forms of the dealer network's pages. They only parse and shape input; every rule that needs
the database is checked by dealers.services, whose domain errors the views put back on the form
(core.forms.apply_domain_error). Choices of nodes come from the actor's scope (selectors.nodes_visible_to),
so a node outside it is "not a valid choice"."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts import prerequisites as pre
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Role
from tenant_apps.accounts.prerequisites import needs
from tenant_apps.core.uploads import UploadField
from tenant_apps.dealers import selectors
from tenant_apps.dealers.models import (
    DealerAddress,
    DealerStatus,
    NetworkSettings,
    Node,
    QualificationType,
    Territory,
    Tier,
)

INDENT = "\u2003"  # an em space per level of the tree in a select
MAX_QUALIFICATION_FILE_BYTES = 10 * 1024 * 1024


class NodeChoiceField(forms.ModelChoiceField):
    """A place in the network, indented by its depth, with its code."""

    def label_from_instance(self, obj: Node) -> str:
        return f"{INDENT * obj.depth}{obj.name} ({obj.code})"


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        return f"{INDENT * obj.path.count('.')}{obj.name} ({obj.code})"


class TerritoryMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        return f"{INDENT * obj.path.count('.')}{obj.name} ({obj.code})"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- the dealer list ----------------------------------------------------------------------------


class DealerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Code or name"), "aria-label": _("Search")}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *DealerStatus.choices],
                               widget=forms.Select(attrs={"aria-label": _("Status")}))
    tier = forms.ChoiceField(label=_("Tier"), required=False, widget=forms.Select(attrs={"aria-label": _("Tier")}))
    under = forms.IntegerField(label=_("Region"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("All tiers")), *((tier.code, tier.name) for tier in tiers)]


# --- dealers ------------------------------------------------------------------------------------


class DealerForm(forms.Form):
    """Create (with `parent`) or edit a dealer. Bank fields only for users who may see them."""

    parent = needs(NodeChoiceField(label=_("Place in the network"), queryset=Node.objects.none(),
                                   empty_label=_("Choose a region or dealer"),
                                   help_text=_("The region or dealer this dealer sits under.")), pre.NETWORK_PLACE)
    code = forms.CharField(label=_("Dealer code"), max_length=64)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    name = forms.CharField(label=_("Short name"), max_length=100, required=False,
                           help_text=_("Shown in lists; the legal name if empty."))
    tier = needs(forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.all(), required=False,
                                        empty_label=_("No tier")), pre.TIER)
    territories = needs(TerritoryMultipleChoiceField(
        label=_("Sales territories"), queryset=Territory.objects.all(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Where the dealer may ship. Hold Ctrl (⌘ on a Mac) to choose more than one; none: anywhere.")),
        pre.TERRITORY)
    tax_number = forms.CharField(label=_("Tax number"), max_length=32, required=False,
                                 help_text=_("The 18-character unified social credit code."))
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=64, required=False)
    supplier = NodeChoiceField(label=_("Supplier"), queryset=Node.objects.none(), required=False,
                               empty_label=_("Headquarters"),
                               help_text=_("Who this dealer buys from: headquarters or a dealer (agent) above it."))
    sales_rep = needs(UserChoiceField(
        label=_("Sales representative"), required=False, empty_label=_("None"),
        queryset=User.objects.filter(role=Role.SALES_REP, is_active=True).order_by("email")), pre.SALES_REP)
    regional_manager = needs(UserChoiceField(
        label=_("Regional manager"), required=False, empty_label=_("None"),
        queryset=User.objects.filter(role=Role.REGIONAL_MANAGER, is_active=True).order_by("email")),
        pre.REGIONAL_MANAGER)

    def __init__(self, *args, actor, dealer=None, bank_editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        visible = selectors.nodes_visible_to(actor)
        # Headquarters is the empty choice; the other suppliers are dealers (agents) the actor sees that headquarters
        # made active suppliers (S2B2B), above the dealer (dealers.services checks it again).
        suppliers = visible.filter(kind=Node.Kind.DEALER, as_supplier__active=True)
        if dealer is None:
            self.fields["parent"].queryset = visible
        else:
            del self.fields["parent"]
            del self.fields["code"]  # a dealer's code is its key in imports and integrations
            suppliers = suppliers.filter(path__ancestor_of=dealer.node.path).exclude(pk=dealer.node_id)
            if dealer.supplier.kind == Node.Kind.DEALER:
                suppliers = suppliers | Node.objects.filter(pk=dealer.supplier_id)  # keep the current one
        self.fields["supplier"].queryset = suppliers
        if not bank_editable:
            del self.fields["bank_name"]
            del self.fields["bank_account"]
        elif dealer is not None and dealer.bank_account_last4:
            self.fields["bank_account"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": dealer.bank_account_masked}

    @staticmethod
    def initial_for(dealer) -> dict:
        return {
            "legal_name": dealer.legal_name, "name": dealer.name, "tier": dealer.tier_id,
            "territories": [territory.pk for territory in dealer.territories.all()],
            "tax_number": dealer.tax_number, "bank_name": dealer.bank_name,
            "supplier": dealer.supplier_id if dealer.supplier.kind == Node.Kind.DEALER else None,
            "sales_rep": dealer.sales_rep_id, "regional_manager": dealer.regional_manager_id,
        }

    def clean_tax_number(self):
        return self.cleaned_data["tax_number"].strip().upper()


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=DealerStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AddressForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DealerAddress.Kind.choices, initial=DealerAddress.Kind.SHIPPING)
    recipient = forms.CharField(label=_("Recipient"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=32, widget=forms.TextInput(attrs={"type": "tel"}))
    territory = needs(TerritoryChoiceField(label=_("Area"), queryset=Territory.objects.all(),
                                           empty_label=_("Choose an area")), pre.TERRITORY)
    line = forms.CharField(label=_("Address"), max_length=300, help_text=_("Street, number, building, floor."))
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    label = forms.CharField(label=_("Label"), max_length=100, required=False,
                            help_text=_("For example: main warehouse."))
    is_default = forms.BooleanField(label=_("Default shipping address"), required=False)


class ShippingAddressForm(AddressForm):
    """A dealer's own staff add shipping addresses only."""

    kind = None


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class QualificationForm(forms.Form):
    type = needs(forms.ModelChoiceField(label=_("Type"), queryset=QualificationType.objects.all(),
                                        empty_label=_("Choose a type")), pre.QUALIFICATION_TYPE)
    number = forms.CharField(label=_("Licence number"), max_length=100, required=False)
    file = UploadField(kind="document", max_bytes=MAX_QUALIFICATION_FILE_BYTES, label=_("File"), required=False,
                       help_text=_("PDF, JPEG or PNG, at most 10 MB."))
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=_date_input())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=_date_input())


# --- the tree -----------------------------------------------------------------------------------


class RegionForm(forms.Form):
    parent = needs(NodeChoiceField(label=_("Under"), queryset=Node.objects.none(), empty_label=_("Choose a place")),
                   pre.HEADQUARTERS)
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=64)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = selectors.nodes_visible_to(actor).exclude(kind=Node.Kind.DEALER)


class MoveForm(forms.Form):
    new_parent = NodeChoiceField(label=_("New place"), queryset=Node.objects.none(), empty_label=_("Choose a place"),
                                 error_messages={"required": _("Choose where to move it.")})

    def __init__(self, *args, actor, node: Node, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.nodes_visible_to(actor).exclude(path__descendant_of=node.path)
        if node.parent_id:
            choices = choices.exclude(pk=node.parent_id)
        if node.kind == Node.Kind.REGION:
            choices = choices.exclude(kind=Node.Kind.DEALER)
        self.fields["new_parent"].queryset = choices


# --- import -------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8) or Excel (.xlsx), at most 20 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload  # its size, rows, columns...: the reader's limits (tenant_apps.core.table_limits), a 413


# --- settings -----------------------------------------------------------------------------------


class TierForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    rank = forms.IntegerField(label=_("Rank"), min_value=0, max_value=32767, initial=1,
                              help_text=_("1 is the highest."))


class TerritoryForm(forms.Form):
    parent = TerritoryChoiceField(label=_("Inside"), queryset=Territory.objects.all(), required=False,
                                  empty_label=_("None (top level)"))
    code = forms.RegexField(label=_("Code"), max_length=32, regex=r"^[A-Za-z0-9_]+$",
                            help_text=_("The administrative code, such as 310000 for Shanghai."),
                            error_messages={"invalid": _("Use letters, digits or underscore.")})
    name = forms.CharField(label=_("Name"), max_length=100)


class QualificationTypeForm(forms.Form):
    code = forms.RegexField(label=_("Code"), max_length=32, regex=r"^[A-Za-z0-9_.-]+$",
                            error_messages={"invalid": _("Use letters, digits, dot, dash or underscore.")})
    name = forms.CharField(label=_("Name"), max_length=100)
    required = forms.BooleanField(label=_("Required to order"), required=False,
                                  help_text=_("Dealers without a valid one cannot order."))
    reminder_days = forms.IntegerField(label=_("Remind days before expiry"), min_value=0, max_value=365, initial=30)

    def clean_code(self):
        # services.qualification_type_create does not report a taken code as a field error (yet).
        code = self.cleaned_data["code"]
        if QualificationType.objects.filter(code=code).exists():
            raise forms.ValidationError(_("This code is already used."))
        return code


class ChannelPolicyForm(forms.Form):
    channel_conflict_policy = forms.ChoiceField(label=_("Shipping outside a dealer's territories"),
                                                choices=NetworkSettings.ConflictPolicy.choices,
                                                widget=forms.RadioSelect)


class PeopleSettingForm(forms.Form):
    dealers_manage_people = forms.BooleanField(
        label=_("Dealers' owners invite and manage their own people"), required=False,
        help_text=_("Their buyers and finance staff, and what each may do: order, see prices, pay, approve "
                    "internally. You see who they added on each dealer's page."))


class CompanyInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.DEALER_BUYER.value, Role.DEALER_BUYER.label),
                                                        (Role.DEALER_FINANCE.value, Role.DEALER_FINANCE.label)])


class PersonRightsForm(forms.Form):
    """What one of a dealer's people may do within the company (dealers.people.person_rights_set)."""

    order = forms.BooleanField(label=_("May submit orders"), required=False)
    see_prices = forms.BooleanField(label=_("May see prices"), required=False)
    pay = forms.BooleanField(label=_("May pay"), required=False)
    approve = forms.BooleanField(label=_("May approve orders internally"), required=False)
    approval_limit = forms.DecimalField(
        label=_("Orders above this amount wait for internal approval"), required=False, min_value=0,
        max_digits=16, decimal_places=2, help_text=_("Leave empty for no internal approval."))


# --- the dealer's own account ---------------------------------------------------------------------


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language"), required=False,
        choices=[("", _("As my browser says")), *settings.LANGUAGES],
        help_text=_("The language of pages and messages for you."),
    )
