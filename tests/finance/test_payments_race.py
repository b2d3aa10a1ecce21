"""Online payments on real connections at the same moment: one webhook delivered many times at once is processed
once (one ledger row), and many full refunds of one payment at once pay back once (one refund at Stripe)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from django.db import connection

from billing_saas.stripe_fake import FakeStripe, signature
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers.models import Dealer, Node
from tenant_apps.finance import selectors
from tenant_apps.finance.errors import IllegalPaymentMove
from tenant_apps.finance.models import (
    DealerAccount,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentRefund,
    ProviderAccount,
    ProviderWebhookEvent,
)
from tenant_apps.finance.payments import services
from tenant_apps.finance.payments.connect import stripe_test_connect
from tenants.models import Tenant
from tests.finance.conftest import make_books
from tests.finance.payments_world import API_KEY, WEBHOOK_URL
from tests.racing import at_once


def test_one_webhook_at_once_many_times_and_many_refunds_at_once_move_money_once(
        settings, django_db_setup, django_db_blocker):
    fake = FakeStripe(webhook_secret="whsec_platform_unused", delivery="hold").start()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = API_KEY, fake.url
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        marks = {"audit": AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                 "nodes": set(Node.objects.values_list("id", flat=True)), "counts": _counts()}
        books = make_books(tag)
        account = stripe_test_connect(actor=books.finance, webhook_url=WEBHOOK_URL)
        payment, _checkout = services.payment_start(actor=books.clerk, dealer=books.one, purpose="top_up",
                                                    provider="stripe", amount="90.00",
                                                    return_url="http://acme.localhost/back/")
        connection.set_schema_to_public()
    try:
        fake.pay_intent(payment.provider_ref, method="wechat_pay")
        event = fake.events("payment_intent.succeeded")[0]
        body = json.dumps(event).encode()
        secret = account.webhook_secret

        def deliver(_index):
            _stored, created = services.webhook_receive(
                provider="stripe", headers={"Stripe-Signature": signature(body, secret)}, body=body)
            return "processed" if created else "replay"

        def refund(_index):
            try:
                services.payment_refund(actor=books.finance, payment=Payment.objects.get(pk=payment.pk))
                return "refunded"
            except IllegalPaymentMove as refused:
                return f"refused {refused.status}"

        with django_db_blocker.unblock():
            delivered = at_once(tenant, 8, deliver)
            refunded = at_once(tenant, 6, refund)
            connection.set_tenant(tenant)
            assert sorted(delivered) == ["processed"] + ["replay"] * 7
            assert sorted(refunded) == ["refunded"] + ["refused 409"] * 5
            assert list(LedgerEntry.objects.filter(dealer=books.one).order_by("id").values_list("kind", "amount")) \
                == [(EntryKind.TOP_UP, Decimal("90.00")), (EntryKind.REFUND, Decimal("-90.00"))]
            assert Payment.objects.get(pk=payment.pk).state == "refunded"
            assert selectors.ledger_mismatches() == []
            charge = fake.object(fake.object(payment.provider_ref)["latest_charge"])
            assert (charge["amount_refunded"], len(fake.events("refund.created"))) == (9000, 1)
    finally:
        fake.stop()
        with django_db_blocker.unblock():
            connection.set_tenant(tenant)
            _clean(books, marks)
            connection.set_schema_to_public()


def _clean(books, marks):
    """Remove what the committed race left in tenant A (no rollback for real connections)."""
    dealers = [books.one.pk, books.two.pk]
    PaymentRefund.objects.filter(payment__dealer_id__in=dealers).delete()
    ProviderWebhookEvent.objects.filter(payment__dealer_id__in=dealers).delete()
    Payment.objects.filter(dealer_id__in=dealers).delete()
    ProviderAccount.objects.filter(code="stripe").delete()
    with connection.cursor() as cursor:  # the ledger refuses deletes through the ORM: append-only
        cursor.execute("DELETE FROM finance_ledgerentry WHERE dealer_id = ANY(%s)", [dealers])
    DealerAccount.objects.filter(dealer_id__in=dealers).delete()
    User.objects.filter(pk__in=[books.finance.pk, books.controller.pk, books.clerk.pk]).delete()
    Dealer.objects.filter(pk__in=dealers).delete()
    for node in sorted(Node.objects.exclude(id__in=marks["nodes"]), key=lambda node: -node.depth):
        node.delete()
    AuditEntry.objects.filter(id__gt=marks["audit"]).delete()
    assert _counts() == marks["counts"]  # nothing of the race is left


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in (
        Dealer, Node, User, AuditEntry, DealerAccount, LedgerEntry, Payment, PaymentRefund, ProviderAccount,
        ProviderWebhookEvent)}
