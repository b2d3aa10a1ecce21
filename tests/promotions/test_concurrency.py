"""Coupon limits and budgets under real concurrency: 32 threads, each on its own database connection,
record their orders' usage at the same moment; no limit or budget is ever exceeded. An uncapped promotion's row
is never locked by the orders using it."""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, connections, transaction

from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.models import Node
from tenant_apps.pricing.quote_types import AppliedPromotion, Quote
from tenant_apps.promotions import services
from tenant_apps.promotions.errors import CouponUsedUp, PromotionBudgetExhausted
from tenant_apps.promotions.models import Coupon, CouponDealerUse, CouponRedemption, Promotion, PromotionUsage
from tenants.models import Tenant

RACERS = 32


def _race(tenant, quote_for) -> list[str]:
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def racer(index):
        try:
            connection.set_tenant(tenant)
            barrier.wait(timeout=30)
            try:
                services.promotion_usage_record(quote=quote_for(index), order_ref=f"SO-{uuid.uuid4().hex[:8]}")
                outcomes.append("recorded")
            except (CouponUsedUp, PromotionBudgetExhausted):
                outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@contextmanager
def _committed(prefix: str):
    """A dealer committed for real in acme (the racers' connections must see it), and the promotions the test
    adds to `made`; everything removed again afterwards. Yields (tenant, dealer, tag, made)."""
    tenant = Tenant.objects.get(slug="acme")
    connection.set_tenant(tenant)
    tag = uuid.uuid4().hex[:6].upper()
    had_hq = Node.objects.filter(kind="headquarters").exists()
    hq = dealers.headquarters_ensure(name="HQ")
    dealer = dealers.dealer_create(actor=None, parent=hq, code=f"{prefix}-{tag}", legal_name=prefix.lower())
    made: dict[str, Promotion] = {}
    try:
        yield tenant, dealer, tag, made
    finally:
        connection.set_tenant(tenant)
        ids = [promotion.pk for promotion in made.values()]
        PromotionUsage.objects.filter(promotion_id__in=ids).delete()
        CouponRedemption.objects.filter(coupon__promotion_id__in=ids).delete()
        Promotion.objects.filter(pk__in=ids).delete()
        AuditEntry.objects.filter(target_type__in=["promotions.promotion", "promotions.coupon"]).filter(
            after__code__endswith=tag).delete()
        AuditEntry.objects.filter(target_type="dealers.dealer", target_id=str(dealer.pk)).delete()
        node = dealer.node
        dealer.delete()
        node.delete()
        if not had_hq:
            hq.delete()
        connection.set_schema_to_public()


def test_thirty_two_connections_never_exceed_coupon_limits_or_budgets(django_db_setup, django_db_blocker):
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def quote(name, discount, code=""):
        applied = AppliedPromotion(promotion_id=made[name].pk, name=name, kind="percent", discount=Decimal(discount),
                                   coupon_code=code)
        return lambda index: Quote(currency="CNY", at=start, dealer_id=dealer.pk, lines=(), promotions=(applied,),
                                   gifts=(), subtotal=Decimal(0), discount_total=Decimal(0), total=Decimal(0))

    with django_db_blocker.unblock(), _committed("RACE") as (tenant, dealer, tag, made):
        for name, coupon, budget in (("TOTAL", (None, 10), None), ("PER", (3, None), None),
                                     ("BUDGET", None, Decimal("100"))):
            promotion = services.promotion_create(actor=None, code=f"{name}-{tag}", name=name, kind="percent",
                                                  rule={"percent": "5"}, starts_at=start, budget=budget,
                                                  coupon_required=coupon is not None)
            if coupon:
                services.coupon_create(actor=None, promotion=promotion, code=f"{name}-{tag}",
                                       per_dealer_limit=coupon[0], total_limit=coupon[1])
            made[name] = promotion
        connection.set_schema_to_public()
        total = _race(tenant, quote("TOTAL", "1", f"TOTAL-{tag}"))
        per_dealer = _race(tenant, quote("PER", "1", f"PER-{tag}"))
        budget = _race(tenant, quote("BUDGET", "7"))
        connection.set_tenant(tenant)
        assert total == ["recorded"] * 10 + ["refused"] * (RACERS - 10)
        assert per_dealer == ["recorded"] * 3 + ["refused"] * (RACERS - 3)
        assert budget == ["recorded"] * 14 + ["refused"] * (RACERS - 14)  # 14 x 7 = 98 <= 100
        assert Coupon.objects.get(code=f"TOTAL-{tag}").used == 10
        assert CouponDealerUse.objects.get(coupon__code=f"PER-{tag}").used == 3
        assert Promotion.objects.get(pk=made["BUDGET"].pk).budget_used == Decimal("98.00")
        assert PromotionUsage.objects.filter(promotion=made["BUDGET"]).count() == 14


def test_an_order_recording_usage_holds_a_lock_on_a_capped_promotion_only(django_db_setup, django_db_blocker):
    """While one order's transaction is open, another connection can lock the uncapped promotion's row at once
    (no order waits for another on it) but not the capped one's (its budget is scarce)."""
    from django.db.utils import OperationalError

    start = datetime(2026, 1, 1, tzinfo=UTC)
    with django_db_blocker.unblock(), _committed("LOCK") as (tenant, dealer, tag, made):
        for name, budget in (("OPEN", None), ("CAP", Decimal("100"))):
            made[name] = services.promotion_create(actor=None, code=f"{name}-{tag}", name=name, kind="percent",
                                                   rule={"percent": "5"}, starts_at=start, budget=budget)
        recorded, release = threading.Event(), threading.Event()
        locked: dict[str, bool] = {}

        def order_in_flight():
            try:
                connection.set_tenant(tenant)
                with transaction.atomic():
                    applied = tuple(AppliedPromotion(promotion_id=p.pk, name=n, kind="percent", discount=Decimal("3"))
                                    for n, p in sorted(made.items(), key=lambda item: item[1].pk))
                    services.promotion_usage_record(quote=Quote(
                        currency="CNY", at=start, dealer_id=dealer.pk, lines=(), promotions=applied, gifts=(),
                        subtotal=Decimal(0), discount_total=Decimal(0), total=Decimal(0)), order_ref=f"SO-{tag}")
                    recorded.set()
                    release.wait(timeout=30)
            finally:
                connections.close_all()

        flight = threading.Thread(target=order_in_flight)
        flight.start()
        try:
            assert recorded.wait(timeout=30)
            for name, promotion in made.items():
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute("SELECT id FROM promotions_promotion WHERE id = %s FOR UPDATE NOWAIT",
                                       [promotion.pk])
                    locked[name] = False
                except OperationalError:
                    locked[name] = True
            assert locked == {"OPEN": False, "CAP": True}
        finally:
            release.set()
            flight.join(timeout=30)
