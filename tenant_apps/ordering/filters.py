"""The console order list's filters. django-filter reads and validates the query parameters (a bad value is a
400 with field errors on the page); the filtering itself is the selector's (`selectors.order_list`). Every
choice offered is in the actor's data scope: a regional manager picks among the regions of their part of the
network and the sales reps of their dealers, so a filter narrows what they see and never widens it."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.models import User
from tenant_apps.dealers.models import Node
from tenant_apps.dealers.selectors import dealers_visible_to, nodes_visible_to
from tenant_apps.inventory.models import Warehouse
from tenant_apps.ordering.models import Order, OrderStatus

# The query parameters a saved view keeps (the page number is not one of them).
VIEW_KEYS = ("status", "q", "dealer", "from", "to", "region", "sales_rep", "amount_min", "amount_max", "warehouse",
             "outside_territory", "sort")


def _regions(request):
    if request is None:
        return Node.objects.none()
    return nodes_visible_to(request.user).filter(kind__in=[Node.Kind.HEADQUARTERS, Node.Kind.REGION])


def _sales_reps(request):
    if request is None:
        return User.objects.none()
    return User.objects.filter(pk__in=dealers_visible_to(request.user).filter(sales_rep__isnull=False)
                               .values("sales_rep")).order_by("full_name", "email")


def _warehouses(request):
    return Warehouse.objects.filter(is_active=True).order_by("code")


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.email


class PersonChoice(filters.ModelChoiceFilter):
    field_class = PersonField


class OrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    q = filters.CharFilter(max_length=100, label=_("Search"))
    dealer = filters.NumberFilter(min_value=1, label=_("Dealer"))
    region = filters.ModelChoiceFilter(
        queryset=_regions, label=_("Region"), empty_label=_("Any region"),
        error_messages={"invalid_choice": _("No such region in your part of the network.")})
    sales_rep = PersonChoice(queryset=_sales_reps, label=_("Sales rep"), empty_label=_("Any sales rep"),
                             error_messages={"invalid_choice": _("No such sales rep among your dealers.")})
    amount_min = filters.NumberFilter(min_value=0, max_digits=16, decimal_places=2, label=_("Amount from"))
    amount_max = filters.NumberFilter(min_value=0, max_digits=16, decimal_places=2, label=_("Amount to"))
    warehouse = filters.ModelChoiceFilter(queryset=_warehouses, label=_("Warehouse"), empty_label=_("Any warehouse"),
                                          error_messages={"invalid_choice": _("No such warehouse.")})
    # 防窜货: the orders let through, flagged, although shipped outside their dealer's territories (true / false)
    outside_territory = filters.BooleanFilter(label=_("Outside territory"))

    class Meta:
        model = Order
        fields: list[str] = []

    def clean_filters(self) -> dict:
        """The valid filters as keyword arguments of `selectors.order_list` (call after `is_valid()`)."""
        data = self.form.cleaned_data
        return {"status": data.get("status") or "", "q": data.get("q") or "", "dealer_id": data.get("dealer"),
                "date_from": data.get("from"), "date_to": data.get("to"), "region": data.get("region"),
                "sales_rep": data.get("sales_rep"), "amount_min": data.get("amount_min"),
                "amount_max": data.get("amount_max"), "warehouse": data.get("warehouse"),
                "outside_territory": data.get("outside_territory")}


# The dates keep their short names in the address (?from=...&to=...), which are Python keywords.
OrderFilter.base_filters["from"] = filters.DateFilter(label=_("From"))
OrderFilter.base_filters["to"] = filters.DateFilter(label=_("To"))
