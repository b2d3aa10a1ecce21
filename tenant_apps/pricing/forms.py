from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.prerequisites import DEALER_CODE, SKU, TERRITORY, TIER, needs
from tenant_apps.catalog.models import Unit
from tenant_apps.dealers.models import Territory, Tier
from tenant_apps.pricing.models import PriceListKind

# Whose rows a headquarters console list shows (S2B2B): its own by default; the suppliers' (read-only) on demand.
OWNER_CHOICES = [("", _("Headquarters' own")), ("suppliers", _("Suppliers' (read-only)"))]


class ListFilterForm(forms.Form):
    owner = forms.ChoiceField(label=_("Whose"), required=False, choices=OWNER_CHOICES)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *PriceListKind.choices])
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Code, name or contract")}))


class PriceListForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PriceListKind.choices)
    tier = needs(forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.all(), required=False,
                                        help_text=_("For tier lists.")), TIER)
    territory = needs(forms.ModelChoiceField(
        label=_("Region"), queryset=Territory.objects.all(), required=False,
        help_text=_("For region lists: dealers in this territory or below it.")), TERRITORY)
    dealer_code = needs(forms.CharField(label=_("Dealer code"), max_length=64, required=False,
                                        help_text=_("For dealer and contract lists.")), DEALER_CODE)
    contract_number = forms.CharField(label=_("Contract number"), max_length=64, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3,
                               help_text=_("Dealers are priced from lists in the brand's currency only."))
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("Inclusive; empty: no end."))


class PriceListEditForm(PriceListForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", "kind", "currency"):
            del self.fields[name]


class EntryForm(forms.Form):
    sku_code = needs(forms.CharField(label=_("SKU code"), max_length=64), SKU)
    unit_code = forms.ChoiceField(label=_("Unit"), required=False,
                                  help_text=_("The unit this price is for; empty: the SKU's base unit."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_code"].choices = [("", _("Base unit of the SKU")),
                                            *((code, f"{name} ({code})") for code, name in
                                              Unit.objects.order_by("name").values_list("code", "name"))]
    min_quantity = forms.IntegerField(label=_("From quantity"), min_value=1, initial=1)
    price = forms.DecimalField(label=_("Price"), min_value=0, max_digits=14, decimal_places=4)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))
    remove_missing = forms.BooleanField(label=_("Remove prices of these lists that the file does not contain"),
                                        required=False)


class ProtectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    dealer_code = needs(forms.CharField(label=_("Dealer code"), max_length=64, required=False,
                                        help_text=_("Empty: all dealers.")), DEALER_CODE)
    sku_codes = needs(forms.CharField(label=_("SKU codes"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("Separated by spaces or commas; empty: all SKUs.")), SKU)
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))


class ResaleForm(forms.Form):
    sku_code = needs(forms.CharField(label=_("SKU code"), max_length=64), SKU)
    price = forms.DecimalField(label=_("Minimum resale price (base unit)"), min_value=0, max_digits=14,
                               decimal_places=4)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))


class FloorViolationFilterForm(forms.Form):
    """Filters of the attempts below the price floor (page and API alike)."""

    supplier = forms.IntegerField(label=_("Supplier"), required=False, min_value=1, max_value=2 ** 62)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("Must be on or after the start date."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"supplier_id": data.get("supplier"), "date_from": data.get("date_from"),
                "date_to": data.get("date_to")}
