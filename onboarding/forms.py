from django import forms
from django.utils.translation import gettext_lazy as _

from billing_saas.selectors import plans_for_signup
from onboarding.services import CURRENCIES
from tenant_apps.core.money import format_money


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
        self.fields["plan"].choices = [
            (plan.code, _("%(name)s — %(price)s / month after a %(days)s-day free trial") % {
                "name": plan.label, "price": " / ".join(
                    format_money(price.amount, price.currency) for price in plan.prices.all()
                    if price.interval == "month"), "days": plan.trial_days})
            for plan in plans_for_signup()
        ]
        default = next((plan.code for plan in plans_for_signup() if plan.is_default), None)
        self.fields["plan"].initial = default
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
