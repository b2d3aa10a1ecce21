"""The filters an export takes, read and validated as the list page it comes from reads them. Orders: the console
order list's own filters (tenant_apps.ordering.filters.OrderFilter, choices in the actor's scope). Shipments and
returns: their lists' status and search, plus a period and a dealer of the actor's scope."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.fulfillment.models import ReturnStatus, ShipmentStatus
from tenant_apps.ordering.filters import VIEW_KEYS
from tenant_apps.ordering.saved_views import order_filter_for


class _PeriodDealerForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label=_("Search"))
    dealer = forms.ModelChoiceField(queryset=None, required=False, label=_("Dealer"),
                                    error_messages={"invalid_choice": _("No such dealer among yours.")})

    def __init__(self, data, *, actor):
        super().__init__(data)
        self.fields["dealer"].queryset = dealers_visible_to(actor)
        self.fields["from"] = forms.DateField(required=False, label=_("From"))
        self.fields["to"] = forms.DateField(required=False, label=_("To"))

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            self.add_error("to", _("The end comes before the start."))
        return data


class ShipmentExportFilter(_PeriodDealerForm):
    status = forms.ChoiceField(choices=[("", _("Any status")), *ShipmentStatus.choices], required=False,
                               label=_("Status"))


class ReturnExportFilter(_PeriodDealerForm):
    # as the returns list: no status is the open ones (requested or approved), "all" is every state
    status = forms.ChoiceField(choices=[("open", _("Waiting (requested or approved)")), *ReturnStatus.choices,
                                        ("all", _("All"))], required=False, label=_("Status"))


SHIPMENT_KEYS = ("status", "q", "dealer", "from", "to")


def filter_params(kind: str, data: Mapping) -> dict[str, str]:
    """The parameters an export of `kind` keeps from a request's (a QueryDict or dict): known keys, non-empty,
    trimmed; what they mean is checked by `filters_check`."""
    keys = VIEW_KEYS if kind in ("orders", "order_lines") else SHIPMENT_KEYS
    return {key: str(data.get(key)).strip()[:100] for key in keys if key != "sort" and str(data.get(key) or "").strip()}


def filters_check(*, actor, kind: str, params: Mapping) -> tuple[bool, dict, dict[str, list[str]]]:
    """(valid, cleaned filters, field errors) of `params` for an export of `kind`, in the actor's scope."""
    if kind in ("orders", "order_lines"):
        filterset = order_filter_for(actor=actor, data=params)
        if not filterset.is_valid():
            return False, {}, {name: [str(e) for e in errors] for name, errors in filterset.form.errors.items()}
        return True, filterset.clean_filters(), {}
    form = (ShipmentExportFilter if kind == "shipments" else ReturnExportFilter)(params, actor=actor)
    if not form.is_valid():
        return False, {}, {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    return True, form.cleaned_data, {}
