"""A report spec in a query string, and back: the one form every report page reads (the sales analysis, the
builder, dashboard links, exports), so that a figure's link, a saved report and an export say the same thing.

    ?period=this_year&dims=month,region&measures=net,orders&region=4&tier=2&tier=3&category=7

Ids are checked here against what the reader may see (a region or dealer outside their part of the network is a
field error, not an empty report); a spec that cannot run is a field error too (cube.spec_errors).
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.catalog.models import Category, Product, Series, Sku
from tenant_apps.core.dates import outside_window
from tenant_apps.core.money import tenant_currency
from tenant_apps.dealers.models import Territory, Tier
from tenant_apps.dealers.selectors import dealers_visible_to, nodes_visible_to
from tenant_apps.reporting.cube import DIMENSIONS, MEASURES, Filters, ReportSpec, spec_errors

PERIODS = {
    "today": _("Today"), "yesterday": _("Yesterday"), "this_week": _("This week"), "this_month": _("This month"),
    "last_month": _("Last month"), "this_quarter": _("This quarter"), "this_year": _("This year"),
    "last_year": _("Last year"), "last_30": _("Last 30 days"), "last_90": _("Last 90 days"),
    "last_12m": _("Last 12 months"), "custom": _("Custom"),
}
MAX_IDS = 200  # ids per filter


def period_dates(period: str, today: date | None = None) -> tuple[date, date]:
    """[first, last] day of a named period."""
    today = today or timezone.localdate()
    if period == "today":
        return today, today
    if period == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if period == "this_week":
        return today - timedelta(days=today.weekday()), today
    if period == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if period == "this_quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    if period == "this_year":
        return today.replace(month=1, day=1), today
    if period == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if period == "last_30":
        return today - timedelta(days=29), today
    if period == "last_90":
        return today - timedelta(days=89), today
    if period == "last_12m":
        return _add_months(today.replace(day=1), -11), today
    return today.replace(day=1), today  # this_month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def same_period_last_year(date_from: date, date_to: date) -> tuple[date, date]:
    """The comparable period a year before (29 February becomes the 28th)."""
    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)
    return back(date_from), back(date_to)


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length just before."""
    length = (date_to - date_from).days + 1
    return date_from - timedelta(days=length), date_from - timedelta(days=1)


class _IdsField(forms.Field):
    """Ids from repeated parameters or a comma-separated one: positive 32-bit integers, at most MAX_IDS."""

    default_error_messages = {"invalid": _("Enter whole numbers separated by commas."),
                              "too_many": _("Choose at most %(n)d.")}

    def to_python(self, value) -> tuple[int, ...]:
        if not value:
            return ()
        values = value if isinstance(value, list | tuple) else [value]
        parts = [part.strip() for item in values for part in str(item).split(",") if part.strip()]
        if len(parts) > MAX_IDS:
            raise forms.ValidationError(self.error_messages["too_many"] % {"n": MAX_IDS}, code="too_many")
        try:
            ids = tuple(dict.fromkeys(int(part) for part in parts))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(not 0 < i < 2**31 for i in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


class _NamesField(forms.Field):
    """Names from a comma-separated parameter, each from `choices`."""

    def __init__(self, *, choices: dict, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def to_python(self, value) -> tuple[str, ...]:
        if not value:
            return ()
        names = tuple(part.strip() for part in str(value).split(",") if part.strip())
        unknown = [name for name in names if name not in self.choices]
        if unknown:
            raise forms.ValidationError(_("Unknown: %(names)s.") % {"names": ", ".join(unknown[:5])[:100]})
        return names


class _IdsWidget(forms.TextInput):
    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            values = data.getlist(name)
            return values if len(values) != 1 else values[0]
        return data.get(name)


class ReportForm(forms.Form):
    """The report a query string asks for, as `actor` may see it. `.spec()` after `is_valid()`."""

    period = forms.ChoiceField(label=_("Period"), choices=list(PERIODS.items()), required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    dims = _NamesField(label=_("Dimensions"), choices=DIMENSIONS, required=False)
    measures = _NamesField(label=_("Measures"), choices=MEASURES, required=False)
    currency = forms.RegexField(label=_("Currency"), regex=r"^[A-Z]{3}$", required=False,
                                error_messages={"invalid": _("A three-letter currency code, such as CNY.")})
    region = forms.IntegerField(label=_("Region"), min_value=1, max_value=2**31 - 1, required=False)
    province = forms.IntegerField(label=_("Province"), min_value=1, max_value=2**31 - 1, required=False)
    tier = _IdsField(label=_("Tier"), required=False, widget=_IdsWidget)
    dealer = _IdsField(label=_("Dealer"), required=False, widget=_IdsWidget)
    rep = _IdsField(label=_("Sales rep"), required=False, widget=_IdsWidget)
    category = forms.IntegerField(label=_("Category"), min_value=1, max_value=2**31 - 1, required=False)
    series = _IdsField(label=_("Series"), required=False, widget=_IdsWidget)
    product = _IdsField(label=_("Product"), required=False, widget=_IdsWidget)
    sku = _IdsField(label=_("SKU"), required=False, widget=_IdsWidget)
    limit = forms.IntegerField(label=_("Rows"), min_value=1, max_value=5000, required=False)

    def __init__(self, data=None, *, actor, default_dims: tuple[str, ...] = (), default_period: str = "this_month",
                 **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.actor = actor
        self.default_dims = default_dims
        self.default_period = default_period

    def _exists(self, name: str, queryset, message) -> None:
        ids = self.cleaned_data.get(name)
        if not ids:
            return
        wanted = set(ids) if isinstance(ids, tuple) else {ids}
        found = set(queryset.filter(pk__in=wanted).values_list("pk", flat=True))
        if found != wanted:
            self.add_error(name, message)

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            if data.get(name) and (message := outside_window(data[name])):
                self.add_error(name, message)
        self._exists("region", nodes_visible_to(self.actor), _("No such region in your part of the network."))
        self._exists("dealer", dealers_visible_to(self.actor), _("No such dealer in your part of the network."))
        self._exists("province", Territory.objects.all(), _("No such area."))
        self._exists("tier", Tier.objects.all(), _("No such tier."))
        self._exists("category", Category.objects.all(), _("No such category."))
        self._exists("series", Series.objects.all(), _("No such series."))
        self._exists("product", Product.objects.all(), _("No such product."))
        self._exists("sku", Sku.objects.all(), _("No such SKU."))
        if self.errors:
            return data
        errors = spec_errors(self._build(data))
        for name, messages in errors.items():
            field = {"dimensions": "dims", "date_to": "date_to", "measures": "measures"}.get(name, None)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return data

    def _build(self, data) -> ReportSpec:
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if not (date_from and date_to):
            start, end = period_dates(data.get("period") or self.default_period)
            date_from, date_to = date_from or start, date_to or end
        filters = Filters(region=data.get("region"), province=data.get("province"), tiers=data.get("tier") or (),
                          dealers=data.get("dealer") or (), reps=data.get("rep") or (),
                          category=data.get("category"), series=data.get("series") or (),
                          products=data.get("product") or (), skus=data.get("sku") or ())
        return ReportSpec(date_from=date_from, date_to=date_to,
                          dimensions=data.get("dims") or self.default_dims,
                          measures=data.get("measures") or ("net",),
                          currency=data.get("currency") or tenant_currency(), filters=filters,
                          limit=data.get("limit") or 1000)

    def spec(self) -> ReportSpec:
        return self._build(self.cleaned_data)


def spec_params(spec: ReportSpec, **overrides) -> str:
    """The query string of a spec (for links: a drill-down changes some of it with `overrides`, None drops one)."""
    params: dict[str, object] = {
        "date_from": spec.date_from.isoformat(), "date_to": spec.date_to.isoformat(),
        "dims": ",".join(spec.dimensions), "measures": ",".join(spec.measures), "currency": spec.currency,
        "region": spec.filters.region, "province": spec.filters.province,
        "tier": ",".join(map(str, spec.filters.tiers)), "dealer": ",".join(map(str, spec.filters.dealers)),
        "rep": ",".join(map(str, spec.filters.reps)), "category": spec.filters.category,
        "series": ",".join(map(str, spec.filters.series)), "product": ",".join(map(str, spec.filters.products)),
        "sku": ",".join(map(str, spec.filters.skus)),
    }
    params.update(overrides)
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, "", ()):
            query[key] = str(value)
    return query.urlencode(safe=",")


def spec_to_dict(spec: ReportSpec) -> dict:
    """A spec as JSON-ready data (saved reports, export jobs, schedules); spec_from_dict reads it back through
    the form, so a stored spec is checked again against its reader's scope when it runs."""
    return {key: value for key, value in QueryDict(spec_params(spec)).items()}


def spec_form_from_dict(data: dict, *, reader) -> ReportForm:
    query = QueryDict(mutable=True)
    for key, value in (data or {}).items():
        if isinstance(key, str) and isinstance(value, str | int):
            query[key] = str(value)
    return ReportForm(query, actor=reader)
