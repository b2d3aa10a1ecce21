"""Locks that lock only what they mean to: the dealer's cancel decides under the order's row lock (the warehouse
may have allocated the order since the dealer's page was read), and a fulfilment action holding an order's lock
does not hold its dealer's row (a dealer edit goes on while the warehouse works)."""

import threading
import uuid

import pytest
from django.db import connection, connections, transaction

from tenant_apps.accounts.models import User
from tenant_apps.fulfillment import services
from tenant_apps.ordering import quick
from tenant_apps.ordering.lifecycle import IllegalOrderTransition
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenants.models import Tenant
from tests.ordering.conftest import make_store
from tests.ordering.test_submit import _clean
from tests.racing import at_once


def test_the_dealer_cannot_cancel_an_order_the_warehouse_allocated_after_the_page_was_read(order, people):
    seen_by_dealer = Order.objects.get(pk=order.pk)  # the order page, read while the order was approved
    assert seen_by_dealer.status == OrderStatus.APPROVED
    services.order_allocate(actor=people.warehouse, order=order)  # meanwhile, the warehouse

    with pytest.raises(IllegalOrderTransition) as refused:
        quick.order_cancel_by_dealer(actor=people.buyer, order=seen_by_dealer, reason="changed my mind")

    assert refused.value.status == 409 and "only the brand can cancel it now" in str(refused.value.detail)
    order.refresh_from_db()
    assert order.status == OrderStatus.ALLOCATED and order.reservations.exclude(quantity=0).exists()


def test_an_order_locked_by_a_fulfilment_action_does_not_lock_its_dealer(django_db_blocker):
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        made = make_store(tag=tag, stock_east=50, stock_west=0)
        order = order_submit(actor=made.buyer, dealer=made.dealer, lines=[SubmitLine(made.sku.pk, None, 3)]).order
        connection.set_schema_to_public()
    locked, release, failures = threading.Event(), threading.Event(), []

    def warehouse():
        try:
            connection.set_tenant(tenant)
            with transaction.atomic():
                services._lock_order(order)  # what every fulfilment action takes first
                locked.set()
                release.wait(timeout=20)
        except Exception as error:  # noqa: BLE001 - reported by the test
            failures.append(repr(error))
            locked.set()
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        thread = threading.Thread(target=warehouse)
        thread.start()
        try:
            assert locked.wait(timeout=20) and failures == []
            editor = connections.create_connection("default")
            try:
                with editor.cursor() as cursor:  # a dealer edit on its own connection, while the lock is held
                    cursor.execute(f'SET search_path = "{tenant.schema_name}", public')
                    cursor.execute("SET lock_timeout = '2s'")
                    cursor.execute("UPDATE dealers_dealer SET name = name WHERE id = %s", [made.dealer.pk])
                    assert cursor.rowcount == 1  # not blocked: lock_timeout would have raised
            finally:
                editor.close()
        finally:
            release.set()
            thread.join(timeout=30)
            connection.set_tenant(tenant)
            _clean(made)
            connection.set_schema_to_public()


def test_a_dealer_cancel_racing_the_warehouse_allocation_never_cancels_an_allocated_order(django_db_blocker):
    """On real connections, released together: the dealer cancels while the warehouse allocates. Exactly one wins,
    every round, and the order's state agrees with its stock: never cancelled with stock allocated to it."""
    tag = uuid.uuid4().hex[:6]
    rounds, winners = 6, []
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        made = make_store(tag=tag, stock_east=100, stock_west=0)
        owner = User.objects.get(email="owner@acme.test")
        try:
            for _round in range(rounds):
                order = order_submit(actor=made.buyer, dealer=made.dealer,
                                     lines=[SubmitLine(made.sku.pk, None, 2)]).order
                assert order.status == OrderStatus.APPROVED

                def work(index, order_id=order.pk):
                    fresh = Order.objects.get(pk=order_id)  # each side's page, read before the other acted
                    try:
                        if index == 0:
                            services.order_allocate(actor=owner, order=fresh)
                            return "allocated"
                        quick.order_cancel_by_dealer(actor=made.buyer, order=fresh, reason="changed my mind")
                        return "cancelled"
                    except IllegalOrderTransition:
                        return "refused"

                answers = at_once(tenant, 2, work)
                connection.set_tenant(tenant)
                order.refresh_from_db()
                live = order.reservations.exclude(quantity=0).count()
                winners.append(order.status)
                assert sorted(answers) in (["allocated", "refused"], ["cancelled", "refused"]), answers
                assert (order.status, live > 0) in ((OrderStatus.ALLOCATED, True), (OrderStatus.CANCELLED, False))
        finally:
            connection.set_tenant(tenant)
            _clean(made)
            connection.set_schema_to_public()
    assert len(winners) == rounds
