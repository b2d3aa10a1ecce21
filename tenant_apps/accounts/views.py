from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tenant_apps.accounts.models import User
from tenants.handoff import handoff_redeem

logger = logging.getLogger(__name__)


def handoff(request, token: str):
    """Redeem a one-time hand-off token from the platform host and sign the user in on this host."""
    redeemed = handoff_redeem(tenant=request.tenant, raw_token=token)
    user = User.objects.filter(email=redeemed.user_email, is_active=True).first() if redeemed else None
    if user is None:
        messages.error(request, _("This sign-in link has expired or was already used. Please sign in."))
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if redeemed.purpose == "support" and request.tenant.support_until:
        request.session.set_expiry(request.tenant.support_until)
    if redeemed.purpose == "signup":
        ms = request.GET.get("ms", "")
        if ms.isdigit():
            messages.success(request, _("Your workspace is ready (set up in %(ms)s ms).") % {"ms": ms})
        else:
            messages.success(request, _("Your workspace is ready."))
    logger.info("accounts.user.handoff", extra={"purpose": redeemed.purpose, "user_id": user.pk})
    return redirect("console:home")
