"""Informational sections of a dealer statement that apps above finance fill (fulfillment: the period's
shipments). finance imports no upper app: an app registers a callable in its AppConfig.ready(), and a statement
asks every registered callable once, at issue, storing what it answers (JSON) with the statement.

A callable takes (dealer, currency, starts_at, ends_at) (the period: starts_at <= t < ends_at) and returns a
`Section` or None (nothing to show). Titles and column names are English msgids marked with gettext_noop: they
are stored as such and translated when shown. Cell values are text (never money: a section carries no amount
that the statement's balance would have to add up)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SectionSource = Callable[..., "Section | None"]
_sources: dict[str, SectionSource] = {}


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # an English msgid (gettext_noop)
    columns: list[str]  # English msgids
    rows: list[list[str]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "columns": list(self.columns),
                "rows": [[str(value) for value in row] for row in self.rows]}


def register(key: str, source: SectionSource) -> None:
    """Add (or replace, on a second ready()) the source of section `key`."""
    _sources[key] = source


def sections_for(*, dealer, currency: str, starts_at, ends_at) -> list[dict]:
    """Every registered section of this dealer's period, in the order they were registered, as JSON."""
    found = []
    for source in _sources.values():
        section = source(dealer=dealer, currency=currency, starts_at=starts_at, ends_at=ends_at)
        if section is not None:
            found.append(section.as_json())
    return found
