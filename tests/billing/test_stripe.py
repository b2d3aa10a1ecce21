"""Stripe end to end against the fake: checkout, webhooks (signature, replay, order), prepaid periods, plan
changes, cancellation, invoices, and Stripe out of reach."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from billing_saas import services, stripe_gateway
from billing_saas.errors import PaymentDeclined, PaymentProviderUnavailable
from billing_saas.models import Plan, PrepaidPayment, StripeEvent, SubscriptionChange
from billing_saas.stripe_fake import CARD_DECLINED, CARD_OK, signature
from tests.billing.conftest import WEBHOOK_PATH, WEBHOOK_SECRET, hosted_get, hosted_post

SUCCESS = "http://acme.localhost/console/billing/?paid={CHECKOUT_SESSION_ID}"
CANCEL = "http://acme.localhost/console/billing/"


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _subscribe(stripe_fake, subscription, plan_code="starter", interval="month"):
    """The brand pays on Stripe Checkout and Stripe's webhooks arrive: the Stripe subscription."""
    url = stripe_gateway.checkout_url(subscription=subscription, plan=Plan.objects.get(code=plan_code),
                                      interval=interval, success_url=SUCCESS, cancel_url=CANCEL)
    status, location = hosted_post(url, {"action": "pay", "card": CARD_OK})
    assert status == 303
    assert all(answer == 200 for _event, answer in stripe_fake.deliver())
    subscription.refresh_from_db()
    return stripe_fake.object(subscription.stripe_subscription_id)


def test_checkout_makes_the_subscription_active_for_stripes_period(stripe_fake, subscription_a, tenant_a):
    growth = Plan.objects.get(code="growth")
    url = stripe_gateway.checkout_url(subscription=subscription_a, plan=growth, interval="month",
                                      success_url=SUCCESS, cancel_url=CANCEL)
    assert url.startswith(f"{stripe_fake.url}/pay/cs_test_")
    status, page = hosted_get(url)
    assert status == 200 and "Test mode" in page and "6,999.00 CNY" in page

    status, location = hosted_post(url, {"action": "pay", "card": CARD_OK})
    session_id = url.rsplit("/", 1)[1]
    assert (status, location) == (303, SUCCESS.replace("{CHECKOUT_SESSION_ID}", session_id))
    subscription_a.refresh_from_db()
    assert subscription_a.state == "trialing"  # nothing until Stripe's webhooks arrive

    delivered = stripe_fake.deliver()
    assert [answer for _event, answer in delivered] == [200] * len(delivered)
    subscription_a.refresh_from_db()
    remote = stripe_fake.object(subscription_a.stripe_subscription_id)
    item = remote["items"]["data"][0]
    assert (subscription_a.state, subscription_a.renewal, subscription_a.plan_id, subscription_a.interval) == (
        "active", "card", growth.pk, "month")
    assert subscription_a.current_period_start == _at(item["current_period_start"])
    assert subscription_a.current_period_end == _at(item["current_period_end"])
    assert subscription_a.stripe_customer_id == remote["customer"]
    assert StripeEvent.objects.filter(processed_at__isnull=False, error="").count() == len(delivered)
    tenant_a.refresh_from_db()
    assert (tenant_a.plan_id, tenant_a.billing_state) == (growth.pk, "")
    # one activation, however many of the events said so
    assert SubscriptionChange.objects.filter(subscription=subscription_a,
                                             action="billing.subscription.activated").count() == 1


def test_a_declined_card_at_checkout_changes_nothing(stripe_fake, subscription_a):
    url = stripe_gateway.checkout_url(subscription=subscription_a, plan=Plan.objects.get(code="starter"),
                                      interval="month", success_url=SUCCESS, cancel_url=CANCEL)
    status, _location = hosted_post(url, {"action": "pay", "card": CARD_DECLINED})
    assert status == 402
    stripe_fake.deliver()
    subscription_a.refresh_from_db()
    assert (subscription_a.state, subscription_a.stripe_subscription_id) == ("trialing", "")
    assert stripe_fake.events("customer.subscription.created") == []


def _post(body: bytes, signature_header: str | None):
    extra = {"HTTP_STRIPE_SIGNATURE": signature_header} if signature_header is not None else {}
    return Client(HTTP_HOST="localhost").post(WEBHOOK_PATH, data=body, content_type="application/json", **extra)


def test_a_forged_or_altered_webhook_is_refused_and_changes_nothing(stripe_fake, subscription_a):
    url = stripe_gateway.checkout_url(subscription=subscription_a, plan=Plan.objects.get(code="starter"),
                                      interval="month", success_url=SUCCESS, cancel_url=CANCEL)
    hosted_post(url, {"action": "pay", "card": CARD_OK})
    completed = stripe_fake.events("checkout.session.completed")[0]
    body = json.dumps(completed).encode()
    changes = SubscriptionChange.objects.count()

    forged = _post(body, signature(body, "whsec_not_the_secret"))
    assert forged.status_code == 400 and forged.json()["code"] == "webhook_refused"
    altered = body.replace(b'"paid"', b'"unpaid"')
    assert _post(altered, signature(body, WEBHOOK_SECRET)).status_code == 400
    assert _post(body, None).status_code == 400
    assert _post(body, "t=1,v1=00").status_code == 400
    stale = signature(body, WEBHOOK_SECRET, timestamp=int(datetime.now(UTC).timestamp()) - 3600)
    assert _post(body, stale).status_code == 400  # an old signature replayed later: outside the tolerance
    assert Client(HTTP_HOST="localhost").get(WEBHOOK_PATH).status_code == 405

    assert StripeEvent.objects.count() == 0
    assert SubscriptionChange.objects.count() == changes
    subscription_a.refresh_from_db()
    assert (subscription_a.state, subscription_a.stripe_subscription_id) == ("trialing", "")
    # the genuine one goes through
    assert _post(body, signature(body, WEBHOOK_SECRET)).status_code == 200


def test_a_replayed_event_is_not_processed_again(stripe_fake, subscription_a):
    _subscribe(stripe_fake, subscription_a)
    completed = stripe_fake.events("checkout.session.completed")[0]
    stored = StripeEvent.objects.get(event_id=completed["id"])
    # the operator marks it overdue meanwhile: processing the event again would make it active
    services.subscription_payment_failed(actor=None, subscription=subscription_a, reason="test")
    changes = SubscriptionChange.objects.count()

    assert stripe_fake.resend(completed["id"]) == 200
    assert stripe_fake.resend(stripe_fake.events("invoice.paid")[0]["id"]) == 200

    assert StripeEvent.objects.count() == len(stripe_fake.events())
    assert StripeEvent.objects.get(pk=stored.pk).processed_at == stored.processed_at
    assert SubscriptionChange.objects.count() == changes
    subscription_a.refresh_from_db()
    assert subscription_a.state == "past_due"


def test_a_failed_renewal_falls_due_and_paying_in_the_portal_restores(stripe_fake, subscription_a, tenant_a):
    remote = _subscribe(stripe_fake, subscription_a)
    first_end = remote["items"]["data"][0]["current_period_end"]
    stripe_fake.card_fails(remote["customer"])
    assert stripe_fake.advance(to=first_end + 3600) == [remote["id"]]
    stripe_fake.deliver()
    subscription_a.refresh_from_db()
    tenant_a.refresh_from_db()
    assert (subscription_a.state, tenant_a.billing_state) == ("past_due", "past_due")

    portal = stripe_gateway.portal_url(subscription=subscription_a, return_url=CANCEL)
    status, page = hosted_get(portal)
    assert status == 200 and "FAKE-0002" in page and "open" in page
    assert hosted_post(portal, {"card": CARD_OK, "pay_open": "1"})[0] == 200
    stripe_fake.deliver()
    subscription_a.refresh_from_db()
    renewed = stripe_fake.object(remote["id"])["items"]["data"][0]
    assert subscription_a.state == "active"
    assert subscription_a.current_period_end == _at(renewed["current_period_end"]) > _at(first_end)


def test_events_out_of_order_end_in_stripes_state(stripe_fake, subscription_a):
    """The renewal failed, then was paid in the portal; Stripe's events arrive the other way round: the old
    failure, processed last, finds the subscription active in Stripe and changes nothing."""
    remote = _subscribe(stripe_fake, subscription_a)
    stripe_fake.card_fails(remote["customer"])
    stripe_fake.advance(to=remote["items"]["data"][0]["current_period_end"] + 60)
    stripe_fake.portal_update(stripe_gateway.portal_url(subscription=subscription_a,
                                                        return_url=CANCEL).rsplit("/", 1)[1])
    waiting = stripe_fake.pending()
    types = [event["type"] for event in waiting]
    assert types.index("invoice.payment_failed") < types.index("invoice.paid")

    assert all(answer == 200 for _id, answer in stripe_fake.deliver([event["id"] for event in reversed(waiting)]))
    subscription_a.refresh_from_db()
    item = stripe_fake.object(remote["id"])["items"]["data"][0]
    assert subscription_a.state == "active"
    assert subscription_a.current_period_end == _at(item["current_period_end"])
    assert not SubscriptionChange.objects.filter(subscription=subscription_a,
                                                 action="billing.subscription.payment_failed").exists()
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0


@pytest.mark.parametrize("method", ["alipay", "wechat_pay"])
def test_a_prepaid_payment_extends_paid_through(stripe_fake, subscription_a, method):
    payment = services.prepaid_payment_create(actor=None, subscription=subscription_a, method=method, periods=3)
    url = stripe_gateway.prepaid_checkout_url(payment=payment, success_url=SUCCESS, cancel_url=CANCEL)
    status, page = hosted_get(url)
    assert status == 200 and "Pay with" in page and "card" not in page.split("<form")[1].lower()
    before = datetime.now(UTC)
    assert hosted_post(url, {"action": "pay", "method": method})[0] == 303
    stripe_fake.deliver()
    after = datetime.now(UTC)

    payment.refresh_from_db()
    subscription_a.refresh_from_db()
    assert payment.status == PrepaidPayment.Status.SUCCEEDED
    assert payment.stripe_payment_intent_id.startswith("pi_")
    assert stripe_fake.object(payment.stripe_payment_intent_id)["payment_method_types"] == [method]
    assert services.add_interval(before, "month", 3) <= payment.paid_through <= services.add_interval(after,
                                                                                                     "month", 3)
    assert (subscription_a.state, subscription_a.renewal, subscription_a.current_period_end) == (
        "active", "prepaid", payment.paid_through)
    # Stripe repeats itself: paid once
    for event in stripe_fake.events("payment_intent.succeeded"):
        stripe_fake.resend(event["id"])
    subscription_a.refresh_from_db()
    assert subscription_a.current_period_end == payment.paid_through


def test_an_upgrade_is_charged_prorated_in_stripe(stripe_fake, subscription_a):
    remote = _subscribe(stripe_fake, subscription_a, "starter")
    growth = Plan.objects.get(code="growth")
    preview = services.plan_change_preview(subscription=subscription_a, plan=growth, interval="month")

    stripe_gateway.upgrade(subscription=subscription_a, plan=growth, interval="month")
    stripe_fake.deliver()
    subscription_a.refresh_from_db()
    after = stripe_fake.object(remote["id"])
    invoice = stripe_fake.object(after["latest_invoice"])
    assert subscription_a.plan_id == growth.pk and subscription_a.state == "active"
    assert after["items"]["data"][0]["price"]["id"] == growth.price("CNY", "month").stripe_price_id
    assert (invoice["billing_reason"], invoice["status"]) == ("subscription_update", "paid")
    assert abs(invoice["total"] - stripe_gateway.minor(preview.due_now, "CNY")) <= 1  # a second apart


def test_a_declined_upgrade_changes_nothing(stripe_fake, subscription_a):
    remote = _subscribe(stripe_fake, subscription_a, "starter")
    stripe_fake.card_fails(remote["customer"])
    with pytest.raises(PaymentDeclined) as refused:
        stripe_gateway.upgrade(subscription=subscription_a, plan=Plan.objects.get(code="growth"), interval="month")
    assert refused.value.status == 402
    subscription_a.refresh_from_db()
    assert subscription_a.plan.code == "starter"
    assert stripe_fake.object(remote["id"])["items"]["data"][0]["price"]["id"] == remote["items"]["data"][0][
        "price"]["id"]


def test_cancel_at_period_end_then_stripe_ends_it(stripe_fake, subscription_a):
    remote = _subscribe(stripe_fake, subscription_a)
    stripe_gateway.cancel_at_period_end(subscription=subscription_a)
    assert stripe_fake.object(remote["id"])["cancel_at_period_end"] is True
    stripe_fake.deliver()
    subscription_a.refresh_from_db()
    assert (subscription_a.state, subscription_a.cancel_at_period_end) == ("active", True)

    stripe_gateway.resume(subscription=subscription_a)
    assert stripe_fake.object(remote["id"])["cancel_at_period_end"] is False
    stripe_gateway.cancel_at_period_end(subscription=subscription_a)
    stripe_fake.advance(to=remote["items"]["data"][0]["current_period_end"] + 1)
    stripe_fake.deliver()
    subscription_a.refresh_from_db()
    assert subscription_a.state == "cancelled"


def test_invoices_are_listed_from_stripe(stripe_fake, subscription_a):
    assert stripe_gateway.invoices(subscription=subscription_a) == []
    _subscribe(stripe_fake, subscription_a, "starter")
    [invoice] = stripe_gateway.invoices(subscription=subscription_a)
    assert (invoice["number"], invoice["amount"], invoice["currency"], invoice["status"]) == (
        "FAKE-0001", Decimal("1999.00"), "CNY", "paid")
    assert invoice["hosted_invoice_url"].startswith(f"{stripe_fake.url}/invoice/in_")


def test_stripe_out_of_reach_is_a_clear_error_and_webhooks_wait_for_it(stripe_fake, subscription_a):
    url = stripe_gateway.checkout_url(subscription=subscription_a, plan=Plan.objects.get(code="starter"),
                                      interval="month", success_url=SUCCESS, cancel_url=CANCEL)
    hosted_post(url, {"action": "pay", "card": CARD_OK})
    stripe_fake.stop()

    with pytest.raises(PaymentProviderUnavailable) as down:
        stripe_gateway.checkout_url(subscription=subscription_a, plan=Plan.objects.get(code="growth"),
                                    interval="month", success_url=SUCCESS, cancel_url=CANCEL)
    assert down.value.status == 503 and "cannot be reached" in str(down.value)
    # the webhooks are taken (200: Stripe stops sending them) but wait, unprocessed, with the reason
    assert {answer for _id, answer in stripe_fake.deliver()} == {200}
    assert StripeEvent.objects.filter(processed_at__isnull=True, error__startswith="payment_provider_unavailable")
    subscription_a.refresh_from_db()
    assert subscription_a.state == "trialing"

    stripe_fake.start()  # Stripe is back and retries its deliveries: each is processed now
    for event in stripe_fake.events():
        assert stripe_fake.resend(event["id"]) == 200
    subscription_a.refresh_from_db()
    assert subscription_a.state == "active"
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
