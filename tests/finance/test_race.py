"""Holds against one dealer's credit on real connections at the same moment never overdraw it."""

import uuid
from decimal import Decimal

from django.db import connection

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers.models import Dealer, Node
from tenant_apps.finance import selectors, services
from tenant_apps.finance.errors import CreditShort
from tenant_apps.finance.models import DealerAccount, DealerSettlement, LedgerEntry
from tenants.models import Tenant
from tests.finance.conftest import finance_rows_delete, make_books
from tests.racing import at_once


def test_thirty_two_concurrent_holds_take_exactly_the_ten_the_credit_covers(django_db_setup, django_db_blocker):
    racers, covered = 32, 10
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        marks = {"audit": AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                 "nodes": set(Node.objects.values_list("id", flat=True)), "counts": _counts()}
        books = make_books(tag)
        services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="credit",
                                       credit_limit=Decimal("100.00"))
        connection.set_schema_to_public()

    def racer(index):
        try:
            services.credit_hold(actor=books.clerk, dealer=books.one, amount="10.00", currency="CNY",
                                 reference=f"{tag}-{index}")
            return "held"
        except CreditShort as short:
            return f"refused {short.status} {short.available} {short.needed}"

    with django_db_blocker.unblock():
        outcomes = at_once(tenant, racers, racer)
        connection.set_tenant(tenant)
        try:
            assert sorted(outcomes) == ["held"] * covered + ["refused 409 0.00 10.00"] * (racers - covered)
            account = DealerAccount.objects.get(dealer=books.one)
            assert (account.credit_used, account.balance) == (Decimal("100.00"), Decimal("0.00"))
            assert account.entries.count() == covered
            assert all(entry.credit_used_after <= Decimal("100.00") for entry in account.entries.all())
            assert selectors.ledger_mismatches() == []
        finally:
            _clean(books, marks)
            connection.set_schema_to_public()


def _clean(books, marks):
    """Remove what the committed race left in tenant A (no rollback for real connections)."""
    dealers = [books.one.pk, books.two.pk]
    finance_rows_delete(dealers)
    User.objects.filter(pk__in=[books.finance.pk, books.controller.pk, books.clerk.pk]).delete()
    Dealer.objects.filter(pk__in=dealers).delete()
    for node in sorted(Node.objects.exclude(id__in=marks["nodes"]), key=lambda node: -node.depth):
        node.delete()
    AuditEntry.objects.filter(id__gt=marks["audit"]).delete()
    assert _counts() == marks["counts"]  # nothing of the race is left


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Dealer, Node, User, AuditEntry, DealerAccount,
                                                                  DealerSettlement, LedgerEntry)}
