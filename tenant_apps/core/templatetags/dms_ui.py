"""Template helpers of the design system: query strings for paging/sorting, locale-aware money and lists."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from django import template

from tenant_apps.core.money import babel_locale_object, format_money
from tenant_apps.core.text import person as _person
from tenant_apps.core.text import words as _words

register = template.Library()


@register.simple_tag
def query_replace(request, **changes) -> str:
    """The current query string with some parameters replaced."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def sort_query(request, listing, key: str) -> str:
    """Query string that sorts by `key`, toggling the direction when it is already the sort key."""
    query = request.GET.copy()
    query["sort"] = key if listing.sort_key != key or listing.descending else f"-{key}"
    query.pop("page", None)
    return query.urlencode()


@register.filter
def money(amount, currency: str) -> str:
    """Locale-aware money in the currency given, which is required (`{{ order.total|money:order.currency }}`;
    pages without an object of their own use `tenant_currency` from the context): ¥1,234.50 in zh-Hans,
    CN¥1,234.50 in en, US$1,234.50 in zh-Hans and $1,234.50 in en. No currency is an error, never a guess."""
    if not currency or not isinstance(currency, str):
        raise ValueError(f"money needs a currency, got {currency!r}")
    try:
        return format_money(amount, currency)
    except (InvalidOperation, ValueError, TypeError):
        return ""


@register.filter
def number(value) -> str:
    """Locale-aware grouping of a number."""
    try:
        return format_decimal(Decimal(str(value)), locale=babel_locale_object())
    except (InvalidOperation, ValueError, TypeError):
        return ""


@register.filter
def person(label) -> str:
    """A stored person label in the reader's language ("system" as 系统)."""
    return _person(label or "")


@register.filter
def words(items) -> str:
    """A list of names joined as the active language lists them (core.text.words): 甲、乙 / A, B."""
    return _words(items or ())


@register.filter
def filesize(num_bytes) -> str:
    size = float(num_bytes or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
