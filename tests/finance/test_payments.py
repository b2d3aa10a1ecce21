"""Online payments through Stripe Connect, against the fake Stripe over HTTP (tests/finance/payments_world.py): a
dealer starts a payment by the API, pays (or is declined) on Stripe's page, Stripe's signed webhooks move the
payment; refunds; replays, forgeries and events out of order; the Idempotency-Key; scope."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing_saas import services as billing
from billing_saas.stripe_fake import signature
from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance import selectors as finance_selectors
from tenant_apps.finance.models import (
    DealerAccount,
    EntryKind,
    IdempotentRequest,
    LedgerEntry,
    Payment,
    PaymentRefund,
    ProviderWebhookEvent,
)
from tenant_apps.finance.payments.services import amount_owed
from tests.conftest import host_client
from tests.factories import UserFactory
from tests.finance import payments_world
from tests.finance.payments_world import HOST, api_as, hosted_post, order_charged, post

connected = payments_world.connected  # the fixture


def _start(books, in_tenant, body: dict, user=None, **headers):
    with in_tenant(books.tenant):
        client = api_as(user or books.clerk)
    return post(client, "payments/", body, **headers)


def _payment(books, in_tenant, pk) -> Payment:
    with in_tenant(books.tenant):
        return Payment.objects.get(pk=pk)


def _entries(books, in_tenant, **filters) -> list[tuple]:
    with in_tenant(books.tenant):
        return list(LedgerEntry.objects.filter(**filters).order_by("id").values_list("kind", "amount", "reference"))


def _no_mismatch(books, in_tenant) -> None:
    with in_tenant(books.tenant):
        assert finance_selectors.ledger_mismatches() == []


def test_a_top_up_paid_on_stripe_lands_in_the_balance_once_the_webhook_arrives(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "200.00"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["state"], body["amount"], body["currency"], body["purpose"]) == ("pending", "200.00", "CNY", "top_up")
    assert body["redirect_url"].startswith(connected.fake.url + "/pi/pi_")
    intent = connected.fake.object(body["provider_ref"])
    assert (intent["amount"], intent["currency"], intent["status"]) == (20000, "cny", "requires_action")
    assert intent["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    with connected.fake.state.lock:  # made on the brand's connected account, not the platform's
        assert connected.fake.state.objects[body["provider_ref"]]["_account"] == connected.account_id

    status, back = hosted_post(body["redirect_url"], {"action": "pay", "method": "alipay"})
    assert status == 303
    assert back.startswith(f"http://{HOST}/account/finance/payments/{body['id']}/?payment_intent=")
    assert back.endswith("&redirect_status=succeeded")
    assert _payment(books, in_tenant, body["id"]).state == "pending"  # until Stripe tells us
    delivered = connected.fake.deliver()
    assert {status for _event, status in delivered} == {0, 200}  # 0: a type the endpoint does not take

    payment = _payment(books, in_tenant, body["id"])
    assert (payment.state, payment.paid_at is not None) == ("succeeded", True)
    assert _entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("200.00"), f"TOPUP-{payment.pk}")]
    with in_tenant(books.tenant):
        assert payment.entry_id == LedgerEntry.objects.get().pk
        assert DealerAccount.objects.get(dealer=books.one).balance == Decimal("200.00")
        assert list(AuditEntry.objects.filter(target_id=str(payment.pk), action__startswith="finance.payment.")
                    .order_by("id").values_list("action", "actor_label")) == [
            ("finance.payment.created", books.clerk.email), ("finance.payment.succeeded", "stripe")]
    _no_mismatch(books, in_tenant)


def test_an_order_payment_is_at_most_what_is_still_owed_and_pays_the_credit_down(connected, books, in_tenant):
    order_charged(books, in_tenant, number="SO-1001", amount="100.00")
    too_much = _start(books, in_tenant, {"purpose": "order", "provider": "stripe", "amount": "100.01",
                                         "reference": "SO-1001"})
    assert (too_much.status_code, list(too_much.json()["fields"])) == (400, ["amount"])
    assert "100.00 CNY" in too_much.json()["fields"]["amount"][0]
    unknown = _start(books, in_tenant, {"purpose": "order", "provider": "stripe", "amount": "1.00",
                                        "reference": "SO-404"})
    assert (unknown.status_code, list(unknown.json()["fields"])) == (400, ["reference"])
    with in_tenant(books.tenant):
        assert not Payment.objects.exists()

    made = _start(books, in_tenant, {"purpose": "order", "provider": "stripe", "amount": "60.00",
                                     "reference": "SO-1001", "method": "wechat_pay"}).json()
    assert connected.fake.object(made["provider_ref"])["payment_method_types"] == ["wechat_pay"]
    hosted_post(made["redirect_url"], {"action": "pay", "method": "wechat_pay"})
    connected.fake.deliver()
    assert _payment(books, in_tenant, made["id"]).state == "succeeded"
    with in_tenant(books.tenant):
        assert amount_owed(dealer=books.one, reference="SO-1001", currency="CNY") == Decimal("40.00")
        account = DealerAccount.objects.get(dealer=books.one)
        assert (account.credit_used, account.balance) == (Decimal("40.00"), Decimal("0.00"))
    assert _entries(books, in_tenant, kind=EntryKind.PAYMENT) == [(EntryKind.PAYMENT, Decimal("60.00"), "SO-1001")]
    again = _start(books, in_tenant, {"purpose": "order", "provider": "stripe", "amount": "40.01",
                                      "reference": "SO-1001"})
    assert (again.status_code, list(again.json()["fields"])) == (400, ["amount"])
    _no_mismatch(books, in_tenant)


def test_a_declined_payment_fails_and_touches_no_account(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "80.00"}).json()
    status, back = hosted_post(made["redirect_url"], {"action": "decline"})
    assert (status, back.endswith("&redirect_status=failed")) == (303, True)
    connected.fake.deliver()
    payment = _payment(books, in_tenant, made["id"])
    assert (payment.state, payment.entry_id) == ("failed", None)
    assert _entries(books, in_tenant) == []
    with in_tenant(books.tenant):
        page = host_client(HOST)
        page.force_login(books.clerk)
    shown = page.get(f"/account/finance/payments/{payment.pk}/")
    assert shown.status_code == 200 and 'data-state="failed"' in shown.content.decode()


def test_a_replayed_webhook_is_processed_once(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "50.00"}).json()
    hosted_post(made["redirect_url"], {"action": "pay"})
    connected.fake.deliver()
    succeeded = next(e["id"] for e in connected.fake.events("payment_intent.succeeded"))
    with in_tenant(books.tenant):
        events = ProviderWebhookEvent.objects.count()
    assert connected.fake.resend(succeeded) == 200
    assert connected.fake.resend(succeeded) == 200
    with in_tenant(books.tenant):
        assert ProviderWebhookEvent.objects.count() == events
        assert ProviderWebhookEvent.objects.get(event_id=succeeded).outcome == "succeeded"
    assert _entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("50.00"), f"TOPUP-{made['id']}")]
    _no_mismatch(books, in_tenant)


def test_a_forged_webhook_is_a_400_and_nothing_is_stored(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "50.00"}).json()
    hosted_post(made["redirect_url"], {"action": "pay"})
    event = connected.fake.events("payment_intent.succeeded")[0]
    body = json.dumps(event).encode()
    client = host_client(HOST)
    path = "/finance/payments/webhook/stripe/"
    forged = [
        client.post(path, data=body, content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=signature(body, "whsec_not_the_brands")),
        client.post(path, data=body, content_type="application/json"),
        client.post(path, data=body.replace(b"50", b"99"), content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=signature(body, "whsec_not_the_brands")),
        client.post(path, data=b"not json", content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=00"),
    ]
    assert [response.status_code for response in forged] == [400] * 4
    assert forged[0].json()["code"] == "webhook_not_verified"
    assert client.post("/finance/payments/webhook/paypal/", data=body, content_type="application/json") \
        .status_code == 404
    with in_tenant(books.tenant):
        assert not ProviderWebhookEvent.objects.exists()
    assert _payment(books, in_tenant, made["id"]).state == "pending"
    assert _entries(books, in_tenant) == []


def test_refunds_part_then_all_through_stripe(connected, books, in_tenant):
    order_charged(books, in_tenant, number="SO-2001", amount="300.00")
    made = _start(books, in_tenant, {"purpose": "order", "provider": "stripe", "amount": "300.00",
                                     "reference": "SO-2001"}).json()
    hosted_post(made["redirect_url"], {"action": "pay", "method": "card"})
    connected.fake.deliver()
    with in_tenant(books.tenant):
        finance = api_as(books.finance)
        dealer_side = api_as(books.clerk)
    refused = post(dealer_side, f"payments/{made['id']}/refund/", {"amount": "10.00"})
    assert refused.status_code == 403
    part = post(finance, f"payments/{made['id']}/refund/", {"amount": "100.00", "reason": "少发一箱"})
    assert part.status_code == 200, part.json()
    assert (part.json()["state"], part.json()["amount_refunded"]) == ("partially_refunded", "100.00")
    too_much = post(finance, f"payments/{made['id']}/refund/", {"amount": "200.01"})
    assert (too_much.status_code, list(too_much.json()["fields"])) == (400, ["amount"])
    rest = post(finance, f"payments/{made['id']}/refund/", {})
    assert (rest.status_code, rest.json()["state"], rest.json()["amount_refunded"]) == (200, "refunded", "300.00")
    assert [r["amount"] for r in rest.json()["refunds"]] == ["100.00", "200.00"]
    again = post(finance, f"payments/{made['id']}/refund/", {"amount": "1.00"})
    assert (again.status_code, again.json()["code"]) == (409, "payment_illegal_transition")
    # Stripe holds the same: one charge, 300.00 refunded in two refunds, each with our idempotency key
    charge = connected.fake.object(connected.fake.object(made["provider_ref"])["latest_charge"])
    assert (charge["amount_refunded"], charge["refunded"]) == (30000, True)
    connected.fake.deliver()  # Stripe's charge.refunded news: already known, nothing more
    payment = _payment(books, in_tenant, made["id"])
    assert (payment.state, payment.amount_refunded) == ("refunded", Decimal("300.00"))
    assert _entries(books, in_tenant, reference="SO-2001") == [
        (EntryKind.ORDER_CHARGE, Decimal("-300.00"), "SO-2001"), (EntryKind.PAYMENT, Decimal("300.00"), "SO-2001"),
        (EntryKind.REFUND, Decimal("-100.00"), "SO-2001"), (EntryKind.REFUND, Decimal("-200.00"), "SO-2001")]
    with in_tenant(books.tenant):
        assert PaymentRefund.objects.filter(payment=payment).exclude(provider_refund_id="").count() == 2
        # the money paid back is owed again
        assert amount_owed(dealer=books.one, reference="SO-2001", currency="CNY") == Decimal("300.00")
    _no_mismatch(books, in_tenant)


def test_events_out_of_order_change_nothing_they_should_not(connected, books, in_tenant):
    fake = connected.fake
    made = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "120.00"}).json()
    hosted_post(made["redirect_url"], {"action": "decline"})  # declined first ...
    hosted_post(made["redirect_url"], {"action": "pay"})  # ... then paid on the same page

    def refund_in_the_dashboard(state):
        with state.acting_as(connected.account_id):
            return state.refund_create({"payment_intent": made["provider_ref"], "amount": "2000"})

    fake.act(refund_in_the_dashboard)  # the brand refunds 20.00 in Stripe's dashboard
    held = {e["type"]: e["id"] for e in fake.pending() if e.get("account")}
    fake.outbox = [event_id for event_id in fake.outbox if event_id not in held.values()]
    # the refund's news first, then the success, then the old failure
    order = [held["charge.refunded"], held["payment_intent.succeeded"], held["payment_intent.payment_failed"]]
    assert [status for _event, status in fake.deliver(order)] == [200, 200, 200]
    payment = _payment(books, in_tenant, made["id"])
    assert (payment.state, payment.amount_refunded) == ("partially_refunded", Decimal("20.00"))
    assert _entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("120.00"), f"TOPUP-{payment.pk}"),
                                          (EntryKind.REFUND, Decimal("-20.00"), f"TOPUP-{payment.pk}")]
    with in_tenant(books.tenant):
        assert list(ProviderWebhookEvent.objects.order_by("id").values_list("outcome", flat=True)) == [
            "refunded", "unchanged", "unchanged"]
        assert DealerAccount.objects.get(dealer=books.one).balance == Decimal("100.00")
    _no_mismatch(books, in_tenant)


def test_the_idempotency_key_answers_the_first_payment_again(connected, books, in_tenant):
    body = {"purpose": "top_up", "provider": "stripe", "amount": "70.00"}
    first = _start(books, in_tenant, body, HTTP_IDEMPOTENCY_KEY="pay-once-1")
    again = _start(books, in_tenant, body, HTTP_IDEMPOTENCY_KEY="pay-once-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = _start(books, in_tenant, {**body, "amount": "71.00"}, HTTP_IDEMPOTENCY_KEY="pay-once-1")
    assert (other.status_code, other.json()["code"], list(other.json()["fields"])) == (
        422, "idempotency_key_reused", ["idempotency_key"])
    with in_tenant(books.tenant):
        assert Payment.objects.count() == 1
    assert len(connected.fake.events("payment_intent.created")) == 1


def test_the_idempotency_key_of_a_top_up_records_it_once(books, in_tenant):
    with in_tenant(books.tenant):
        finance = api_as(books.finance)
    body = {"dealer": books.one.pk, "amount": "500.00", "reference": "BANK-9"}
    first = post(finance, "top-ups/", body, HTTP_IDEMPOTENCY_KEY="bank-9")
    again = post(finance, "top-ups/", body, HTTP_IDEMPOTENCY_KEY="bank-9")
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    other = post(finance, "top-ups/", {**body, "amount": "501.00"}, HTTP_IDEMPOTENCY_KEY="bank-9")
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    without = post(finance, "top-ups/", body)
    assert without.status_code == 201
    assert len(_entries(books, in_tenant, kind=EntryKind.TOP_UP)) == 2
    with in_tenant(books.tenant):
        assert IdempotentRequest.objects.count() == 1
    long_key = post(finance, "top-ups/", body, HTTP_IDEMPOTENCY_KEY="k" * 81)
    assert (long_key.status_code, list(long_key.json()["fields"])) == (400, ["idempotency_key"])


def test_a_payment_is_not_found_from_another_dealer_or_brand(connected, books, in_tenant, tenant_b):
    made = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "10.00"}).json()
    with in_tenant(books.tenant):
        other_dealer = api_as(UserFactory(email="two-finance@acme.test", role="dealer_finance", dealer=books.two))
        own = api_as(books.clerk)
        brand = api_as(books.finance)
    assert own.get(f"/api/v1/finance/payments/{made['id']}/").status_code == 200
    assert brand.get(f"/api/v1/finance/payments/{made['id']}/").status_code == 200
    hidden = other_dealer.get(f"/api/v1/finance/payments/{made['id']}/")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "payment_not_found")
    assert other_dealer.get("/api/v1/finance/payments/").json()["count"] == 0
    assert [row["id"] for row in brand.get("/api/v1/finance/payments/").json()["results"]] == [made["id"]]
    # and a page of it, from the other dealer: 404
    with in_tenant(books.tenant):
        page = host_client(HOST)
        page.force_login(UserFactory(email="two-owner@acme.test", role="dealer_owner", dealer=books.two))
    assert page.get(f"/account/finance/payments/{made['id']}/").status_code == 404
    # another brand's host does not know this brand's token
    with in_tenant(books.tenant):
        token = api_as(books.clerk).defaults["HTTP_AUTHORIZATION"]
    assert host_client("globex.localhost", HTTP_AUTHORIZATION=token).get(
        f"/api/v1/finance/payments/{made['id']}/").status_code == 401


def test_a_payment_needs_a_connected_provider(books, in_tenant):
    refused = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "10.00"})
    assert (refused.status_code, refused.json()["code"]) == (409, "payment_provider_not_connected")
    with in_tenant(books.tenant):
        assert not Payment.objects.exists()



def test_a_read_only_workspace_still_records_a_payment_already_taken(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "provider": "stripe", "amount": "30.00"}).json()
    hosted_post(made["redirect_url"], {"action": "pay"})
    tenant = books.tenant
    billing.subscription_payment_failed(actor=None, subscription=tenant.subscription, reason="card declined")
    billing.dunning_run(now=timezone.now() + timedelta(days=8))
    tenant.refresh_from_db()
    assert tenant.billing_state == "read_only"
    assert {status for _event, status in connected.fake.deliver()} == {0, 200}
    assert _payment(books, in_tenant, made["id"]).state == "succeeded"
    assert _entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("30.00"), f"TOPUP-{made['id']}")]
