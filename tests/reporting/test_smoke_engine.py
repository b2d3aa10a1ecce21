from datetime import timedelta

from django.utils import timezone

from tenant_apps.reporting.cube import Filters, ReportSpec
from tenant_apps.reporting.selectors import report_run, rollup_mismatches
from tenant_apps.reporting.services import rollups_refresh
from tests.factories.accounts import UserFactory
from tests.factories.ordering import OrderFactory


def test_smoke(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 3), (store.water, 2)])
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 1)])
        rollups_refresh()
        assert rollup_mismatches() == []
        owner = UserFactory(email="o@x.test", role="owner")
        today = timezone.localdate()
        for dims in [(), ("dealer",), ("month", "sku"), ("region", "category"), ("day", "tier"), ("province",),
                     ("week", "series"), ("quarter", "rep"), ("product", "year")]:
            spec = ReportSpec(date_from=today - timedelta(days=400), date_to=today, dimensions=dims,
                              measures=("net", "lines", "quantity"))
            report = report_run(actor=owner, spec=spec)
            print(dims, [(r.labels, r.values) for r in report.rows], report.totals)
            assert report.totals == (32, 3, 6)
        spec = ReportSpec(date_from=today, date_to=today, dimensions=("dealer",), measures=("orders", "net"))
        print(report_run(actor=owner, spec=spec))
        spec = ReportSpec(date_from=today, date_to=today, dimensions=("sku",), measures=("net",),
                          filters=Filters(category=store.sku.product.category_id))
        print(report_run(actor=owner, spec=spec).rows)


def test_spec_form(store, tenant_a, in_tenant):
    from django.http import QueryDict

    from tenant_apps.reporting.specs import ReportForm, spec_params

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
