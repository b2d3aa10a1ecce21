"""Money: a Decimal amount with a currency, one rounding rule (the currency's minor unit), and
locale-aware display. Never float.

Every amount has a currency and nothing assumes one: where a caller gives none, it is the brand's own
(`tenant_currency()`, the currency the brand chose at sign-up), never a constant."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision
from django.db import connection, models
from django.utils import translation
from django_tenants.utils import get_tenant_model

from tenant_apps.core.workspace import connection_tenant

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


def currency_check(name: str) -> models.CheckConstraint:
    """A model's `currency` holds a code of three capital letters: a write that forgot its currency (an empty
    string) is refused by the database instead of being stored without one."""
    return models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name=name)


def tenant_currency() -> str:
    """The currency of the brand whose schema the connection is on (`Tenant.default_currency`): what its price
    lists, promotions, approval limits and orders are in unless one says otherwise. No query on a request (the
    routing's tenant carries it) or under `tenant_context`; under a bare `schema_context` (a FakeTenant) the
    tenant's row is read once and the answer kept on that connection's tenant. No brand (the public or the
    template schema): a RuntimeError, never a guessed currency."""
    tenant = getattr(connection, "tenant", None)
    currency = getattr(tenant, "default_currency", None)
    if currency:
        return currency
    try:
        currency = connection_tenant().default_currency
    except get_tenant_model().DoesNotExist:
        raise RuntimeError(f"no brand's currency on schema {connection.schema_name!r}: pass a currency") from None
    if tenant is not None:
        tenant.default_currency = currency
    return currency


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
