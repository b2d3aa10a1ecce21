"""The inbox: a reader's notifications (console /console/notifications/, storefront /account/notifications/),
opening one (read, then on to its object), marking all read, and the bell's count (loaded by htmx after the page,
so a page itself runs no query for it)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import ACCOUNT_EDIT, SETTINGS_EDIT
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


# --- preferences: a person's own (console and storefront), the brand's default per role (console, settings.edit)

def _grid(request, *, role: str, user=None, columns=None) -> list[dict]:
    """Rows of (event kind, its name, per offered channel: on/off as it applies now; a channel that cannot carry
    the kind, e.g. WeChat without a template for it, has no box)."""
    from tenant_apps.events.catalog import kind_label
    from tenant_apps.notifications.defaults import DEFAULTS, kinds_for_role
    from tenant_apps.notifications.models import RolePreference, UserPreference

    by_role = {(p.kind, p.channel): p.enabled for p in RolePreference.objects.filter(role=role)}
    by_user = ({(p.kind, p.channel): p.enabled for p in UserPreference.objects.filter(user=user)}
               if user is not None else {})
    rows = []
    for kind in kinds_for_role(role):
        cells = []
        for column in columns:
            channel = column.name
            on = channel in DEFAULTS[kind].get(role, ())
            on = by_role.get((kind, channel), on)
            on = by_user.get((kind, channel), on)
            cells.append({"channel": channel, "name": f"{kind}:{channel}", "on": on, "label": column.label,
                          "available": column.supports(kind)})
        rows.append({"kind": kind, "label": kind_label(kind), "cells": cells})
    return rows


def _changes(request, rows) -> list[tuple[str, str, bool]]:
    checked = set(request.POST.getlist("on"))
    return [(row["kind"], cell["channel"], cell["name"] in checked) for row in rows for cell in row["cells"]
            if cell["available"] and (cell["name"] in checked) != cell["on"]]


def _settings_page(request, area: str):
    from datetime import time

    from tenant_apps.core.errors import DomainError
    from tenant_apps.notifications import preferences
    from tenant_apps.notifications.channels import wechat
    from tenant_apps.notifications.models import PersonSettings

    person = PersonSettings.objects.filter(user=request.user).first()
    columns = selectors.channels_offered(user=request.user, person=person)
    rows = _grid(request, role=request.user.role, user=request.user, columns=columns)
    errors = {}
    if request.method == "POST":
        def parse(name):
            text = request.POST.get(name, "").strip()[:5]
            if not text:
                return None
            try:
                hours, minutes = (int(part) for part in text.split(":"))
                return time(hours, minutes)
            except (ValueError, TypeError):
                errors[name] = [_("Enter a time like 22:00.")]
                return None

        start, end = parse("quiet_start"), parse("quiet_end")
        if not errors:
            try:
                preferences.person_settings_set(actor=request.user, mobile=request.POST.get("mobile", "")[:20],
                                                quiet_start=start, quiet_end=end,
                                                digest=request.POST.get("digest") == "on")
                for kind, channel, enabled in _changes(request, rows):
                    preferences.user_preference_set(actor=request.user, kind=kind, channel=channel,
                                                    enabled=enabled)
                return redirect(reverse(f"{_AREAS[area]['ns']}:settings"))
            except DomainError as error:
                errors = error.fields or {"__all__": [str(error.detail)]}
    status = 400 if errors else 200
    return render(request, "notifications/settings.html", {
        **_AREAS[area], "rows": rows, "person": person, "errors": errors,
        "channels": [column.label for column in columns], "wechat": wechat.configured(),
        "wechat_linked": bool(person and person.wechat_openid
                              and person.wechat_app_id == wechat.config().get("app_id"))},
        status=status)


def _wechat_page(request, area: str):
    """Linking the person's WeChat: the brand's mini-program opens this page (in a web-view) with ?code= from
    wx.login(); the signed-in person confirms (POST), and the code is exchanged for their openid. POST
    action=unlink removes the link."""
    from tenant_apps.core.errors import DomainError
    from tenant_apps.notifications import preferences
    from tenant_apps.notifications.channels import wechat

    if not wechat.configured():
        raise Http404
    settings_url = reverse(f"{_AREAS[area]['ns']}:settings")
    errors = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unlink":
                preferences.wechat_unbind(actor=request.user)
            else:
                preferences.wechat_bind(actor=request.user, code=request.POST.get("code", "")[:200])
            return redirect(settings_url)
        except DomainError as error:
            errors = error.fields or {"__all__": [str(error.detail)]}
    code = (request.POST.get("code") or request.GET.get("code") or "")[:128]
    return render(request, "notifications/wechat.html", {
        **_AREAS[area], "code": code, "errors": errors, "settings_url": settings_url},
        status=400 if errors else 200)


@requires(SETTINGS_EDIT)
def role_defaults(request):
    from tenant_apps.accounts.permissions import Role
    from tenant_apps.core.errors import DomainError
    from tenant_apps.notifications import preferences

    role = request.POST.get("role") or request.GET.get("role") or Role.DEALER_OWNER
    if role not in Role.values:
        raise Http404
    columns = selectors.channels_offered()
    rows = _grid(request, role=role, columns=columns)
    errors = {}
    if request.method == "POST":
        try:
            for kind, channel, enabled in _changes(request, rows):
                preferences.role_preference_set(actor=request.user, role=role, kind=kind, channel=channel,
                                                enabled=enabled)
            return redirect(f"{reverse('notifications:defaults')}?role={role}")
        except DomainError as error:
            errors = error.fields or {"__all__": [str(error.detail)]}
    return render(request, "notifications/defaults.html", {
        "layout": "layouts/console.html", "rows": rows, "role": role, "roles": Role.choices, "errors": errors,
        "channels": [column.label for column in columns]}, status=400 if errors else 200)


def _settings_views(area: str):
    @requires(ACCOUNT_EDIT)
    def my_settings(request):
        return _settings_page(request, area)

    @requires(ACCOUNT_EDIT)
    def my_wechat(request):
        return _wechat_page(request, area)

    return [path("settings/", my_settings, name="settings"), path("wechat/", my_wechat, name="wechat")]


console_urls += [*_settings_views("console"), path("defaults/", role_defaults, name="defaults")]
storefront_urls += _settings_views("storefront")
