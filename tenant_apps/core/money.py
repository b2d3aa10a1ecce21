"""Money: a Decimal amount with a currency, one rounding rule (the currency's minor unit), and
locale-aware display. Never float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision
from django.utils import translation

BABEL_LOCALES = {"zh-hans": "zh_Hans_CN", "en": "en"}


def babel_locale() -> str:
    return BABEL_LOCALES.get(translation.get_language() or "en", "en")


def babel_locale_object() -> Locale:
    """The current language's Babel Locale, made once (each new one loads and merges its locale data)."""
    return _locale(babel_locale())


@lru_cache(maxsize=64)
def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount: 0.01 for CNY, 1 for JPY."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (2 places for CNY, 0 for JPY)."""
    return (amount if type(amount) is Decimal else Decimal(amount)).quantize(minor_unit(currency),
                                                                            rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money takes Decimal or str amounts, never float")
        object.__setattr__(self, "amount", quantize(Decimal(self.amount), self.currency))

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount, currency: str) -> str:
    """¥1,234.50 in zh-Hans, CN¥1,234.50 in en."""
    return _formatted(quantize(Decimal(str(amount)), currency), currency, babel_locale())


@lru_cache(maxsize=4096)
def _formatted(amount: Decimal, currency: str, locale: str) -> str:
    """Kept for the amounts a quote repeats (promotion thresholds and steps)."""
    return format_currency(amount, currency, locale=_locale(locale))


@lru_cache(maxsize=8)
def _locale(code: str) -> Locale:
    """One Babel Locale per language: a new one per call loaded and merged its locale data again (~50 µs)."""
    return Locale.parse(code)
