"""Forms of the bank transfer pages: a dealer's transfer record (with a slip photo: core.uploads), a statement
upload, a match by hand, a reason, the brand's receiving account and a statement mapping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.uploads import IMAGE_MAX_BYTES, UploadField
from tenant_apps.finance.bank.mappings import MAPPING_FIELDS
from tenant_apps.finance.models import BankMapping

FIELD_LABELS = {
    "date": _("Date"), "credit": _("Credit (money in)"), "debit": _("Debit (money out)"),
    "amount": _("Signed amount (instead of credit/debit)"), "direction": _("Direction (debit/credit mark)"),
    "payer_name": _("Payer name"), "payer_account": _("Payer account"), "remark": _("Remark / purpose"),
    "serial": _("Bank serial"), "currency": _("Currency"),
}


class RemittanceForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    paid_on = forms.DateField(label=_("Transfer date"), widget=forms.DateInput(attrs={"type": "date"}))
    payer_name = forms.CharField(label=_("Payer account name"), max_length=200,
                                 help_text=_("The name of the account the money was sent from."))
    payer_bank = forms.CharField(label=_("Payer bank"), max_length=100, required=False)
    remark = forms.CharField(label=_("Remark on the transfer"), max_length=200, required=False,
                             help_text=_("What you wrote in the transfer's remark, such as your payment code."))
    slip = UploadField(kind="image", max_bytes=IMAGE_MAX_BYTES, label=_("Transfer slip"), required=False,
                       help_text=_("A photo or screenshot of the transfer: PNG, JPEG or WebP."))


class StatementForm(forms.Form):
    mapping = forms.ModelChoiceField(label=_("Bank"), queryset=BankMapping.objects.none(), to_field_name="code")
    file = forms.FileField(label=_("Statement file"), help_text=_("The bank's export: CSV or Excel (.xlsx)."))

    def __init__(self, *args, mappings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mappings is not None:
            self.fields["mapping"].queryset = mappings

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class ManualMatchForm(forms.Form):
    dealer = forms.CharField(label=_("Dealer code"), max_length=64)
    reference = forms.CharField(label=_("Order number"), max_length=100, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class BankSettingsForm(forms.Form):
    account_name = forms.CharField(label=_("Account name"), max_length=200, required=False)
    bank_name = forms.CharField(label=_("Bank and branch"), max_length=200, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=64, required=False)
    note = forms.CharField(label=_("Note for dealers"), max_length=500, required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    auto_confirm_high = forms.BooleanField(
        label=_("Confirm high-confidence matches automatically"), required=False,
        help_text=_("A line whose remark names an order number or a dealer's payment code is applied at once."))


class MappingForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    encoding = forms.ChoiceField(label=_("Encoding (CSV)"), choices=BankMapping.Encoding.choices)
    header_row = forms.IntegerField(label=_("Header row"), min_value=0, max_value=100, initial=0,
                                    help_text=_("0 finds it (bank exports start with title rows)."))
    date_formats = forms.CharField(label=_("Date formats"), max_length=200, required=False,
                                   help_text=_("Such as %Y-%m-%d|%Y%m%d, tried before the usual ones."))
    credit_marks = forms.CharField(label=_("Credit marks"), max_length=100, required=False,
                                   help_text=_("With a direction column: its values that mean money in, "
                                               "separated by “|”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in MAPPING_FIELDS:
            self.fields[f"col_{field}"] = forms.CharField(
                label=FIELD_LABELS[field], max_length=500, required=False,
                help_text=_("Header names, separated by “|”."))

    def columns(self) -> dict:
        return {field: [name.strip() for name in self.cleaned_data[f"col_{field}"].split("|") if name.strip()]
                for field in MAPPING_FIELDS}

    @staticmethod
    def initial_for(mapping: BankMapping) -> dict:
        initial = {"code": mapping.code, "name": mapping.name, "encoding": mapping.encoding,
                   "header_row": mapping.header_row, "date_formats": mapping.date_formats,
                   "credit_marks": mapping.credit_marks}
        for field in MAPPING_FIELDS:
            initial[f"col_{field}"] = "|".join((mapping.columns or {}).get(field, []))
        return initial
