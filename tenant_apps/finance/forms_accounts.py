"""Forms of the finance core pages. They only shape input: amounts stay text and are checked by finance.services
(clean_amount: a number, not too fine, not too big, never a float), whose field errors the views put back on the
form (core.forms.apply_domain_error)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.finance.models import SettlementMode, TermsKind


def _amount(label, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=40, help_text=help_text,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


def _days(label, *, required: bool = True, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=0, max_value=365, help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def _currency() -> forms.CharField:
    return forms.CharField(label=_("Currency"), max_length=3, min_length=3,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}))


def blank(value):
    """An empty field is None: the service keeps (or falls back to) what is there."""
    return None if value in ("", None) else value


class AccountFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Dealer code or name"), "aria-label": _("Search")}))
    mode = forms.ChoiceField(required=False, choices=[("", _("All settlement modes")), *SettlementMode.choices],
                             widget=forms.Select(attrs={"aria-label": _("Settlement mode")}))


class SettlementForm(forms.Form):
    """A dealer's own terms: an empty field keeps the brand's default."""

    mode = forms.ChoiceField(label=_("Settlement mode"), required=False)
    credit_limit = _amount(_("Credit limit"), required=False, help_text=_("Empty: the brand's default."))
    terms_days = _days(_("Payment terms (net days)"), required=False, help_text=_("Empty: the brand's default."))

    def __init__(self, *args, default_mode_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [("", _("Brand default (%(mode)s)") % {"mode": default_mode_label}),
                                       *SettlementMode.choices]


class TopUpForm(forms.Form):
    amount = _amount(_("Amount received"))
    currency = _currency()
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100,
                                help_text=_("The bank's transaction number, a receipt number."))
    reason = forms.CharField(label=_("Note"), required=False, max_length=255)


class AdjustmentForm(forms.Form):
    amount = _amount(_("Amount"), help_text=_("Positive in the dealer's favour, negative against it (-200.00)."))
    currency = _currency()
    reason = forms.CharField(label=_("Reason"), max_length=255)


class TermsForm(forms.Form):
    """The brand's payment terms, reminders and statement day (finance.services_receivables.finance_terms_update)."""

    terms_kind = forms.ChoiceField(label=_("Payment terms"), choices=TermsKind.choices)
    cutoff_day = forms.IntegerField(label=_("Monthly terms: goods shipped up to this day (1-31)"), min_value=1,
                                    max_value=31, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    due_day = forms.IntegerField(label=_("are due on this day of the next month (1-28)"), min_value=1, max_value=28,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    remind_before_days = _days(_("Remind dealers days before due (0: never)"))
    remind_after_days = _days(_("Remind dealers days after due (0: never)"))
    statement_cutoff_day = forms.IntegerField(label=_("Monthly statements close on day (0: the month's last day)"),
                                              min_value=0, max_value=28,
                                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class SettingsForm(forms.Form):
    settlement_mode = forms.ChoiceField(label=_("Default settlement mode"), choices=SettlementMode.choices)
    credit_limit = _amount(_("Default credit limit"))
    terms_days = _days(_("Payment terms (net days)"))
    overdue_block_days = _days(_("Block new orders after days overdue"))
    adjustment_threshold = _amount(_("Adjustments above this need a second person"))
    rebate_share = forms.CharField(label=_("Share of an order that rebates may pay (%)"), max_length=10,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
