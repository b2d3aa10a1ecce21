"""The builder pages' forms: the report's choices as the page posts them (read into a report query string for
specs.ReportForm), sharing, and a schedule. Services check everything again."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.permissions import Role
from tenant_apps.reporting.builder.selectors import SHARE_ROLES, recipient_choices
from tenant_apps.reporting.cube import MAX_DIMENSIONS
from tenant_apps.reporting.models import Frequency
from tenant_apps.reporting.models.builder import WEEKDAYS
from tenant_apps.reporting.specs import MAX_IDS

# Single values of a report query string, and repeated ones (ids).
SINGLE = ("period", "date_from", "date_to", "currency", "region", "province", "category", "limit")
MULTIPLE = ("tier", "dealer", "rep", "series", "product", "sku")


def spec_query(data: QueryDict) -> QueryDict:
    """The report query string of the builder's form: dimensions from its selects (`dim1`..`dim3`, or `dims`),
    measures from its checkboxes (`measure`, or `measures`), dates only for a custom period."""
    query = QueryDict(mutable=True)
    for key in SINGLE:
        value = str(data.get(key) or "").strip()[:100]
        if value:
            query[key] = value
    if query.get("period") and query.get("period") != "custom":
        query.pop("date_from", None)
        query.pop("date_to", None)
    dims = [str(data.get(f"dim{i}") or "").strip()[:40] for i in range(1, MAX_DIMENSIONS + 2)]
    dims = [dim for dim in dims if dim] or [str(data.get("dims") or "").strip()[:200]]
    if any(dims):
        query["dims"] = ",".join(dims)
    measures = [str(value).strip()[:40] for value in data.getlist("measure")[:20] if str(value).strip()]
    measures = measures or [str(data.get("measures") or "").strip()[:200]]
    if any(measures):
        query["measures"] = ",".join(measures)
    for key in MULTIPLE:
        values = [str(value)[:2000] for value in data.getlist(key)[:MAX_IDS + 1] if str(value).strip()]
        if values:
            query.setlist(key, values)
    return query


class ShareForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Share with"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(role, Role(role).label) for role in SHARE_ROLES])


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    weekday = forms.TypedChoiceField(label=_("On (weekly)"), choices=[("", "—"), *WEEKDAYS], coerce=int,
                                     empty_value=None, required=False)
    day_of_month = forms.TypedChoiceField(label=_("Day of the month (monthly)"),
                                          choices=[("", "—")] + [(day, str(day)) for day in range(1, 29)],
                                          coerce=int, empty_value=None, required=False)
    hour = forms.TypedChoiceField(label=_("At"), choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
                                  coerce=int, initial=8)
    recipients = forms.ModelMultipleChoiceField(label=_("Recipients"), queryset=recipient_choices(),
                                                widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = recipient_choices()
        self.fields["recipients"].label_from_instance = lambda user: (
            f"{user.full_name} ({user.email})" if user.full_name else user.email)
