"""The window of dates the platform accepts from people and systems: 2000-01-01 to 2099-12-31.

A date far outside it is a typo or an attack, and some cannot even be shown: a moment in year 1 is stored but
shown in Asia/Shanghai's local mean time (+08:05:43), one in year 9999 cannot be converted to local time at all.
Every service that takes a date or a moment (tracking events, price list validity, price protection windows,
resale prices, promotions, dealer qualifications) checks it here, so pages and the API refuse it alike with a
field error.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from rest_framework import serializers

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def outside_window(value) -> str | None:
    """The field error for a date or datetime outside the window; None inside it (or for anything else: the
    caller's own type checks speak for those)."""
    if isinstance(value, datetime):
        day = value.date()  # the day where it happened (converting year 1 or 9999 to another offset overflows)
    elif isinstance(value, date):
        day = value
    else:
        return None
    if EARLIEST <= day <= LATEST:
        return None
    return _("Enter a date from %(earliest)s to %(latest)s.") % {"earliest": EARLIEST.isoformat(),
                                                                 "latest": LATEST.isoformat()}


def window_errors(**values) -> dict[str, list[str]]:
    """{field: [message]} for each of the named dates or moments outside the window."""
    return {name: [message] for name, value in values.items() if (message := outside_window(value))}


class MomentField(serializers.DateTimeField):
    """DRF's DateTimeField within the window: a moment outside it is a field error before DRF puts it in the
    current time zone (which, for year 1 or 9999, overflows: a 500). Every API input of a moment is one."""

    def enforce_timezone(self, value):
        message = outside_window(value)
        if message:
            raise serializers.ValidationError(message, code="outside_window")
        return super().enforce_timezone(value)
