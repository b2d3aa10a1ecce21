"""Submitting an order: one transaction, stock reserved exactly, the quote frozen, policies on shortage."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection

from tenant_apps.inventory import selectors as stock_selectors
from tenant_apps.inventory.models import Stock, StockMovement
from tenant_apps.ordering import submission
from tenant_apps.ordering.models import CartLine, Order, OrderingSettings, OrderReservation
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenants.models import Tenant
from tests.ordering.conftest import make_store
from tests.racing import at_once


def _stock(sku, warehouse):
    row = Stock.objects.get(sku=sku, warehouse=warehouse)
    return row.on_hand, row.reserved


def test_submitting_the_cart_freezes_prices_reserves_stock_and_empties_the_cart(store):
    store.fill((store.sku, store.case, 2), (store.water, store.can, 10))
    result = order_submit(actor=store.buyer, dealer=store.dealer, idempotency_key="k-1")
    order = result.order
    assert order.status == "approved" and order.number.startswith("SO")  # no approval workflow: approved at once
    assert [(line.sku_id, line.quantity, line.unit_price, line.net) for line in order.lines.all()] == [
        (store.sku.pk, 2, Decimal("120.0000"), Decimal("240.00")),  # 24 x 5.00 per case
        (store.water.pk, 10, Decimal("6.0000"), Decimal("60.00")),
    ]
    assert order.total == Decimal("300.00") and order.shipping_address["recipient"] == "王经理"
    assert _stock(store.sku, store.east) == (100, 48)  # the warehouse serving Shanghai first
    assert _stock(store.water, store.east) == (100, 10)
    assert not CartLine.objects.filter(cart__dealer=store.dealer).exists()
    assert [e.to_status for e in order.events.all()] == ["submitted", "approved"]
    assert stock_selectors.ledger_mismatches() == []


def test_a_repeated_key_returns_the_first_order_and_reserves_once(store):
    lines = [SubmitLine(store.sku.pk, store.can.pk, 30)]
    first = order_submit(actor=store.buyer, dealer=store.dealer, lines=lines, idempotency_key="same")
    again = order_submit(actor=store.buyer, dealer=store.dealer, lines=lines, idempotency_key="same")
    assert again.replayed and again.order.pk == first.order.pk
    assert Order.objects.count() == 1 and _stock(store.sku, store.east) == (100, 30)


def test_a_line_larger_than_one_warehouse_is_shared_over_two(store):
    result = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 130)])
    reservations = sorted((r.warehouse_id, r.quantity) for r in OrderReservation.objects.filter(order=result.order))
    assert reservations == sorted([(store.east.pk, 100), (store.west.pk, 30)])


def test_refuse_policy_names_the_short_lines_and_keeps_nothing(store):
    with pytest.raises(submission.StockShort) as short:
        order_submit(actor=store.buyer, dealer=store.dealer,
                     lines=[SubmitLine(store.water.pk, None, 5), SubmitLine(store.sku.pk, None, 200)])
    assert short.value.status == 409
    assert short.value.shortages == [{"line": 2, "sku": "RB-250", "wanted": 200, "available": 150, "unit": "罐"}]
    assert Order.objects.count() == 0 and _stock(store.water, store.east) == (100, 0)
    assert StockMovement.objects.filter(kind="reservation").count() == 0


def test_backorder_policy_splits_the_shortfall_into_a_linked_order(store):
    OrderingSettings.objects.create(shortage_policy="backorder")
    result = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 160)])
    assert [line.quantity for line in result.order.lines.all()] == [150]
    assert result.backorder.backorder_of == result.order
    assert [(line.quantity, line.reserved_base) for line in result.backorder.lines.all()] == [(10, 0)]
    assert result.backorder.total == Decimal("50.00")
    assert _stock(store.sku, store.east)[1] + _stock(store.sku, store.west)[1] == 150


def test_reduce_policy_asks_for_consent_then_orders_what_is_there_in_whole_cases(store):
    OrderingSettings.objects.create(shortage_policy="reduce")
    lines = [SubmitLine(store.sku.pk, store.case.pk, 7)]  # 168 cans wanted, 150 in stock: 6 whole cases
    with pytest.raises(submission.StockShort) as ask:
        order_submit(actor=store.buyer, dealer=store.dealer, lines=lines)
    assert ask.value.code == "stock_short_reduce_possible" and ask.value.shortages[0]["available"] == 6
    assert Order.objects.count() == 0
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=lines, consent_reduce=True).order
    assert [(line.quantity, line.reserved_base) for line in order.lines.all()] == [(6, 144)]
    assert sum(_stock(store.sku, w)[1] for w in (store.east, store.west)) == 144  # the 6 extra cans released
    assert stock_selectors.ledger_mismatches() == []


def test_bad_lines_are_field_errors_and_write_nothing(store):
    with pytest.raises(submission.OrderInvalid) as bad:
        order_submit(actor=store.buyer, dealer=store.dealer, lines=[
            SubmitLine(store.sku.pk, None, 0), SubmitLine(999999, None, 1),
            SubmitLine(store.water.pk, store.case.pk, 1)])
    assert set(bad.value.fields) == {"lines.1.quantity", "lines.2.sku", "lines.3.unit"}
    assert Order.objects.count() == 0


def test_a_suspended_dealer_cannot_order(store):
    from tenant_apps.dealers.services import dealer_status_change

    dealer = dealer_status_change(actor=None, dealer=store.dealer, to="suspended", reason="unpaid")
    with pytest.raises(submission.OrderRefused) as refused:
        order_submit(actor=store.buyer, dealer=dealer, lines=[SubmitLine(store.sku.pk, None, 1)])
    assert refused.value.code == "dealer_not_active"


def test_submission_queries_do_not_grow_with_the_lines(store, count_queries):
    from tenant_apps.catalog import services as catalog
    from tenant_apps.finance.services import account_for
    from tenant_apps.inventory import services as inventory
    from tenant_apps.pricing import services as pricing

    skus = []
    for n in range(20):
        sku = catalog.sku_create(actor=None, product=store.sku.product, code=f"Q-{n}", name=f"SKU {n}",
                                 base_unit=store.can)
        pricing.price_entry_set(actor=None, price_list=store.base, sku=sku, unit=store.can, price="1.00")
        inventory.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=store.east.pk, quantity=10)
        skus.append(sku)
    account_for(store.dealer)  # its finance account exists, as after its first order (which makes it)
    with count_queries() as few:
        order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(s.pk, None, 1) for s in skus[:2]])
    with count_queries() as many:
        order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(s.pk, None, 1) for s in skus])
    assert len(many.sql) == len(few.sql)


def test_sixty_four_concurrent_submits_sell_exactly_the_ten_units_left(django_db_blocker):
    """64 dealers' buyers submit at the same moment on their own connections; 10 units are left."""
    racers, units = 64, 10
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        made = make_store(tag=tag, stock_east=units, stock_west=0)
        connection.set_schema_to_public()

    def racer(index):
        try:
            order_submit(actor=made.buyer, dealer=made.dealer, lines=[SubmitLine(made.sku.pk, None, 1)],
                         idempotency_key=f"{tag}-{index}")
            return "ordered"
        except submission.StockShort as short:
            return f"refused {short.status}"

    with django_db_blocker.unblock():
        outcomes = at_once(tenant, racers, racer)
        connection.set_tenant(tenant)
        try:
            assert sorted(outcomes) == ["ordered"] * units + ["refused 409"] * (racers - units)
            assert _stock(made.sku, made.east) == (units, units)
            assert Order.objects.filter(dealer=made.dealer).count() == units
            assert stock_selectors.ledger_mismatches() == []
        finally:
            _clean(made)
            connection.set_schema_to_public()


def test_concurrent_twins_with_one_key_get_the_one_order_even_when_stock_covers_only_it(django_db_blocker):
    """A double-tapped submit: 8 requests with the same Idempotency-Key at once, stock for one order. One order
    is placed; every twin gets that order back (not a stock refusal, not a second order)."""
    twins = 8
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        made = make_store(tag=tag, stock_east=1, stock_west=0)
        connection.set_schema_to_public()

    def twin(_index):
        result = order_submit(actor=made.buyer, dealer=made.dealer, lines=[SubmitLine(made.sku.pk, None, 1)],
                              idempotency_key=f"{tag}-tap")
        return (result.order.pk, result.replayed)

    with django_db_blocker.unblock():
        outcomes = at_once(tenant, twins, twin)
        connection.set_tenant(tenant)
        try:
            [order] = Order.objects.filter(dealer=made.dealer)
            assert sorted(outcomes) == sorted([(order.pk, False)] + [(order.pk, True)] * (twins - 1))
            assert _stock(made.sku, made.east) == (1, 1)
            assert stock_selectors.ledger_mismatches() == []
        finally:
            _clean(made)
            connection.set_schema_to_public()


def _clean(made):
    """Remove what the committed race left in tenant A (no rollback for real connections)."""
    from tenant_apps.accounts.models import User
    from tenant_apps.approvals.models import ApprovalWorkflow
    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.catalog.models import Sku, SkuUnit
    from tenant_apps.dealers.models import Dealer, DealerAddress, Territory, Tier
    from tenant_apps.pricing.models import PriceList, PurchaseRecord
    from tests.finance.conftest import finance_rows_delete

    orders = Order.objects.filter(dealer=made.dealer)
    for order in orders:
        order.events.all().delete()
        order.reservations.all().delete()
        order.lines.all().delete()
    orders.delete()
    PurchaseRecord.objects.filter(dealer=made.dealer).delete()
    StockMovement.objects.filter(stock__sku__product=made.sku.product).delete()
    Stock.objects.filter(sku__product=made.sku.product).delete()
    made.east.delete()
    made.west.delete()
    made.base.entries.all().delete()
    PriceList.objects.filter(pk=made.base.pk).delete()
    category = made.sku.product.category
    made.sku.product.skus.all().delete()
    made.sku.product.delete()
    category.delete()
    User.objects.filter(dealer=made.dealer).delete()
    DealerAddress.objects.filter(dealer=made.dealer).delete()
    finance_rows_delete([made.dealer.pk])
    node = made.dealer.node
    Dealer.objects.filter(pk=made.dealer.pk).delete()
    node.delete()
    Tier.objects.filter(pk=made.tier.pk).delete()
    for territory in sorted(Territory.objects.filter(code__endswith=made.tier.code[1:]), key=lambda t: -len(t.path)):
        territory.delete()
    for unit in (made.can, made.case):  # made for the race (a workspace has no CAN or CASE): leave no trace
        if not Sku.objects.filter(base_unit=unit).exists() and not SkuUnit.objects.filter(unit=unit).exists():
            unit.delete()
    # the workspace's confirmation workflow back on, and no audit entry of what was undone here
    ApprovalWorkflow.objects.filter(pk__in=made.workflows_off).update(active=True)
    AuditEntry.objects.filter(id__gt=made.audit_mark).delete()


def test_a_total_that_moved_since_the_dealer_looked_is_refused_and_nothing_written(store):
    from tenant_apps.pricing import services as pricing

    lines = [SubmitLine(store.sku.pk, None, 10)]  # 10 x 5.00 shown
    pricing.price_entry_set(actor=None, price_list=store.base, sku=store.sku, unit=store.can, price="5.50")
    with pytest.raises(submission.PriceChanged) as changed:
        order_submit(actor=store.buyer, dealer=store.dealer, lines=lines, expected_total=Decimal("50.00"))
    assert changed.value.status == 409 and changed.value.fields == {"expected_total": ["55.00"]}
    assert Order.objects.count() == 0 and _stock(store.sku, store.east) == (100, 0)
    assert order_submit(actor=store.buyer, dealer=store.dealer, lines=lines,
                        expected_total=Decimal("55.00")).order.total == Decimal("55.00")
