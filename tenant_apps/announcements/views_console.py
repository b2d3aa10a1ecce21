"""Brand console pages of announcements (/console/announcements/): list, new/edit with the audience pickers,
publish/withdraw, and per announcement which dealer users have read it and which have not.

Capability: reading needs PROMOTIONS_VIEW and writing PROMOTIONS_EDIT. Announcements are the brand's messages to
its dealers, as promotions are; the people who run promotions run them (SETTINGS_EDIT is the workspace's setup)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import PROMOTIONS_EDIT, PROMOTIONS_VIEW, has_perm
from tenant_apps.announcements import selectors, services
from tenant_apps.announcements.errors import AnnouncementNotFound
from tenant_apps.announcements.forms import AnnouncementForm, initial_for
from tenant_apps.announcements.models import AnnouncementStatus
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers.selectors import dealers_visible_to

SORTS = {"headline": "title", "status": "status", "published": "published_at", "created": "created_at"}
STATUS_BADGE = {AnnouncementStatus.DRAFT: "", AnnouncementStatus.PUBLISHED: "ok",
                AnnouncementStatus.WITHDRAWN: "warn"}


def _announcement_or_404(announcement_id):
    try:
        return selectors.announcement_get(announcement_id=announcement_id)
    except AnnouncementNotFound:
        raise Http404 from None


@requires(PROMOTIONS_VIEW)
def announcement_list(request):
    status = request.GET.get("status", "")
    page = listing(request, selectors.announcements_for_console(status=status), sorts=SORTS, default="-created")
    rows = [{"a": a, "badge": STATUS_BADGE.get(a.status, "")} for a in page.page.object_list]
    return render(request, "announcements/console_list.html", {
        "listing": page, "rows": rows, "status": status, "statuses": AnnouncementStatus.choices,
        "can_edit": has_perm(request.user, PROMOTIONS_EDIT)})


def _form_page(request, announcement=None):
    initial = initial_for(announcement) if announcement else None
    form = AnnouncementForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if announcement is None:
                announcement = services.announcement_create(actor=request.user, **form.service_kwargs())
            else:
                services.announcement_update(actor=request.user, announcement=announcement,
                                             **form.service_kwargs())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Announcement saved."))
            return redirect("announcements_console:detail", announcement.pk)
    return render(request, "announcements/console_form.html", {"form": form, "announcement": announcement},
                  status=400 if form.errors else 200)


@requires(PROMOTIONS_EDIT)
@require_http_methods(["GET", "POST"])
def announcement_new(request):
    return _form_page(request)


@requires(PROMOTIONS_EDIT)
@require_http_methods(["GET", "POST"])
def announcement_edit(request, announcement_id):
    announcement = _announcement_or_404(announcement_id)
    if announcement.status == AnnouncementStatus.WITHDRAWN:
        messages.error(request, _("A withdrawn announcement cannot be edited."))
        return redirect("announcements_console:detail", announcement.pk)
    return _form_page(request, announcement)


@requires(PROMOTIONS_VIEW)
def announcement_detail(request, announcement_id):
    announcement = _announcement_or_404(announcement_id)
    read, unread = selectors.announcement_readers(announcement, dealers=dealers_visible_to(request.user))
    return render(request, "announcements/console_detail.html", {
        "a": announcement, "badge": STATUS_BADGE.get(announcement.status, ""), "read": read, "unread": unread,
        "regions": announcement.regions.all(), "tiers": announcement.tiers.all(),
        "dealers": announcement.dealers.all(), "can_edit": has_perm(request.user, PROMOTIONS_EDIT)})


@requires(PROMOTIONS_EDIT)
@require_POST
def announcement_transition(request, announcement_id, to):
    announcement = _announcement_or_404(announcement_id)
    try:
        if to == "publish":
            services.announcement_publish(actor=request.user, announcement=announcement)
            messages.success(request, _("Announcement published."))
        else:
            services.announcement_withdraw(actor=request.user, announcement=announcement,
                                           reason=request.POST.get("reason", ""))
            messages.success(request, _("Announcement withdrawn."))
    except DomainError as error:
        messages.error(request, str(error.detail))
    return redirect("announcements_console:detail", announcement.pk)
