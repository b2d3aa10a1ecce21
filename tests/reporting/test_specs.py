"""A report spec travels in a query string and back unchanged; bad ids and names are field errors."""

from django.http import QueryDict

from tenant_apps.reporting.specs import ReportForm, spec_params
from tests.factories.accounts import UserFactory


def test_spec_form(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        owner = UserFactory(email="o2@x.test", role="owner")
        form = ReportForm(QueryDict("period=this_year&dims=month,region&measures=net,orders&tier=1,2&tier=3"),
                          actor=owner)
        assert not form.is_valid()
        assert set(form.errors) == {"tier"}
        form = ReportForm(QueryDict(f"period=this_year&dims=month,region&measures=net,orders&tier={store.tier.pk}"),
                          actor=owner)
        assert form.is_valid(), form.errors
        spec = form.spec()
        assert spec.filters.tiers == (store.tier.pk,)
        again = ReportForm(QueryDict(spec_params(spec)), actor=owner)
        assert again.is_valid() and again.spec() == spec
        bad = ReportForm(QueryDict("dims=month,week&measures=orders,x&dealer=abc&date_from=1900-01-01"), actor=owner)
        assert not bad.is_valid()
        assert set(bad.errors) == {"measures", "dealer", "date_from"}
