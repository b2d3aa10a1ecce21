"""Forms of the receivables pages (the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class BlockLiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255,
                             help_text=_("Why this dealer may order in spite of overdue payments."))
    until = forms.DateField(label=_("Until (last day)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("Leave empty to lift the block until it is ended."))
