"""Channels that other code delivers for notifications: channel name -> how to send, whether it is set up, who can
receive it. notifications never imports the apps above it; they register here (announcements registers "push" from
its AppConfig.ready), and notifications' own WeChat adapter registers "wechat" the same way.

A sender gets a `Message` (the notification rendered in the recipient's language) and returns, or raises
`SendError`: `final=True` for a failure a retry cannot cure (the person refused the subscription, a bad template),
which fails the delivery at once; otherwise the delivery is retried like email and SMS (sending.MAX_ATTEMPTS)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


class SendError(Exception):
    """A delivery that did not go. `final`: a retry would fail the same way."""

    def __init__(self, message: str, *, final: bool = False):
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class Message:
    user: object
    kind: str
    title: str
    body: str
    url: str  # the page it is about, on the recipient's side (console or storefront), "" when none
    ref: str  # the subject's reference (an order's number), "" when none
    created_at: datetime
    language: str


def _always() -> bool:
    return True


def _every_kind(kind: str) -> bool:
    return True


@dataclass(frozen=True)
class Channel:
    name: str
    label: object  # a lazy translatable name, shown as the column of the preferences grid
    send: Callable[[Message], None]
    reachable: Callable[[Iterable[int]], set[int]]  # of these user ids, who can receive it (one query)
    configured: Callable[[], bool] = field(default=_always)  # set up in this environment
    supports: Callable[[str], bool] = field(default=_every_kind)  # an event kind it has a template for


_CHANNELS: dict[str, Channel] = {}


def channel_register(name: str, *, label, send, reachable, configured=_always, supports=_every_kind) -> None:
    """Register (or replace, on a reload) the sender of channel `name`; the name must be one of
    notifications.defaults.CHANNELS."""
    _CHANNELS[name] = Channel(name=name, label=label, send=send, reachable=reachable, configured=configured,
                              supports=supports)


def channel_get(name: str) -> Channel | None:
    return _CHANNELS.get(name)


def channels_registered() -> list[Channel]:
    """The registered channels in the order of defaults.CHANNELS."""
    from tenant_apps.notifications.defaults import CHANNELS

    return [_CHANNELS[name] for name in CHANNELS if name in _CHANNELS]
