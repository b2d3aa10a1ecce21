# ruff: noqa: F811 - the pricing tests' world fixture, imported by name
"""Price protection: booking a compensation pricing recorded credits it to the dealer's balance
(EntryKind.PRICE_PROTECTION) and moves it to booked, exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance.models import EntryKind, LedgerEntry
from tenant_apps.finance.selectors import ledger_mismatches
from tenant_apps.finance.services import account_for
from tenant_apps.finance.services_rebates import price_protection_credit
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import ProtectionCompensation
from tests.factories import UserFactory
from tests.pricing.conftest import world  # noqa: F401


def _owed(world):
    base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base",
                                     valid_from=date(2026, 1, 1), status="active")
    pricing.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="6.00")
    pricing.protection_window_create(actor=None, name="全渠道保价", starts_on=timezone.localdate() - timedelta(days=10),
                                     ends_on=timezone.localdate() + timedelta(days=20))
    pricing.purchase_record(dealer=world.dealer, sku_id=world.rb.pk, unit_id=world.piece.pk, quantity=7,
                            unit_price="6.00", bought_at=timezone.now() - timedelta(days=2), reference="SO-1")
    pricing.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="5.70")
    return ProtectionCompensation.objects.get()


def test_a_compensation_is_booked_once(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        finance = UserFactory(email="pp-finance@acme.test", role="finance")
        owed = _owed(world)
        assert (owed.status, owed.amount) == ("owed", Decimal("2.10"))
        booked = pricing.compensation_book(actor=finance, compensation=owed)
        again = pricing.compensation_book(actor=finance, compensation=owed)
        assert (booked.status, again.status) == ("booked", "booked")
        entry = LedgerEntry.objects.get()
        assert (entry.kind, entry.dealer_id, entry.amount, entry.balance_delta, entry.rebate_delta,
                entry.reference) == (EntryKind.PRICE_PROTECTION, world.dealer.pk, Decimal("2.10"),
                                     Decimal("2.10"), Decimal("0.00"), f"PP-{owed.pk}")
        assert account_for(world.dealer).balance == Decimal("2.10")
        # finance itself refuses a second credit of the same reference (a caller that skipped the status)
        repeat = price_protection_credit(actor=finance, dealer=world.dealer, amount="2.10", currency="CNY",
                                         reference=f"PP-{owed.pk}")
        assert repeat.pk == entry.pk
        assert LedgerEntry.objects.count() == 1
        assert ledger_mismatches() == []
        assert AuditEntry.objects.filter(action="pricing.compensation.booked").count() == 1
