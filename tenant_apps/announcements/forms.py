"""The console's announcement form: title, text, audience with its pickers (regions, tiers, dealers in the
editor's scope), expiry."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.announcements.models import Audience
from tenant_apps.dealers.models import Node, Tier
from tenant_apps.dealers.selectors import dealers_visible_to, nodes_visible_to


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Plain text: blank lines make paragraphs, web addresses become links."))
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.ALL)
    regions = forms.ModelMultipleChoiceField(label=_("Regions"), queryset=Node.objects.none(), required=False,
                                             help_text=_("Every dealer under the region."))
    tiers = forms.ModelMultipleChoiceField(label=_("Dealer tiers"), queryset=Tier.objects.none(), required=False)
    dealers = forms.ModelMultipleChoiceField(label=_("Dealers"), queryset=Tier.objects.none(), required=False)
    expires_at = forms.DateTimeField(label=_("Expires"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text=_("Leave empty to keep it shown until withdrawn."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = nodes_visible_to(user).filter(
            kind__in=[Node.Kind.HEADQUARTERS, Node.Kind.REGION]).order_by("path")
        self.fields["tiers"].queryset = Tier.objects.order_by("rank", "code")
        self.fields["dealers"].queryset = dealers_visible_to(user).order_by("code")
        self.fields["dealers"].label_from_instance = lambda dealer: f"{dealer.code} {dealer.legal_name}"

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("title", "body", "audience", "regions", "tiers", "dealers",
                                              "expires_at")}


def initial_for(announcement) -> dict:
    return {"title": announcement.title, "body": announcement.body, "audience": announcement.audience,
            "regions": list(announcement.regions.all()), "tiers": list(announcement.tiers.all()),
            "dealers": list(announcement.dealers.all()), "expires_at": announcement.expires_at}
