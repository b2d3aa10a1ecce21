"""The inbox: a reader's notifications (console /console/notifications/, storefront /account/notifications/),
opening one (read, then on to its object), marking all read, and the bell's count (loaded by htmx after the page,
so a page itself runs no query for it)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import ACCOUNT_EDIT
from tenant_apps.notifications import selectors, services

PAGE_SIZE = 30
_AREAS = {"console": {"layout": "layouts/console.html", "ns": "notifications"},
          "storefront": {"layout": "layouts/storefront.html", "ns": "notifications_storefront"}}


def _inbox(request, area: str):
    page = Paginator(selectors.notifications_of(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [selectors.render(row, reader=request.user) for row in page.object_list]
    return render(request, "notifications/list.html", {
        **_AREAS[area], "page": page, "items": items, "unread": selectors.unread_count(user=request.user)})


def _open(request, area: str, notification_id):
    notification = selectors.notification_get_for(user=request.user, notification_id=notification_id)
    services.notification_open(actor=request.user, notification=notification)
    url = selectors.link_for(notification, staff=area == "console")
    return redirect(url or reverse(f"{_AREAS[area]['ns']}:list"))


def _read_all(request, area: str):
    services.notifications_read_all(actor=request.user)
    return redirect(reverse(f"{_AREAS[area]['ns']}:list"))


def _bell(request, area: str):
    return render(request, "notifications/_bell.html", {
        **_AREAS[area], "count": selectors.unread_count(user=request.user)})


def _views(area: str):
    @require_GET
    @requires(ACCOUNT_EDIT)
    def inbox(request):
        return _inbox(request, area)

    @require_POST
    @requires(ACCOUNT_EDIT)
    def open_one(request, notification_id: int):
        return _open(request, area, notification_id)

    @require_POST
    @requires(ACCOUNT_EDIT)
    def read_all(request):
        return _read_all(request, area)

    @require_GET
    @requires(ACCOUNT_EDIT)
    def bell(request):
        return _bell(request, area)

    return [path("", inbox, name="list"), path("<int:notification_id>/open/", open_one, name="open"),
            path("read-all/", read_all, name="read_all"), path("bell/", bell, name="bell")]


console_urls = _views("console")
storefront_urls = _views("storefront")
