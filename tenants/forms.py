from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.domains import MAX_CUSTOM_DOMAINS


class DomainAddForm(forms.Form):
    domain = forms.CharField(
        label=gettext_lazy("Domain"),
        max_length=253,
        widget=forms.TextInput(attrs={"placeholder": "order.yourbrand.com", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].help_text = _(
            "A domain of your own, such as order.yourbrand.com. You can add up to %(count)d."
        ) % {"count": MAX_CUSTOM_DOMAINS}


class PlanChoiceForm(forms.Form):
    """A plan offered to brands and how it is billed (the plan and billing page)."""

    plan = forms.ChoiceField(label=gettext_lazy("Plan"))
    interval = forms.ChoiceField(label=gettext_lazy("Billed"), initial="month",
                                 choices=[("month", gettext_lazy("Monthly")), ("year", gettext_lazy("Yearly"))])

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = {plan.code: plan for plan in plans}
        self.fields["plan"].choices = [(plan.code, plan.label) for plan in plans]

    def clean_plan(self):
        return self.plans[self.cleaned_data["plan"]]


class PrepayForm(forms.Form):
    """Periods paid ahead by Alipay or WeChat Pay (they cannot renew by themselves)."""

    method = forms.ChoiceField(label=gettext_lazy("Pay with"), widget=forms.RadioSelect, initial="alipay",
                               choices=[("alipay", gettext_lazy("Alipay")), ("wechat_pay", gettext_lazy("WeChat Pay"))])
    periods = forms.IntegerField(label=gettext_lazy("Periods"), min_value=1, max_value=36, initial=12)
