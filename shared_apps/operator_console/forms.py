from django import forms
from django.utils.translation import gettext_lazy as _

from billing_saas.models import Plan
from shared_apps.operator_console.services import SUPPORT_MINUTES
from tenants.models import TenantStatus


class TenantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, subdomain or domain")}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *TenantStatus.choices])
    plan = forms.ChoiceField(label=_("Plan"), required=False)
    created_from = forms.DateField(label=_("Created from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", _("All plans")), *((p.code, p.label) for p in Plan.objects.all())]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SupportGrantForm(ReasonForm):
    minutes = forms.TypedChoiceField(
        label=_("For"), coerce=int, initial=60,
        choices=[(m, _("%(m)s minutes") % {"m": m}) for m in SUPPORT_MINUTES],
    )


class TrialExtendForm(ReasonForm):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=90, initial=14)
    field_order = ["days", "reason"]


class CompForm(ReasonForm):
    periods = forms.IntegerField(label=_("Periods free"), min_value=1, max_value=12, initial=1,
                                 help_text=_("Months or years, as the subscription is billed."))
    field_order = ["periods", "reason"]


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:
        return obj.label


class PlanSetForm(ReasonForm):
    plan = PlanChoiceField(label=_("New plan"), queryset=Plan.objects.all(), to_field_name="code",
                           empty_label=None, help_text=_("Now, without charging."))
    field_order = ["plan", "reason"]
