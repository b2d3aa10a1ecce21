"""Consumers of the outbox: the apps above register a handler at start-up (AppConfig.ready); the relay calls each
with a batch of committed events, in id order, inside the relay's transaction. A handler writes its own rows
(a notification, a webhook delivery) and must be idempotent per event id: an event can be handed over again if the
relay's transaction did not commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Handler = Callable[[Sequence], None]
_CONSUMERS: dict[str, Handler] = {}


def consumer_register(name: str, handler: Handler) -> None:
    _CONSUMERS[name] = handler


def consumers() -> dict[str, Handler]:
    return dict(_CONSUMERS)
