"""One subscription walked through simulated time, as the schedule and Stripe would move it: trial -> active
(Checkout) -> renewal -> failed payment -> past_due -> read_only -> paid (the portal) -> active.

The simulated clock moves "now" for our code (time-machine) and for the fake Stripe together (the fake reads the
same clock), lets the fake do what Stripe does meanwhile (renew, refuse a card), delivers Stripe's webhooks to our
endpoint, and runs the periodic tasks (the dunning schedule), exactly as beat would."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from billing_saas import stripe_gateway
from billing_saas.models import Plan, Subscription
from billing_saas.stripe_fake import CARD_OK, FakeStripe
from dms.celery import app
from tenants.models import Tenant
from tests.billing.conftest import API_KEY, WEBHOOK_SECRET, hosted_post, webhook_post

RETURN = "http://acme.localhost/console/billing/"


class SimulatedClock:
    """`move(days=, hours=)`: now moves on; Stripe renews what fell due and its webhooks arrive; the periodic tasks
    run (the beat schedule's billing entries, eagerly)."""

    def __init__(self, traveller, fake: FakeStripe):
        self.traveller, self.fake = traveller, fake

    @staticmethod
    def now() -> datetime:
        return datetime.now(tz=UTC)

    def move(self, *, days: float = 0, hours: float = 0) -> datetime:
        moment = self.now() + timedelta(days=days, hours=hours)
        self.traveller.move_to(moment)
        self.fake.advance(to=int(moment.timestamp()))
        self.deliver()
        self.run_periodic_tasks()
        return moment

    def deliver(self) -> None:
        assert all(status == 200 for _event, status in self.fake.deliver())

    @staticmethod
    def run_periodic_tasks() -> None:
        app.loader.import_default_modules()  # every app's tasks registered, as in a worker
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            if entry["task"].startswith("billing_saas."):
                app.tasks[entry["task"]].apply(args=entry.get("args", ()))


@pytest.fixture
def clock(settings, db):
    with time_machine.travel(datetime.now(tz=UTC), tick=True) as traveller:
        fake = FakeStripe(webhook_secret=WEBHOOK_SECRET, webhook=webhook_post, delivery="hold",
                          clock=time.time).start()
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = API_KEY, fake.url
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        try:
            yield SimulatedClock(traveller, fake)
        finally:
            fake.stop()


def _state(tenant) -> tuple[str, str]:
    subscription = Subscription.objects.get(tenant=tenant)
    return subscription.state, Tenant.objects.get(pk=tenant.pk).billing_state


def test_trial_active_renewal_failed_payment_past_due_read_only_paid_active(clock, tenant_a):
    subscription = Subscription.objects.get(tenant=tenant_a)
    assert _state(tenant_a) == ("trialing", "")

    # a week into the trial the owner pays for Growth by card on Stripe Checkout
    clock.move(days=7)
    url = stripe_gateway.checkout_url(subscription=subscription, plan=Plan.objects.get(code="growth"),
                                      interval="month", success_url=RETURN, cancel_url=RETURN)
    assert hosted_post(url, {"action": "pay", "card": CARD_OK})[0] == 303
    clock.deliver()
    subscription.refresh_from_db()
    assert _state(tenant_a) == ("active", "") and subscription.plan.code == "growth"
    first_end = subscription.current_period_end
    assert first_end.date() in {(clock.now() + timedelta(days=n)).date() for n in (28, 29, 30, 31)}

    # the end of the month: the card renews; the schedule has nothing to do
    clock.move(days=(first_end - clock.now()).days + 1)
    subscription.refresh_from_db()
    assert _state(tenant_a) == ("active", "") and subscription.current_period_end > first_end
    second_end = subscription.current_period_end

    # the card expires; the next renewal is refused: past due, the staff see a banner, writes still work
    clock.fake.card_fails(subscription.stripe_customer_id)
    clock.move(days=(second_end - clock.now()).days + 1)
    assert _state(tenant_a) == ("past_due", "past_due")
    clock.move(days=6)
    assert _state(tenant_a) == ("past_due", "past_due")

    # the grace period is over: read-only (the workspace is not suspended yet)
    clock.move(days=1, hours=1)
    assert _state(tenant_a) == ("read_only", "read_only")
    assert Tenant.objects.get(pk=tenant_a.pk).status == "active"

    # the owner puts a new card in Stripe's portal and pays what is open: active and writable again
    portal = stripe_gateway.portal_url(subscription=subscription, return_url=RETURN)
    clock.fake.portal_update(portal.rsplit("/", 1)[1], card=CARD_OK, pay_open=True)
    clock.deliver()
    assert _state(tenant_a) == ("active", "")
    subscription.refresh_from_db()
    assert subscription.current_period_end > second_end

    # and the schedule, run again and again, leaves it so
    clock.move(days=3)
    assert _state(tenant_a) == ("active", "")
    history = list(subscription.changes.order_by("id").values_list("action", flat=True))
    assert [action.rsplit(".", 1)[1] for action in history if "started" not in action] == [
        "stripe_customer_linked", "activated", "renewed", "payment_failed", "read_only", "activated"]
