from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.prerequisites import SKU, WAREHOUSE, needs
from tenant_apps.inventory.models import MovementKind, Warehouse

# Whose warehouses a headquarters console page shows (S2B2B): its own by default; the suppliers' (read-only).
OWNER_CHOICES = [("", _("Headquarters' own")), ("suppliers", _("Suppliers' (read-only)"))]


class StockFilterForm(forms.Form):
    owner = forms.ChoiceField(label=_("Whose"), required=False, choices=OWNER_CHOICES)
    q = forms.CharField(label=_("SKU"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("SKU code or name")}))
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False,
                                       empty_label=_("All warehouses"))
    low = forms.BooleanField(label=_("Low or out only"), required=False)


class LedgerFilterForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False,
                                       empty_label=_("All warehouses"))
    kind = forms.ChoiceField(label=_("Movement"), required=False, choices=[("", _("All movements")),
                                                                            *MovementKind.choices])
    reference = forms.CharField(label=_("Reference"), required=False)


class AdjustmentForm(forms.Form):
    sku_code = needs(forms.CharField(label=_("SKU code"), max_length=64), SKU)
    # headquarters' own: a supplier's stock is changed by its own people (core.ownership)
    warehouse = needs(forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.filter(
        owner__isnull=True)), WAREHOUSE)
    delta = forms.IntegerField(label=_("Change (+/-)"))
    reason = forms.CharField(label=_("Reason"), max_length=255)


class WarehouseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
