"""Dealer storefront: the announcements for the signed-in dealer (/announcements/), one of them (marked read as
it is opened); one outside the dealer's audience is a 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import CATALOG_VIEW
from tenant_apps.announcements import selectors, services
from tenant_apps.announcements.errors import AnnouncementNotFound


def _dealer(user):
    return user.dealer if user.is_dealer_staff and user.dealer_id else None


@requires(CATALOG_VIEW)
def announcement_list(request):
    dealer = _dealer(request.user)
    rows = list(selectors.announcements_for_dealer(dealer, user=request.user)[:100]) if dealer else []
    return render(request, "announcements/storefront_list.html", {"rows": rows, "is_dealer": dealer is not None})


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
