"""The console's page of recommendations: the brand's switch per storefront block, and the latest computation
(with a button to run it now rather than waiting for the nightly task)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import SETTINGS_EDIT
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.recommendations import services
from tenant_apps.recommendations.models import Block, Computation
from tenant_apps.recommendations.presentation import title
from tenant_apps.recommendations.selectors import recommendation_settings


class SwitchesForm(forms.Form):
    together = forms.BooleanField(required=False)
    similar = forms.BooleanField(required=False)
    lapsed = forms.BooleanField(required=False)
    new = forms.BooleanField(required=False)
    promotions = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for block in Block.values:
            self.fields[block].label = title(block)


@requires(SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def settings_page(request):
    current = recommendation_settings()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "compute":
        summary = services.recommendations_compute()
        messages.success(request, _("Recomputed from %(orders)s orders.") % {"orders": summary["orders"]})
        return redirect("recommendations_console:settings")
    form = SwitchesForm(request.POST if request.method == "POST" else None,
                        initial={block: getattr(current, block) for block in Block.values})
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.recommendation_settings_update(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Recommendation settings saved."))
                return redirect("recommendations_console:settings")
        messages.error(request, _("The recommendation settings could not be saved."))
    return render(request, "recommendations/console_settings.html", {
        "form": form, "computation": Computation.objects.order_by("-computed_at", "-id").first()}, status=status)
