"""Text in the reader's language that Django's template filters write the English way."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def words(items: Iterable) -> str:
    """Names in a row as the language lists them: "Approved, Rejected" in English, "审批通过、驳回" in Chinese
    (the enumeration comma, never an ASCII comma between Chinese words)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
