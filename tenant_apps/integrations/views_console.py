"""The console's API keys page: list, create (the whole key shown once), rotate, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import SETTINGS_EDIT
from tenant_apps.core.errors import DomainError
from tenant_apps.integrations import services
from tenant_apps.integrations.models import DEFAULT_RATE, SCOPES, ApiKey


class KeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), choices=list(SCOPES.items()),
                                       widget=forms.CheckboxSelectMultiple)
    rate_per_minute = forms.IntegerField(label=gettext_lazy("Calls a minute"), min_value=1, max_value=100_000,
                                         initial=DEFAULT_RATE)


def _page(request, form, shown=None, status=200):
    keys = list(ApiKey.objects.select_related("created_by"))
    return render(request, "integrations/keys.html", {"form": form, "keys": keys, "shown": shown,
                                                      "scope_names": SCOPES}, status=status)


@requires(SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def keys(request):
    form = KeyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                api_key, secret = services.api_key_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                for field, errors in error.fields.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                # The whole key is shown on this answer only (never stored, never redirected with)
                return _page(request, KeyForm(), shown=(api_key, secret))
        return _page(request, form, status=400)
    return _page(request, form)


@requires(SETTINGS_EDIT)
@require_POST
def rotate(request, pk: int):
    api_key = get_object_or_404(ApiKey, pk=pk)
    try:
        new, secret = services.api_key_rotate(actor=request.user, api_key=api_key)
    except DomainError as error:
        messages.error(request, str(error.detail))
        return redirect("integrations:keys")
    return _page(request, KeyForm(), shown=(new, secret))


@requires(SETTINGS_EDIT)
@require_POST
def revoke(request, pk: int):
    api_key = services.api_key_revoke(actor=request.user, api_key=get_object_or_404(ApiKey, pk=pk))
    messages.success(request, _("Key %(name)s revoked.") % {"name": api_key.name})
    return redirect("integrations:keys")
