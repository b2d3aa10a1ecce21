"""Hooks for the apps above notifications (announcements) to say which dealers an event of theirs reaches, without
notifications importing them (import-linter layers: docs/dev/layers.md).

An audience resolver takes the batch's events of its kind and returns {event id: dealer ids}, in a constant number
of queries for any batch. The app registers it from its AppConfig.ready, as consumers register with
events.registry.consumer_register."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

AudienceResolver = Callable[[Sequence], dict[int, Iterable[int]]]
_AUDIENCES: dict[str, AudienceResolver] = {}


def dealer_audience_register(kind: str, resolver: AudienceResolver) -> None:
    _AUDIENCES[kind] = resolver


def dealer_audience(kind: str) -> AudienceResolver | None:
    return _AUDIENCES.get(kind)
