"""Dealer storefront: the announcements for the signed-in dealer (/announcements/), one of them (marked read as
it is opened; one outside the dealer's audience is a 404); the PWA's manifest, icons, service worker and offline
page; the browser's web push subscription."""

from __future__ import annotations

import json
from pathlib import Path

from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import ACCOUNT_EDIT, CATALOG_VIEW
from tenant_apps.announcements import selectors, services
from tenant_apps.announcements.errors import AnnouncementNotFound
from tenant_apps.announcements.push import vapid_public_key
from tenant_apps.announcements.pwa import icons
from tenant_apps.core.errors import DomainError


def _dealer(user):
    return user.dealer if user.is_dealer_staff and user.dealer_id else None


@requires(CATALOG_VIEW)
def announcement_list(request):
    dealer = _dealer(request.user)
    rows = list(selectors.announcements_for_dealer(dealer, user=request.user)[:100]) if dealer else []
    return render(request, "announcements/storefront_list.html", {
        "rows": rows, "is_dealer": dealer is not None, "vapid_public_key": vapid_public_key()})


@requires(CATALOG_VIEW)
def announcement_detail(request, announcement_id):
    dealer = _dealer(request.user)
    if dealer is None:
        raise Http404
    try:
        announcement = selectors.announcement_for_dealer(dealer=dealer, user=request.user,
                                                         announcement_id=announcement_id)
    except AnnouncementNotFound:
        raise Http404 from None
    services.announcement_read_mark(actor=request.user, announcement=announcement)
    return render(request, "announcements/storefront_detail.html", {"a": announcement})


# The storefront as an installable app (PWA): manifest, icons, service worker, offline page; and the browser's
# web push subscription. The first four are public (the browser fetches them without a session) and hold nothing
# but the brand's public name and colour.

@require_safe
def manifest(request):
    """/manifest.webmanifest on a brand's host: its name, colour and icons (cached an hour, varies by host)."""
    tenant = request.tenant
    colour = icons.brand_colour(tenant)
    version = icons.look_version(tenant)
    name = tenant.brand_name
    body = {
        "name": name, "short_name": name[:12], "lang": get_language() or "zh-hans", "start_url": "/",
        "scope": "/", "display": "standalone", "theme_color": colour, "background_color": colour,
        "icons": [{"src": f"/pwa/icon-{size}.png?v={version}", "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "any maskable"} for size in icons.SIZES],
    }
    response = JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=60 * 60)
    patch_vary_headers(response, ["Host", "Accept-Language"])
    return response


@require_safe
def icon(request, size):
    if size not in icons.SIZES:
        raise Http404
    data, version = icons.icon_png(request.tenant, size)
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    patch_vary_headers(response, ["Host"])
    return response


SW_SOURCE = (Path(__file__).parent / "pwa" / "sw.js").read_text(encoding="utf-8")


@require_safe
def service_worker(request):
    """/sw.js at the root (scope /); always revalidated, so a new version is picked up at once."""
    response = HttpResponse(SW_SOURCE.replace("__VERSION__", icons.look_version(request.tenant)),
                            content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_safe
def offline(request):
    """The page the service worker shows when the network is gone."""
    response = render(request, "announcements/offline.html")
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response


@requires(ACCOUNT_EDIT)
@require_http_methods(["POST", "DELETE"])
def push_subscription(request):
    """POST (save) or DELETE (remove) the signed-in user's browser subscription, as JSON
    {"endpoint": "https://...", "keys": {"p256dh": "...", "auth": "..."}}; 400 with field errors on bad input."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return JsonResponse({"code": "invalid", "detail": _("Send the subscription as a JSON object.")}, status=400)
    if request.method == "DELETE":
        removed = services.push_subscription_remove(actor=request.user, endpoint=data.get("endpoint"))
        return JsonResponse({"removed": removed})
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    try:
        services.push_subscription_save(actor=request.user, endpoint=data.get("endpoint"), p256dh=keys.get("p256dh"),
                                        auth=keys.get("auth"))
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    return JsonResponse({"saved": True}, status=201)
