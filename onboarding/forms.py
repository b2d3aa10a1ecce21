from django import forms
from django.utils.translation import gettext_lazy as _

from billing_saas.selectors import PlanOffer, plan_currencies, plan_offers, plans_for_signup
from onboarding.services import CURRENCIES
from tenant_apps.core.money import format_money


def _plan_prices(offer: PlanOffer) -> str:
    """A plan's prices in one currency: ¥1,999.00 / month or ¥19,990.00 / year."""
    monthly = format_money(offer.monthly.amount, offer.currency) if offer.monthly else None
    yearly = format_money(offer.yearly.amount, offer.currency) if offer.yearly else None
    if monthly and yearly:
        return _("%(monthly)s / month or %(yearly)s / year") % {"monthly": monthly, "yearly": yearly}
    return _("%(price)s / month") % {"price": monthly} if monthly else _("%(price)s / year") % {"price": yearly}


class SignupForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(label=_("Subdomain"), max_length=40, help_text=_("Your dealers will order at this address."))
    owner_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=True),
                               help_text=_("At least 10 characters; not a common password."))
    locale = forms.ChoiceField(label=_("Language"), choices=[("zh-hans", "简体中文"), ("en", "English")])
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES])
    plan = forms.ChoiceField(label=_("Plan"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plans = plans_for_signup()
        self.fields["plan"].choices = [
            (plan.code, _("%(name)s — %(days)s-day free trial, then %(prices)s") % {
                "name": plan.label, "days": plan.trial_days, "prices": "; ".join(
                    _plan_prices(offer) for currency in plan_currencies(plans)
                    for offer in plan_offers([plan], currency))})
            for plan in plans
        ]
        self.fields["plan"].initial = next((plan.code for plan in plans if plan.is_default), None)
        slug = self.fields["slug"].widget.attrs
        slug.update({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"})


class FindWorkspaceForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class WorkspaceAddressForm(forms.Form):
    """The address of a workspace as people remember it: its subdomain ("acme"), its host ("acme.example.com")
    or a link to it; cleaned to the subdomain."""

    workspace = forms.CharField(label=_("Workspace address"), max_length=253)

    def clean_workspace(self) -> str:
        value = self.cleaned_data["workspace"].strip().lower()
        value = value.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        slug = value.split(".", 1)[0]
        if not slug or not all(char.isalnum() or char == "-" for char in slug):
            raise forms.ValidationError(_("Enter your workspace's address, such as acme."))
        return slug
