"""Date inputs hold ISO dates in every language: <input type=date> takes nothing else, and a browser shows any
other value ("2026/12/07", Django's zh-Hans input format) as a blank field, so the form loses its date on saving."""

from datetime import date, datetime

import pytest
from django import forms
from django.conf import settings
from django.utils import translation


class _Dated(forms.Form):
    valid_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_date_input_renders_and_reads_back_iso_in_every_language(language):
    with translation.override(language):
        form = _Dated(initial={"valid_from": date(2026, 12, 7), "starts_at": datetime(2026, 12, 7, 9, 30)})
        assert 'value="2026-12-07"' in str(form["valid_from"])
        assert 'value="2026-12-07 09:30:00"' in str(form["starts_at"])  # datetime-local takes a space for the T
        sent = _Dated(data={"valid_from": "2026-12-07", "starts_at": "2026-12-07T09:30"})
        assert sent.is_valid(), sent.errors
        assert sent.cleaned_data["valid_from"] == date(2026, 12, 7)


def test_zh_hans_still_reads_the_ways_people_type_dates():
    with translation.override("zh-hans"):
        for typed in ("2026/12/07", "2026年12月7日", "2026-12-07"):
            assert forms.DateField().clean(typed) == date(2026, 12, 7)
