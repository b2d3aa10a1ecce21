"""A reader's notifications, and how each reads: rendered from its event when shown, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from tenant_apps.accounts.access import is_console_user
from tenant_apps.notifications import subjects
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
    """Where opening it leads: its object's page in the console (brand staff) or in the storefront (dealer users),
    per kind (notifications.subjects.link); "" for none."""
    return subjects.link(notification.event, staff=staff)


def render(notification: Notification, *, reader, language: str | None = None) -> Rendered:
    """The notification's title and text from its event, in `language` (default: the reader's own, else the
    active one)."""
    language = language or getattr(reader, "preferred_language", "") or translation.get_language()
    event = notification.event
    with translation.override(language):
        title, body = subjects.text(event, notification.kind)
    return Rendered(id=notification.pk, title=str(title), body=body, read=notification.read_at is not None,
                    url=link_for(notification, staff=is_console_user(reader)), created_at=notification.created_at)


@dataclass
class Column:
    name: str
    label: str
    supports: object  # kind -> bool: the channel can carry this event (WeChat needs a template per kind)


def channels_offered(*, user=None, person=None) -> list[Column]:
    """The channels of the preferences grid: the inbox and email always; SMS when a provider is set up; the
    registered channels (WeChat, web push) when set up here. For a person (`user`, with their PersonSettings
    `person` or None) only what they can receive: SMS with a mobile number, WeChat once linked, push with a
    subscribed browser. A query at most per registered channel."""
    from tenant_apps.notifications.channels.registry import channels_registered
    from tenant_apps.notifications.channels.sms import sms_adapter
    from tenant_apps.notifications.defaults import EMAIL, INAPP, SMS

    def every(kind):
        return True

    columns = [Column(INAPP, _("In-app"), every), Column(EMAIL, _("Email"), every)]
    if sms_adapter() is not None and (user is None or (person is not None and person.mobile)):
        columns.append(Column(SMS, _("SMS"), every))
    for channel in channels_registered():
        if channel.configured() and (user is None or user.pk in channel.reachable({user.pk})):
            columns.append(Column(channel.name, str(channel.label), channel.supports))
    return columns
