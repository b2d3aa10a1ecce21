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
