"""Views of every host that come from the tenant: its branding, the hand-off that signs a user in on its host."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tenant_apps.accounts.models import User
from tenants.favicon import favicon_bytes
from tenants.handoff import handoff_redeem

logger = logging.getLogger(__name__)


@require_safe
def favicon(request):
    """/favicon.ico: the brand's icon on its hosts, the platform's on the platform host. Public, cached a day."""
    data, version = favicon_bytes(getattr(request, "tenant", None))
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type="image/x-icon")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response


def handoff(request, token: str):
    """Redeem a one-time hand-off token from the platform host and sign the user in on this host."""
    redeemed = handoff_redeem(tenant=request.tenant, raw_token=token)
    user = User.objects.filter(email=redeemed.user_email, is_active=True).first() if redeemed else None
    if user is None:
        messages.error(request, _("This sign-in link has expired or was already used. Please sign in."))
        return redirect("accounts:login")
    login(request, user, backend="tenant_apps.accounts.backends.ThrottledModelBackend")
    if redeemed.purpose == "support" and request.tenant.support_until:
        request.session.set_expiry(request.tenant.support_until)
    if redeemed.purpose == "signup":
        messages.success(request, _("Your workspace is ready."))
    logger.info("accounts.user.handoff", extra={"purpose": redeemed.purpose, "user_id": user.pk})
    return redirect("console:home")
