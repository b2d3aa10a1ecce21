from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.uploads import LOGO_MAX_BYTES, UploadField
from tenants.models import Tenant


class BrandingForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=200, required=False,
                                   help_text=_("Shown to your dealers instead of the company name."))
    primary_colour = forms.RegexField(label=_("Primary colour"), regex=r"^#[0-9A-Fa-f]{6}$",
                                      widget=forms.TextInput(attrs={"type": "color"}),
                                      error_messages={"invalid": _("Use a colour such as #1F6FEB.")})
    default_locale = forms.ChoiceField(label=_("Default language"),
                                       choices=Tenant._meta.get_field("default_locale").choices)
    logo = UploadField(kind="image", max_bytes=LOGO_MAX_BYTES, label=_("Logo"), required=False,
                       help_text=_("PNG or JPEG, at most 1 MB."))
