"""A reader's notifications, and how each reads: rendered from its event when shown, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tenant_apps.accounts.access import is_console_user
from tenant_apps.events.catalog import kind_label
from tenant_apps.notifications.defaults import APPROVER_KINDS
from tenant_apps.notifications.models import Notification


def unread_count(*, user) -> int:
    """One query on the partial index of unread rows."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True, shown=True).count()


def notifications_of(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, shown=True).select_related("event").order_by("-id")


def notification_get_for(*, user, notification_id) -> Notification:
    """The reader's own notification; anyone else's (or none) is a 404."""
    try:
        return notifications_of(user=user).get(pk=int(notification_id))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class Rendered:
    id: int
    title: str
    body: str
    url: str
    read: bool
    created_at: object


def link_for(notification: Notification, *, staff: bool) -> str:
    """Where opening it leads: for brand staff, the order's approval page when the order waits for a decision
    (APPROVER_KINDS), else its page in the console; for dealer users, its page in the storefront."""
    event = notification.event
    if event.subject_type == "order" and event.subject_id.isdigit():
        if staff:
            name = "approvals:order" if notification.kind in APPROVER_KINDS else "orders_console:detail"
        else:
            name = "orders:detail"
        return reverse(name, args=[int(event.subject_id)])
    return ""


def render(notification: Notification, *, reader, language: str | None = None) -> Rendered:
    """The notification's title and text from its event, in `language` (default: the reader's own, else the
    active one)."""
    language = language or getattr(reader, "preferred_language", "") or translation.get_language()
    event = notification.event
    with translation.override(language):
        title = kind_label(notification.kind)
        payload = event.payload or {}
        if event.subject_type == "order":
            body = _("Order %(number)s") % {"number": event.subject_ref or event.subject_id}
        else:
            body = event.subject_ref or ""
        if payload.get("reason"):
            body = _("%(text)s: %(reason)s") % {"text": body, "reason": str(payload["reason"])[:200]}
    return Rendered(id=notification.pk, title=str(title), body=body, read=notification.read_at is not None,
                    url=link_for(notification, staff=is_console_user(reader)), created_at=notification.created_at)
