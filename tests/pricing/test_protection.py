"""Price protection: the protected price holds after the lists change, and a cut during the window owes
(price paid - new price) x quantity on what the dealer bought in it, exactly once per cut."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.pricing import services
from tenant_apps.pricing.engine import price_book_load
from tenant_apps.pricing.models import ProtectionCompensation
from tenant_apps.pricing.quote_types import CartLine
from tenant_apps.pricing.selectors import dealer_context
from tests.pricing.conftest import NOW, SHANGHAI


def _days(offset: int) -> date:
    """Compensation runs at the moment of the price cut (now): windows and purchases around today."""
    return timezone.localdate() + timedelta(days=offset)


def _at(offset: int) -> datetime:
    return timezone.now() + timedelta(days=offset)


def _base(world, price="6.00"):
    base = services.price_list_create(actor=None, code="BASE", name="基础价", kind="base", valid_from=date(2026, 1, 1),
                                      status="active")
    services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price=price)
    return base


def _price_now(world, dealer):
    book = price_book_load(dealer_context(dealer, NOW), [world.rb.pk])
    return book.price(CartLine(sku_id=world.rb.pk, unit_id=world.piece.pk, quantity=1), 0)


def test_protected_price_holds_after_the_list_changes(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = _base(world)
        services.protection_window_create(actor=None, name="Q1 保价", starts_on=date(2026, 3, 1),
                                          ends_on=date(2026, 3, 31), dealer=world.dealer, skus=[world.rb],
                                          prices=[(world.rb, world.piece, "6.00")])
        services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="6.80")
        held = _price_now(world, world.dealer)
        assert (held.unit_price, held.price_source) == (Decimal("6.00"), "protection")
        assert _price_now(world, world.other).unit_price == Decimal("6.80")
        after = price_book_load(dealer_context(world.dealer, datetime(2026, 4, 1, 9, tzinfo=SHANGHAI)), [world.rb.pk])
        assert after.price(CartLine(world.rb.pk, world.piece.pk, 1), 0).unit_price == Decimal("6.80")


def test_a_price_cut_in_the_window_owes_the_difference_on_purchases(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = _base(world)
        window = services.protection_window_create(actor=None, name="全渠道保价", starts_on=_days(-10),
                                                   ends_on=_days(20))  # all dealers, all SKUs
        services.purchase_record(dealer=world.dealer, sku_id=world.rb.pk, unit_id=world.case.pk, quantity=10,
                                 unit_price="144.00", bought_at=_at(-5),
                                 reference="SO-1")
        services.purchase_record(dealer=world.other, sku_id=world.rb.pk, unit_id=world.piece.pk, quantity=7,
                                 unit_price="6.00", bought_at=_at(-4),
                                 reference="SO-2")
        services.purchase_record(dealer=world.other, sku_id=world.rb.pk, unit_id=world.piece.pk, quantity=100,
                                 unit_price="6.00", bought_at=_at(-11),
                                 reference="SO-before-window")
        made = services.protection_compensate(actor=None, sku_ids=[world.rb.pk])
        assert made == []  # nothing lowered yet

        services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="5.7")
        owed = {(c.purchase.reference, c.amount, c.price_before, c.price_after)
                for c in ProtectionCompensation.objects.select_related("purchase")}
        # case of 24: 144.00 -> 5.70 x 24 = 136.80; (144.00 - 136.80) x 10 = 72.00; pieces: 0.30 x 7 = 2.10
        assert owed == {("SO-1", Decimal("72.00"), Decimal("144.0000"), Decimal("136.8000")),
                        ("SO-2", Decimal("2.10"), Decimal("6.0000"), Decimal("5.7000"))}
        assert set(ProtectionCompensation.objects.values_list("window_id", "status")) == {(window.pk, "owed")}

        services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="5.70")
        assert ProtectionCompensation.objects.count() == 2  # same price again: nothing more
        services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="5.50")
        second = ProtectionCompensation.objects.filter(price_after=Decimal("5.5")).get()
        assert (second.price_before, second.amount) == (Decimal("5.7000"), Decimal("1.40"))  # 0.20 x 7 only
        assert AuditEntry.objects.filter(action="pricing.compensation.owed").count() == 4


def test_a_dealer_window_does_not_compensate_other_dealers(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = _base(world)
        services.protection_window_create(actor=None, name="PD 保价", starts_on=_days(-10),
                                          ends_on=_days(20), dealer=world.dealer, skus=[world.dp])
        for dealer in (world.dealer, world.other):
            services.purchase_record(dealer=dealer, sku_id=world.rb.pk, unit_id=world.piece.pk, quantity=5,
                                     unit_price="6.00", bought_at=_at(-1))
        services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="5.00")
        assert ProtectionCompensation.objects.count() == 0  # the window covers DP only
