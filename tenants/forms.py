from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tenant_apps.core.money import format_money
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


class FapiaoRequestForm(forms.Form):
    """A Chinese invoice (发票) for one of the brand's paid payments (billing_saas.services_fapiao checks the tax
    details; the form only bounds the input)."""

    payment_ref = forms.ChoiceField(label=gettext_lazy("Payment"))
    kind = forms.ChoiceField(label=gettext_lazy("Invoice type"), widget=forms.RadioSelect)
    title = forms.CharField(label=gettext_lazy("Invoice title"), max_length=100,
                            help_text=gettext_lazy("The buyer's name exactly as registered."))
    tax_id = forms.CharField(label=gettext_lazy("Taxpayer ID"), max_length=40,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                             help_text=gettext_lazy("The unified social credit code: 18 characters, on the "
                                                    "business licence."))
    address_phone = forms.CharField(label=gettext_lazy("Registered address and phone"), max_length=200,
                                    required=False,
                                    help_text=gettext_lazy("Needed for a special VAT invoice."))
    bank_account = forms.CharField(label=gettext_lazy("Bank and account number"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                   help_text=gettext_lazy("Needed for a special VAT invoice."))
    email = forms.EmailField(label=gettext_lazy("Send the invoice to"), max_length=254)

    def __init__(self, *args, payments, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.payments = {payment.ref: payment for payment in payments}
        self.fields["payment_ref"].choices = [(payment.ref, label) for payment, label in
                                              ((payment, payment_label(payment)) for payment in payments)]
        self.fields["kind"].choices = kinds


def payment_label(payment) -> str:
    """One paid payment as the form offers it: when, how, for what, how much."""
    methods = {"alipay": _("Alipay"), "wechat_pay": _("WeChat Pay"), "card": _("Card")}
    parts = [date_format(payment.paid_at, "DATE_FORMAT") if payment.paid_at else "",
             str(methods.get(payment.method, payment.method)), format_money(payment.amount, payment.currency)]
    if payment.interval:
        count = payment.periods
        parts.insert(2, (ngettext("%(count)s year", "%(count)s years", count) if payment.interval == "year"
                         else ngettext("%(count)s month", "%(count)s months", count)) % {"count": count})
    return " · ".join(part for part in parts if part)


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
