"""The generated history of bench/recommend.py holds the structure it was designed with (issue 26), read back from
the rows it wrote: co-purchased pairs come together, each dealer orders on its rhythm, a (region, tier) group's
dealers favour its SKUs, new dealers have no order, and the orders are dated inside the weeks asked for."""

from datetime import date, timedelta

from django.db.models import Max, Min

from bench.history_gen import Shape, generate, season, structure_check
from tenant_apps.ordering.models import Order, OrderLine

SMALL = Shape(weeks=30, dealers=48, new_dealers=1, steady_dealers=2, skus=40, pairs=3, seed=7, end=date(2026, 6, 7))


def test_small_generated_history_has_its_pairs_rhythms_and_preferences(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        generated = generate(SMALL, refresh_rollups=False)
        checks = structure_check(generated)
        assert checks["pair_cooccurrence_min"] >= 0.8
        assert checks["rhythm_regular_share"] >= 0.9
        assert checks["preference_lift_min"] >= 1.5
        assert checks["new_dealer_orders"] == 0

        mine = Order.objects.filter(dealer_id__in=[d.id for d in generated.dealers])
        assert mine.count() == generated.orders
        assert OrderLine.objects.filter(order__in=mine).count() == generated.lines
        assert generated.start == date(2025, 11, 10) and generated.start.weekday() == 0
        span = mine.aggregate(first=Min("submitted_at__date"), last=Max("submitted_at__date"))
        assert generated.start <= span["first"] and span["last"] <= SMALL.end
        # a companion is never ordered without its lead
        for lead, companion in generated.pairs:
            alone = mine.filter(lines__sku_id=companion).exclude(lines__sku_id=lead)
            assert not alone.exists()
        # a steady dealer orders every 7 days exactly
        steady = next(d for d in generated.dealers if d.steady)
        days = sorted(mine.filter(dealer_id=steady.id).exclude(status="cancelled").values_list(
            "submitted_at__date", flat=True))
        assert {b - a for a, b in zip(days, days[1:], strict=False)} <= {timedelta(days=7), timedelta(days=14)}


def test_seasonality_peaks_where_designed_and_the_new_year_stocks_up():
    drinks, gifts = 0, 1
    assert season(drinks, date(2026, 7, 19)) > 1.4 > 0.6 > season(drinks, date(2026, 1, 15))
    assert season(gifts, date(2027, 1, 25)) > 1.8 * season(gifts, date(2027, 3, 15))  # before 6 Feb 2027
    assert season(gifts, date(2027, 2, 8)) < season(gifts, date(2027, 2, 20))  # the holiday week is quiet
