"""The console's webhook pages (/console/webhooks/, SETTINGS_EDIT): endpoints, their secret shown once, the
delivery log with replay."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import SETTINGS_EDIT
from tenant_apps.events.catalog import KINDS
from tenant_apps.webhooks import services
from tenant_apps.webhooks.models import WebhookDelivery, WebhookEndpoint

LOG_SIZE = 50


class EndpointForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("URL"), max_length=500)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    event_kinds = forms.MultipleChoiceField(label=gettext_lazy("Event types"), widget=forms.CheckboxSelectMultiple,
                                            choices=lambda: [(kind, label) for kind, (_s, label) in KINDS.items()])


def _save(request, form, endpoint=None):
    """Create or update from a valid form; field errors back on the form (None)."""
    try:
        if endpoint is None:
            return services.endpoint_create(actor=request.user, **form.cleaned_data)
        services.endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
        return endpoint
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return None


@requires(SETTINGS_EDIT)
def endpoints(request):
    rows = WebhookEndpoint.objects.order_by("id")
    return render(request, "webhooks/list.html", {"endpoints": rows})


@requires(SETTINGS_EDIT)
def endpoint_new(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (endpoint := _save(request, form)):
        return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": endpoint.secret})
    return render(request, "webhooks/form_page.html", {"form": form, "title": _("New webhook endpoint")},
                  status=400 if form.errors else 200)


@requires(SETTINGS_EDIT)
def endpoint_detail(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {"url": endpoint.url, "description": endpoint.description, "event_kinds": endpoint.event_kinds}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, form, endpoint):
        messages.success(request, _("Webhook endpoint saved."))
        return redirect("webhooks:detail", pk=endpoint.pk)
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-event_id")[:LOG_SIZE])
    return render(request, "webhooks/detail.html", {"endpoint": endpoint, "form": form, "deliveries": deliveries},
                  status=400 if form.errors else 200)


@requires(SETTINGS_EDIT)
@require_POST
def endpoint_rotate(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    secret = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    endpoint.refresh_from_db()
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "rotated": True})


@requires(SETTINGS_EDIT)
@require_POST
def endpoint_toggle(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if endpoint.active:
        services.endpoint_disable(actor=request.user, endpoint=endpoint)
        messages.success(request, _("Webhook endpoint turned off."))
    else:
        services.endpoint_enable(actor=request.user, endpoint=endpoint)
        messages.success(request, _("Webhook endpoint turned on: waiting events will be sent."))
    return redirect("webhooks:detail", pk=endpoint.pk)


@requires(SETTINGS_EDIT)
@require_POST
def delivery_replay(request, pk: int, delivery_pk: int):
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, endpoint_id=pk)
    services.delivery_replay(actor=request.user, delivery=delivery)
    messages.success(request, _("The event will be sent again."))
    return redirect("webhooks:detail", pk=pk)
