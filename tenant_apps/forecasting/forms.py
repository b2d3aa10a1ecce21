from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.dealers.models import Node


class AccuracyFilterForm(forms.Form):
    q = forms.CharField(label=_("SKU"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("SKU code or name")}))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Node.objects.none(), required=False,
                                    empty_label=_("All regions"))

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions


class SkuFilterForm(forms.Form):
    q = forms.CharField(label=_("SKU"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("SKU code or name")}))
    weeks = forms.IntegerField(label=_("Weeks ahead"), required=False, min_value=1, max_value=26)
