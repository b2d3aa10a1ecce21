"""Text in the reader's language that Django's template filters write the English way."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, pgettext

# Who did something when nobody did (a periodic task, an auto-approval, the seed): stored so in timelines, ledgers
# and decisions, as the audit log's actor label; shown in the reader's language (person).
SYSTEM_LABEL = "system"


def words(items: Iterable) -> str:
    """Names in a row as the language lists them: "Approved, Rejected" in English, "审批通过、驳回" in Chinese
    (the enumeration comma, never an ASCII comma between Chinese words)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


def person(label: str) -> str:
    """A stored person label as the reader sees it: the system's in their language, anyone else's as written."""
    return gettext("System") if label == SYSTEM_LABEL else label
