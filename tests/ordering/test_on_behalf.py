"""Ordering on a dealer's behalf (代客下单): a sales rep or a regional manager places an order for a dealer in their
scope from the console's order pad or the API; outside their scope the dealer does not exist (404); a dealer's user
cannot place for any dealer (403); the order says who placed it for whom; the dealer's owners and buyers are told;
with the brand's setting on, the order waits (holding its stock) for the dealer to confirm or decline it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealers
from tenant_apps.finance.services import held_for
from tenant_apps.inventory.models import Stock
from tenant_apps.notifications.models import Notification
from tenant_apps.ordering import services as cart
from tenant_apps.ordering.errors import IllegalOrderTransition, NotAllowed, OrderNotFound
from tenant_apps.ordering.models import CartLine, Order, OrderEvent
from tenant_apps.ordering.on_behalf import (
    order_dealer_confirm,
    order_dealer_decline,
    order_submit_for,
    orders_on_behalf_expire,
)
from tenant_apps.ordering.services import ordering_settings_update
from tenant_apps.ordering.submission import SubmitLine, ordering_settings
from tenant_apps.ordering.tasks import on_behalf_expire
from tests.conftest import building_in, fresh, host_client, rolled_back
from tests.factories import DEFAULT_PASSWORD
from tests.factories.approvals import WorkflowFactory
from tests.notifications.conftest import relay
from tests.ordering.conftest import make_store
from tests.ordering.test_pages import make_people

HOST = "acme.localhost"


@pytest.fixture(scope="module")
def _made(django_db_setup, django_db_blocker):
    """The ordering store, people around it (tests/ordering/test_pages.make_people: a regional manager over all
    and one of another region, another dealer's buyer), the store dealer's sales rep, a rep of no dealer, the
    dealer's owner; API tokens. Built once for the module; each test is rolled back."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            store = make_store()
            store.fill = lambda *lines: [cart.cart_line_set(actor=store.buyer, dealer=store.dealer, sku_id=s.pk,
                                                            unit_id=u.pk, quantity=q) for s, u, q in lines]
            people = make_people(store)
            rep = user_create(actor=None, email="rep@acme.test", password=DEFAULT_PASSWORD, role="sales_rep",
                              full_name="张销售")
            idle_rep = user_create(actor=None, email="rep.idle@acme.test", password=DEFAULT_PASSWORD,
                                   role="sales_rep")
            dealer_owner = user_create(actor=None, email="boss@sh.test", password=DEFAULT_PASSWORD,
                                       role="dealer_owner", dealer=store.dealer)
            dealers.dealer_update(actor=None, dealer=store.dealer, sales_rep=rep)
            users = {"rep": rep, "idle_rep": idle_rep, "rm_hq": people.rm_hq, "rm_west": people.rm_west,
                     "other_buyer": people.other_buyer, "buyer": store.buyer, "dealer_owner": dealer_owner,
                     "finance": people.finance, "owner": people.owner}
            tokens = {name: Token.objects.create(user=user).key for name, user in users.items()}
        yield SimpleNamespace(tenant=tenant, store=store, dealer=store.dealer, other=people.other, tokens=tokens,
                              **users)


@pytest.fixture
def made(_made, db, in_tenant):
    with in_tenant(_made.tenant):
        fresh(_made.store)
        yield fresh(_made)


class _Back:
    """A test client that leaves the connection in the tenant's schema after each request (a request ends on the
    public schema), so that the test reads the tenant's rows between calls."""

    def __init__(self, client, tenant):
        self.client, self.tenant = client, tenant

    def get(self, *args, **kwargs):
        return self._back(self.client.get(*args, **kwargs))

    def post(self, *args, **kwargs):
        return self._back(self.client.post(*args, **kwargs))

    def _back(self, response):
        connection.set_tenant(self.tenant)
        return response


def api(made, who):
    return _Back(host_client(HOST, HTTP_AUTHORIZATION=f"Token {made.tokens[who]}"), made.tenant)


def signed_in(made, who):
    client = _Back(host_client(HOST), made.tenant)
    assert client.post("/accounts/login/", {"username": getattr(made, who).email,
                                            "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def reserved(made) -> int:
    return Stock.objects.filter(sku=made.store.sku).aggregate(n=Sum("reserved"))["n"]


def place(made, who, dealer=None, quantity=24, **extra):
    dealer = dealer or made.dealer
    return api(made, who).post(f"/api/v1/dealers/{dealer.pk}/orders/",
                               {"lines": [{"sku": made.store.sku.pk, "quantity": quantity}], **extra},
                               content_type="application/json")


def confirm_setting(on: bool):
    ordering_settings_update(actor=None, confirm_on_behalf=on)


# --- within scope -------------------------------------------------------------------------------------


def test_a_sales_rep_places_an_order_for_an_assigned_dealer_from_the_console_pad(made):
    made.store.fill((made.store.water, made.store.can, 3))  # the dealer's own cart: left as it is
    rep = signed_in(made, "rep")
    picker = rep.get("/console/orders/for/").content.decode()
    assert f'data-dealer="{made.dealer.pk}"' in picker and f'data-dealer="{made.other.pk}"' not in picker
    page = rep.get(f"/console/orders/for/{made.dealer.pk}/")
    assert page.status_code == 200 and 'id="pad-text"' in page.content.decode()
    preview = rep.post(f"/console/orders/for/{made.dealer.pk}/", {"text": "RB-250 x 48", "action": "preview",
                                                                 "idempotency_key": "pad-1"})
    body = preview.content.decode()
    assert preview.status_code == 200 and 'id="pad-quote"' in body and 'id="pad-place"' in body
    assert 'name="shown_total" value="240.00"' in body  # 48 cans at the dealer's 5.00
    placed = rep.post(f"/console/orders/for/{made.dealer.pk}/", {
        "text": "RB-250 x 48", "action": "place", "idempotency_key": "pad-1", "shown_total": "240.00"})
    order = Order.objects.get(dealer=made.dealer)
    assert placed.status_code == 302 and placed["Location"] == f"/console/orders/{order.pk}/"
    assert (order.placed_by, order.on_behalf, order.status, order.total) == (made.rep, True, "approved",
                                                                            Decimal("240.00"))
    assert reserved(made) == 48
    # the dealer's cart is the dealer's: untouched
    assert list(CartLine.objects.filter(cart__dealer=made.dealer).values_list("sku_id", "quantity")) == [
        (made.store.water.pk, 3)]
    # shown as placed on the dealer's behalf, by whom: in the console and on the storefront
    console = rep.get(f"/console/orders/{order.pk}/").content.decode()
    assert 'id="on-behalf"' in console and "张销售" in console
    storefront = signed_in(made, "buyer").get(f"/orders/{order.pk}/").content.decode()
    assert 'id="on-behalf"' in storefront and "Placed for your company by 张销售." in storefront
    # a resent form (same key) is the same order
    again = rep.post(f"/console/orders/for/{made.dealer.pk}/", {
        "text": "RB-250 x 48", "action": "place", "idempotency_key": "pad-1", "shown_total": "240.00"})
    assert again.status_code == 302 and Order.objects.filter(dealer=made.dealer).count() == 1


def test_the_pad_refuses_unknown_codes_and_a_changed_total_without_writing(made):
    rep = signed_in(made, "rep")
    bad = rep.post(f"/console/orders/for/{made.dealer.pk}/", {"text": "NOPE x 3", "action": "place"})
    assert bad.status_code == 400 and 'data-line="1"' in bad.content.decode()
    changed = rep.post(f"/console/orders/for/{made.dealer.pk}/", {"text": "RB-250 x 48", "action": "place",
                                                                 "shown_total": "200.00"})
    assert changed.status_code == 409 and 'id="pad-quote"' in changed.content.decode()
    assert not Order.objects.exists() and reserved(made) == 0


def test_a_regional_manager_places_through_the_api_and_the_dealer_reads_who_placed_it(made):
    answer = place(made, "rm_hq", note="电话下单", HTTP_IDEMPOTENCY_KEY="rm-1")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["on_behalf"], body["status"], body["dealer"]["id"], body["total"]) == (
        True, "approved", made.dealer.pk, "120.00")
    order = Order.objects.get(pk=body["id"])
    assert (order.placed_by, order.on_behalf) == (made.rm_hq, True)
    seen = api(made, "buyer").get(f"/api/v1/orders/{order.pk}/").json()
    assert (seen["on_behalf"], seen["placed_by"]) == (True, made.rm_hq.get_full_name())
    # the brand's owner may too (the whole network)
    assert place(made, "owner").status_code == 201


def test_lines_are_required_the_dealers_cart_is_never_submitted_for_it(made):
    made.store.fill((made.store.sku, made.store.can, 24))
    answer = api(made, "rep").post(f"/api/v1/dealers/{made.dealer.pk}/orders/", {}, content_type="application/json")
    assert answer.status_code == 400 and "lines" in answer.json()["fields"]
    assert not Order.objects.exists() and CartLine.objects.filter(cart__dealer=made.dealer).count() == 1


# --- outside the scope, and dealers ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rm_west", "idle_rep"])
def test_outside_their_scope_the_dealer_does_not_exist(made, who):
    assert place(made, who).status_code == 404
    client = signed_in(made, who)
    assert client.get(f"/console/orders/for/{made.dealer.pk}/").status_code == 404
    assert client.post(f"/console/orders/for/{made.dealer.pk}/", {"text": "RB-250 x 24",
                                                                 "action": "place"}).status_code == 404
    assert made.dealer.code not in client.get("/console/orders/for/").content.decode()
    with pytest.raises(OrderNotFound):
        order_submit_for(actor=getattr(made, who), dealer=made.dealer, lines=[SubmitLine(made.store.sku.pk, None, 24)])
    assert not Order.objects.exists() and reserved(made) == 0


def test_the_west_regional_manager_may_order_for_a_dealer_of_the_west(made):
    answer = place(made, "rm_west", dealer=made.other)
    assert answer.status_code == 201 and answer.json()["dealer"]["id"] == made.other.pk


def test_a_dealer_user_cannot_place_for_another_dealer_nor_its_own(made):
    assert place(made, "other_buyer").status_code == 403
    assert place(made, "other_buyer", dealer=made.other).status_code == 403
    assert signed_in(made, "other_buyer").get(f"/console/orders/for/{made.dealer.pk}/").status_code == 403
    with pytest.raises(NotAllowed):
        order_submit_for(actor=made.other_buyer, dealer=made.dealer, lines=[SubmitLine(made.store.sku.pk, None, 24)])
    assert not Order.objects.exists()


# --- the dealer is told ---------------------------------------------------------------------------------


def test_the_dealers_owner_and_buyers_are_told_not_the_placer_nor_another_dealer(made):
    order_id = place(made, "rep").json()["id"]
    relay()
    told = Notification.objects.filter(kind="order.placed_for_you", event__subject_id=str(order_id))
    assert set(told.values_list("recipient__email", flat=True)) == {made.buyer.email, made.dealer_owner.email}
    # the placed order opens on the storefront's order page
    inbox = signed_in(made, "buyer").get("/account/notifications/").content.decode()
    assert "张销售 placed order" in inbox


# --- the dealer's confirmation (a brand setting) --------------------------------------------------------


def test_with_the_setting_on_the_order_waits_for_the_dealer_holding_its_stock_then_confirmed_enters_approval(made):
    confirm_setting(True)
    WorkflowFactory(name="总部审批")  # one HQ step: the confirmed order waits there
    body = place(made, "rep").json()
    order = Order.objects.get(pk=body["id"])
    assert (body["status"], order.status, reserved(made)) == ("awaiting_dealer", "awaiting_dealer", 24)
    assert set(body["legal_actions"]) == {"dealer_confirm", "cancel"}
    relay()
    text = Notification.objects.get(kind="order.placed_for_you", recipient=made.buyer)
    assert text.event.payload["confirm"] is True
    # the storefront page asks the buyer to confirm or decline; the dealer's finance clerk only reads it
    page = signed_in(made, "buyer").get(f"/orders/{order.pk}/").content.decode()
    assert 'id="confirm-order"' in page and 'id="decline-order"' in page
    assert 'id="confirm-order"' not in signed_in(made, "finance").get(f"/orders/{order.pk}/").content.decode()
    # brand staff cannot confirm for the dealer (cart.edit is the dealer's), another dealer's buyer sees nothing
    assert api(made, "rep").post(f"/api/v1/orders/{order.pk}/confirm/").status_code == 403
    assert api(made, "other_buyer").post(f"/api/v1/orders/{order.pk}/confirm/").status_code == 404
    confirmed = signed_in(made, "buyer").post(f"/orders/{order.pk}/confirm/")
    assert confirmed.status_code == 302
    order.refresh_from_db()
    assert (order.status, reserved(made)) == ("in_approval", 24)
    assert list(OrderEvent.objects.filter(order=order, kind="transition").values_list("from_status", "to_status")) \
        == [("draft", "submitted"), ("submitted", "awaiting_dealer"), ("awaiting_dealer", "submitted"),
            ("submitted", "in_approval")]
    # a second confirmation: 409, nothing changes
    again = api(made, "buyer").post(f"/api/v1/orders/{order.pk}/confirm/")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"


def test_confirming_through_the_api_without_a_workflow_approves_it(made):
    confirm_setting(True)
    order_id = place(made, "rep").json()["id"]
    answer = api(made, "dealer_owner").post(f"/api/v1/orders/{order_id}/confirm/")
    assert answer.status_code == 200 and answer.json()["status"] == "approved"


def test_declined_the_order_is_cancelled_and_its_stock_given_back(made):
    confirm_setting(True)
    order_id = place(made, "rep").json()["id"]
    assert reserved(made) == 24
    answer = api(made, "buyer").post(f"/api/v1/orders/{order_id}/decline/", {"reason": "不需要"},
                                     content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert reserved(made) == 0
    relay()
    # whoever placed it hears that it was cancelled, with the dealer's reason
    cancelled = Notification.objects.get(kind="order.cancelled", recipient=made.rep)
    assert "不需要" in cancelled.event.payload["reason"]


def test_declining_from_the_storefront_page(made):
    confirm_setting(True)
    order_id = place(made, "rep").json()["id"]
    declined = signed_in(made, "buyer").post(f"/orders/{order_id}/decline/", {"reason": ""})
    assert declined.status_code == 302
    assert (Order.objects.get(pk=order_id).status, reserved(made)) == ("cancelled", 0)


@pytest.mark.parametrize("answer", ["confirm", "decline"])
def test_the_storefront_answers_share_their_checks(made, answer):
    """Both storefront answers (one decorator): sign-in first, POST only, the dealer's own buyers only (brand staff
    403, another dealer's buyer 404), and an answer to an order no longer waiting is shown, not raised."""
    confirm_setting(True)
    order_id = place(made, "rep").json()["id"]
    path = f"/orders/{order_id}/{answer}/"
    assert _Back(host_client(HOST), made.tenant).post(path).status_code == 302  # to the sign-in page
    assert signed_in(made, "rep").post(path).status_code == 403
    assert signed_in(made, "other_buyer").post(path).status_code == 404
    assert signed_in(made, "buyer").get(path).status_code == 405
    assert Order.objects.get(pk=order_id).status == "awaiting_dealer"
    buyer = signed_in(made, "buyer")
    assert buyer.post(path).status_code == 302
    again = buyer.post(path, follow=True)
    assert "not waiting for your confirmation" in again.content.decode()


def test_with_the_setting_off_the_order_goes_to_approval_at_once_and_nothing_waits_for_the_dealer(made):
    confirm_setting(False)
    WorkflowFactory(name="总部审批")
    body = place(made, "rep").json()
    assert body["status"] == "in_approval" and "dealer_confirm" not in body["legal_actions"]
    order = Order.objects.get(pk=body["id"])
    with pytest.raises(IllegalOrderTransition):
        order_dealer_confirm(actor=made.buyer, order=order)
    with pytest.raises(IllegalOrderTransition):
        order_dealer_decline(actor=made.buyer, order=order)
    assert Order.objects.get(pk=order.pk).status == "in_approval"


def test_a_dealers_own_order_is_not_on_behalf_and_the_setting_does_not_hold_it(made):
    confirm_setting(True)
    made.store.fill((made.store.sku, made.store.can, 24))
    answer = api(made, "buyer").post("/api/v1/orders/", {"lines": [{"sku": made.store.sku.pk, "quantity": 24}]},
                                     content_type="application/json")
    assert (answer.status_code, answer.json()["on_behalf"], answer.json()["status"]) == (201, False, "approved")


def test_the_setting_is_on_the_console_settings_page(made):
    owner = signed_in(made, "owner")
    page = owner.get("/console/orders/settings/").content.decode()
    assert 'name="confirm_on_behalf"' in page
    saved = owner.post("/console/orders/settings/", {"shortage_policy": "refuse", "auto_complete_days": "7",
                                                     "confirm_on_behalf": "on"})
    assert saved.status_code == 302 and ordering_settings().confirm_on_behalf is True


# --- an order the dealer never answers: cancelled after the brand's days ------------------------------------


def _placed_days_ago(made, days: int) -> Order:
    order = Order.objects.get(pk=place(made, "rep").json()["id"])
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days, minutes=1))
    return order


def test_an_unanswered_order_is_cancelled_after_the_brands_days_as_a_decline_and_the_rep_is_told(made):
    confirm_setting(True)
    assert ordering_settings().confirm_on_behalf_days == 7  # the default
    stale, recent = _placed_days_ago(made, 7), _placed_days_ago(made, 6)
    confirmed = _placed_days_ago(made, 9)
    order_dealer_confirm(actor=made.buyer, order=confirmed)  # answered: never touched
    assert reserved(made) == 72 and held_for(dealer=made.dealer, currency="CNY", reference=stale.number) > 0
    relay()
    assert on_behalf_expire() == 1  # the periodic task (ordering.tasks), in the tenant's schema
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert (statuses[stale.pk], statuses[recent.pk], statuses[confirmed.pk]) == ("cancelled", "awaiting_dealer",
                                                                                  "approved")
    # as a decline: its stock and its charge given back; the others keep theirs
    assert reserved(made) == 48 and held_for(dealer=made.dealer, currency="CNY", reference=stale.number) == 0
    event = OrderEvent.objects.filter(order=stale, to_status="cancelled").get()
    assert event.data == {"expired": True} and event.message == "Not confirmed by the dealer within 7 days."
    relay()
    told = Notification.objects.get(kind="order.cancelled", recipient=made.rep)
    assert told.event.subject_id == str(stale.pk) and "within 7 days" in told.event.payload["reason"]
    assert Notification.objects.filter(kind="order.cancelled", recipient=made.buyer).count() == 1
    assert orders_on_behalf_expire() == 0  # idempotent


def test_with_zero_days_an_unanswered_order_waits_and_the_days_are_set_on_the_settings_page(made):
    confirm_setting(True)
    owner = signed_in(made, "owner")
    assert 'name="confirm_on_behalf_days" value="7"' in owner.get("/console/orders/settings/").content.decode()
    bad = owner.post("/console/orders/settings/", {"shortage_policy": "refuse", "auto_complete_days": "7",
                                                   "confirm_on_behalf": "on", "confirm_on_behalf_days": "400"})
    assert bad.status_code == 400 and ordering_settings().confirm_on_behalf_days == 7
    saved = owner.post("/console/orders/settings/", {"shortage_policy": "refuse", "auto_complete_days": "7",
                                                     "confirm_on_behalf": "on", "confirm_on_behalf_days": "0"})
    assert saved.status_code == 302 and ordering_settings().confirm_on_behalf_days == 0
    old = _placed_days_ago(made, 60)
    assert orders_on_behalf_expire() == 0
    assert (Order.objects.get(pk=old.pk).status, reserved(made)) == ("awaiting_dealer", 24)


def test_cart_line_set_is_untouched_by_the_pad(made):
    """The pad keeps its lines in the page: a preview writes nothing anywhere."""
    before = cart.cart_quote(dealer=made.dealer).quote.total
    signed_in(made, "rep").post(f"/console/orders/for/{made.dealer.pk}/", {"text": "RB-250 x 48",
                                                                          "action": "preview"})
    assert cart.cart_quote(dealer=made.dealer).quote.total == before
    assert not CartLine.objects.exists() and not Order.objects.exists()
