"""Console forms of the approval chain. They only shape input; approvals.services validates and writes."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.permissions import Role
from tenant_apps.accounts.prerequisites import CATEGORY, REGION, TERRITORY, TIER, needs
from tenant_apps.approvals.models import OnTimeout, StepScope
from tenant_apps.approvals.services import APPROVER_ROLES, StepSpec
from tenant_apps.catalog.models import Category
from tenant_apps.dealers.models import Node, Territory, Tier

ROLE_CHOICES = [(role.value, role.label) for role in Role if role in APPROVER_ROLES]


def _approvers():
    return get_user_model().objects.filter(is_active=True, role__in=APPROVER_ROLES).order_by("full_name", "email")


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class WorkflowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    priority = forms.IntegerField(label=_("Priority"), initial=100, help_text=_("Lower numbers are tried first."))
    min_total = forms.DecimalField(label=_("Order total from"), required=False, max_digits=16, decimal_places=2)
    max_total = forms.DecimalField(label=_("Order total up to"), required=False, max_digits=16, decimal_places=2)
    tiers = needs(forms.ModelMultipleChoiceField(label=_("Dealer tiers"), queryset=Tier.objects.all(),
                                                 required=False, help_text=_("Empty: any tier.")), TIER)
    nodes = needs(forms.ModelMultipleChoiceField(
        label=_("Regions of the network"), required=False, help_text=_("Dealers under these regions; empty: any."),
        queryset=Node.objects.filter(kind__in=[Node.Kind.HEADQUARTERS, Node.Kind.REGION])), REGION)
    territories = needs(forms.ModelMultipleChoiceField(
        label=_("Territories"), queryset=Territory.objects.all(), required=False,
        help_text=_("Dealers selling in these areas.")), TERRITORY)
    categories = needs(forms.ModelMultipleChoiceField(
        label=_("Product categories"), queryset=Category.objects.all(), required=False,
        help_text=_("Orders with a product of these categories; empty: any.")), CATEGORY)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "active": data["active"], "priority": data["priority"],
                "min_total": data["min_total"], "max_total": data["max_total"], "tiers": list(data["tiers"]),
                "nodes": list(data["nodes"]), "territories": list(data["territories"]),
                "categories": list(data["categories"])}


class StepForm(forms.Form):
    name = forms.CharField(label=_("Step name"), max_length=200)
    scope = forms.ChoiceField(label=_("Who approves"), choices=StepScope.choices, initial=StepScope.HQ)
    approver_roles = forms.MultipleChoiceField(label=_("Approver roles"), choices=ROLE_CHOICES, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    approver = forms.ModelChoiceField(label=_("Named approver"), queryset=None, required=False)
    timeout_hours = forms.IntegerField(label=_("Timeout (hours)"), required=False, min_value=1)
    on_timeout = forms.ChoiceField(label=_("On timeout"), choices=OnTimeout.choices, initial=OnTimeout.WAIT)
    escalate_roles = forms.MultipleChoiceField(label=_("Escalate to roles"), choices=ROLE_CHOICES, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    escalate_to = forms.ModelChoiceField(label=_("Escalate to person"), queryset=None, required=False)
    skip_below = forms.DecimalField(label=_("Skip when the order total is below"), required=False, max_digits=16,
                                    decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = _approvers()
        self.fields["escalate_to"].queryset = _approvers()

    def spec(self) -> StepSpec:
        data = self.cleaned_data
        return StepSpec(name=data["name"], approver_roles=data["approver_roles"], scope=data["scope"],
                        approver=data["approver"], timeout_hours=data["timeout_hours"],
                        on_timeout=data["on_timeout"], escalate_roles=data["escalate_roles"],
                        escalate_to=data["escalate_to"], skip_below=data["skip_below"])


class AutoRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    max_total = forms.DecimalField(label=_("Order total up to"), max_digits=16, decimal_places=2, min_value=0)
    tiers = needs(forms.ModelMultipleChoiceField(label=_("Dealer tiers"), queryset=Tier.objects.all(),
                                                 required=False, help_text=_("Empty: any tier.")), TIER)
