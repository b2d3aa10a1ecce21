"""The filters of the analysis pages. Every choice is limited to what the reader may see (regions and sales
reps of their part of the network); anything else is a field error."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.catalog.models import Category
from tenant_apps.dealers.models import Node, Tier
from tenant_apps.dealers.selectors import dealers_visible_to, nodes_visible_to
from tenant_apps.inventory.models import Warehouse
from tenant_apps.promotions.models import PromotionStatus
from tenant_apps.reporting.analyses.common import month_add, month_start

MAX_PERIOD_DAYS = 366 * 5


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    default_days = 90

    def default_from(self, date_to):
        return date_to - timedelta(days=self.default_days - 1)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or self.default_from(date_to)
        if date_to < date_from:
            self.add_error("date_to", _("The end comes before the start."))
        elif (date_to - date_from).days > MAX_PERIOD_DAYS:
            self.add_error("date_to", _("Choose a period of five years at most."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data


class InventoryFilterForm(PeriodForm):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.order_by("code"),
                                       required=False, empty_label=_("All warehouses"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.order_by("path"),
                                      required=False, empty_label=_("All categories"))
    days = forms.IntegerField(label=_("Recent days"), min_value=1, max_value=365, required=False,
                              help_text=_("Days of supply and slow movers look at the shipments of these last "
                                          "days."))

    def clean_days(self):
        return self.cleaned_data.get("days") or 30


class DealerFilterForm(PeriodForm):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Node.objects.none(), required=False,
                                    empty_label=_("All regions"))
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.order_by("rank", "code"), required=False,
                                  empty_label=_("All tiers"))
    rep = forms.ModelChoiceField(label=_("Sales rep"), queryset=get_user_model().objects.none(), required=False,
                                 empty_label=_("All sales reps"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = nodes_visible_to(user).filter(kind=Node.Kind.REGION).order_by("path")
        self.fields["rep"].queryset = get_user_model().objects.filter(
            pk__in=dealers_visible_to(user).filter(sales_rep__isnull=False).values("sales_rep_id")).order_by("email")
        self.fields["rep"].label_from_instance = lambda u: u.full_name or u.email

    def default_from(self, date_to):
        return month_add(month_start(date_to), -11)


class PromotionFilterForm(PeriodForm):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Every status")), *PromotionStatus.choices])


class PricingFilterForm(PeriodForm):
    cut = forms.DecimalField(label=_("Assumed price cut (%)"), min_value=Decimal("0.1"), max_value=Decimal(100),
                             decimal_places=1, required=False,
                             help_text=_("Exposure: what protection would owe if prices fell by this much now."))
    default_days = 365

    def clean_cut(self):
        return self.cleaned_data.get("cut") or Decimal(10)
