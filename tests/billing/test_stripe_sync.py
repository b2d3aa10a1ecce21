"""`billing_stripe_sync`: Stripe's products and prices in step with our plans, idempotently."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing_saas.models import Plan, PlanPrice


def _sync() -> str:
    out = StringIO()
    call_command("billing_stripe_sync", stdout=out)
    return out.getvalue().strip()


def test_the_sync_makes_a_product_per_plan_and_a_price_per_plan_price(stripe_fake):
    plans, prices = Plan.objects.count(), PlanPrice.objects.count()
    assert _sync() == f"products_created={plans} products_updated=0 prices_created={prices} prices_archived=0"
    for price in PlanPrice.objects.select_related("plan"):
        remote = stripe_fake.object(price.stripe_price_id)
        assert (remote["product"], remote["currency"], remote["recurring"]["interval"], remote["active"]) == (
            price.plan.stripe_product_id, price.currency.lower(), price.interval, True)
        assert remote["unit_amount"] == int(price.amount * 100)
    ids = sorted(PlanPrice.objects.values_list("stripe_price_id", flat=True))

    assert _sync() == "products_created=0 products_updated=0 prices_created=0 prices_archived=0"
    assert sorted(PlanPrice.objects.values_list("stripe_price_id", flat=True)) == ids
    assert len(stripe_fake.events("price.created")) == prices


def test_a_changed_amount_makes_a_new_price_and_archives_the_old(stripe_fake):
    _sync()
    price = PlanPrice.objects.get(plan__code="growth", currency="CNY", interval="month")
    old = price.stripe_price_id
    PlanPrice.objects.filter(pk=price.pk).update(amount=Decimal("7999.00"))

    assert _sync() == "products_created=0 products_updated=0 prices_created=1 prices_archived=1"
    price.refresh_from_db()
    assert price.stripe_price_id != old
    assert stripe_fake.object(old)["active"] is False
    assert stripe_fake.object(price.stripe_price_id)["unit_amount"] == 799900
    assert _sync() == "products_created=0 products_updated=0 prices_created=0 prices_archived=0"


def test_lost_ids_are_found_again_by_metadata(stripe_fake):
    _sync()
    PlanPrice.objects.update(stripe_price_id="")
    Plan.objects.update(stripe_product_id="")
    assert _sync() == "products_created=0 products_updated=0 prices_created=0 prices_archived=0"
    assert not PlanPrice.objects.filter(stripe_price_id="").exists()


def test_stripe_out_of_reach_fails_the_command_clearly(stripe_fake):
    stripe_fake.stop()
    with pytest.raises(CommandError, match="cannot be reached"):
        _sync()
