"""A sub-dealer's holds with its supplier and with headquarters, on real connections at the same moment: each
account is locked on its own, and neither limit is overdrawn nor taken from the other account."""

import uuid
from decimal import Decimal
from unittest import mock

from django.db import connection

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import Dealer, Node, Supplier
from tenant_apps.finance import selectors, services
from tenant_apps.finance import services_suppliers as suppliers
from tenant_apps.finance.errors import CreditShort
from tenant_apps.finance.models import DealerAccount, DealerSettlement, LedgerEntry, SupplierTerms
from tenants.models import Tenant
from tests.factories import UserFactory
from tests.factories.dealers import DealerFactory
from tests.finance.conftest import finance_rows_delete
from tests.racing import at_once


def test_concurrent_holds_with_the_supplier_and_headquarters_each_stop_at_their_own_limit(django_db_setup,
                                                                                          django_db_blocker):
    racers, tag = 24, uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        marks = {"audit": AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                 "nodes": set(Node.objects.values_list("id", flat=True)), "counts": _counts()}
        agent = DealerFactory(code=f"{tag}-A", legal_name=f"{tag} 省代", status="active")
        with mock.patch("tenant_apps.dealers.services.feature_check"):
            dealers.supplier_designate(actor=None, dealer=agent)
        sub = DealerFactory(code=f"{tag}-S", legal_name=f"{tag} 下级", parent=agent.node, supplier=agent.node,
                            status="active")
        person = UserFactory(email=f"{tag}-finance@acme.test", role="finance")
        services.dealer_settlement_set(actor=person, dealer=sub, mode="credit", credit_limit=Decimal("40.00"))
        suppliers.supplier_terms_set(actor=None, creditor=agent.node, dealer=sub, mode="credit",
                                     credit_limit=Decimal("50.00"))
        connection.set_schema_to_public()

    def racer(index):
        creditor = agent.node_id if index % 2 else None
        try:
            services.credit_hold(actor=None, dealer=sub, amount="10.00", currency="CNY", reference=f"{tag}-{index}",
                                 creditor=creditor)
            return ("held", creditor)
        except CreditShort:
            return ("refused", creditor)

    with django_db_blocker.unblock():
        outcomes = at_once(tenant, racers, racer)
        connection.set_tenant(tenant)
        try:
            assert sorted(outcomes, key=str) == sorted(
                [("held", None)] * 4 + [("refused", None)] * 8 + [("held", agent.node_id)] * 5
                + [("refused", agent.node_id)] * 7, key=str)
            assert {a.creditor_id: a.credit_used for a in DealerAccount.objects.filter(dealer=sub)} == {
                None: Decimal("40.00"), agent.node_id: Decimal("50.00")}
            assert selectors.ledger_mismatches() == []
        finally:
            finance_rows_delete([sub.pk, agent.pk])
            SupplierTerms.objects.filter(dealer=sub).delete()
            User.objects.filter(pk=person.pk).delete()
            Supplier.objects.filter(node=agent.node).delete()
            Dealer.objects.filter(pk__in=[sub.pk, agent.pk]).delete()
            for node in sorted(Node.objects.exclude(id__in=marks["nodes"]), key=lambda node: -node.depth):
                node.delete()
            AuditEntry.objects.filter(id__gt=marks["audit"]).delete()
            assert _counts() == marks["counts"]  # nothing of the race is left
            connection.set_schema_to_public()


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in (
        Dealer, Node, User, AuditEntry, DealerAccount, DealerSettlement, LedgerEntry, Supplier, SupplierTerms)}
