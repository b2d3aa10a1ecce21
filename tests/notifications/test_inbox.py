"""Who is told of an order's events, once per event; the bell, the inbox and marking read, in both languages."""

import pytest

from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.services import outbox_relay
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.selectors import render
from tenant_apps.notifications.services import notifications_from_events
from tenant_apps.ordering.lifecycle import order_cancel
from tests.conftest import host_client
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.ordering import OrderFactory
from tests.notifications.conftest import relay


def told(order, kind) -> set[str]:
    return set(Notification.objects.filter(event__subject_id=str(order.pk), kind=kind)
               .values_list("recipient__email", flat=True))


def signed_in(user, language="en"):
    client = host_client("acme.localhost", language=language)
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def test_a_submitted_order_tells_its_dealers_approvers_only(world):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()
    assert told(order, "order.submitted") == {"rm@brand.test", "rep@brand.test"}


def test_an_orders_progress_tells_the_dealers_own_people_never_another_dealers(world):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    order_cancel(actor=world.brand_owner, order=order, reason="out of season")
    relay()
    # the dealer's owner and the buyer who placed it; nobody of the other dealer, no approver
    assert told(order, "order.cancelled") == {"owner@sh.test", world.buyer.email}
    assert not Notification.objects.filter(recipient__in=[world.other_buyer, world.other_rm]).exists()


def test_whoever_caused_the_event_is_not_told_of_it(world):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    order_cancel(actor=world.owner, order=order, reason="duplicate")
    relay()
    assert told(order, "order.cancelled") == {world.buyer.email}


def test_a_replayed_batch_writes_each_notification_once(world):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    order_cancel(actor=world.brand_owner, order=order, reason="x")
    events = relay()
    count = Notification.objects.count()
    # submitted: rm, rep; approved at submission and cancelled: the owner and the buyer each
    assert count == 6 and told(order, "order.approved") == {"owner@sh.test", world.buyer.email}
    notifications_from_events(events)
    notifications_from_events(events)
    assert Notification.objects.count() == count
    assert outbox_relay() == 0


def test_each_reader_gets_the_text_in_their_own_language(world):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()
    for_rm = Notification.objects.get(recipient=world.rm, kind="order.submitted")
    for_rep = Notification.objects.get(recipient=world.rep, kind="order.submitted")
    assert render(for_rm, reader=world.rm).title == "订单已提交"
    assert render(for_rep, reader=world.rep).title == "Order submitted"
    assert render(for_rep, reader=world.rep).body == f"Order {order.number}"
    assert render(for_rm, reader=world.rm).url == f"/console/approvals/orders/{order.pk}/"


@pytest.mark.parametrize(("who", "title", "heading"), [("rep", "Order submitted", "Notifications"),
                                                        ("rm", "订单已提交", "通知")])
def test_the_console_inbox_the_bell_and_opening_one(world, who, title, heading):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()
    reader = getattr(world, who)
    client = signed_in(reader, "en" if who == "rm" else "zh-hans")  # their own language wins over the browser's
    page = client.get("/console/notifications/")
    assert page.status_code == 200
    text = page.content.decode()
    assert heading in text and title in text and order.number in text
    bell = client.get("/console/notifications/bell/").content.decode()
    assert 'id="notifications-count">1<' in bell
    with world.inside():
        mine = Notification.objects.get(recipient=reader)
    opened = client.post(f"/console/notifications/{mine.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/console/approvals/orders/{order.pk}/"
    with world.inside():
        mine.refresh_from_db()
    assert mine.read_at is not None
    assert "notifications-count" not in client.get("/console/notifications/bell/").content.decode()


def test_the_layouts_load_the_bell_without_a_query_of_their_own(world):
    client = signed_in(world.rep)
    assert 'hx-get="/console/notifications/bell/"' in client.get("/console/notifications/").content.decode()
    dealer_client = signed_in(world.buyer)
    assert 'hx-get="/account/notifications/bell/"' in dealer_client.get("/account/notifications/").content.decode()


def test_the_storefront_inbox_leads_to_the_storefront_order_and_mark_all_read(world):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    order_cancel(actor=world.brand_owner, order=order, reason="out of season")
    relay()
    client = signed_in(world.buyer, "zh-hans")
    text = client.get("/account/notifications/").content.decode()
    assert "订单已取消" in text and "out of season" in text
    with world.inside():
        mine = Notification.objects.get(recipient=world.buyer, kind="order.cancelled")
    opened = client.post(f"/account/notifications/{mine.pk}/open/")
    assert opened["Location"] == f"/orders/{order.pk}/"
    with world.inside():
        assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert client.post("/account/notifications/read-all/").status_code == 302
    with world.inside():
        assert not Notification.objects.filter(recipient=world.buyer, read_at__isnull=True).exists()


def test_nobody_opens_anothers_notification(world):
    OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()
    theirs = Notification.objects.get(recipient=world.rep)
    client = signed_in(world.other_buyer)
    assert client.post(f"/account/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post("/account/notifications/read-all/").status_code == 302
    with world.inside():
        theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_runs_a_fixed_number_of_queries(world):
    for _ in range(3):
        OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 1)])
    relay()
    client = signed_in(world.rep)
    client.get("/console/notifications/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        client.get("/console/notifications/")
    with world.inside():
        for _ in range(5):
            OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 1)])
        relay()
    with CaptureQueriesContext(connection) as eight:
        client.get("/console/notifications/")
    assert len(eight.captured_queries) == len(three.captured_queries)
    with world.inside():
        assert Notification.objects.filter(recipient=world.rep).count() == 8
        assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0
