"""Ordering pages: checkout (double submit = one order, shortages with the reduce path), my orders with the
timeline and cancel, and the brand's orders board and detail, each behind its capability and data scope."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealers
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering import lifecycle
from tenant_apps.ordering.models import CartLine, Order, OrderingSettings
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def make_people(store):
    """Around the store's dealer (under HQ): another dealer with a buyer, the dealer's finance clerk, and
    brand staff: an analyst (read only), a regional manager of HQ (all) and one of another region."""
    hq = dealers.headquarters_ensure(name="HQ")
    west = dealers.region_create(actor=None, parent=hq, name="西区", code="R-WEST")
    other = dealers.dealer_create(actor=None, parent=west, code="CD-1", legal_name="成都经销商", status="active",
                                  territories=[store.shanghai])
    dealers.address_add(actor=None, dealer=other, kind="shipping", recipient="李", phone="13900000000",
                        territory=store.shanghai, line="成都 2 号", is_default=True)
    people = {
        "buyer": store.buyer,
        "other_buyer": user_create(actor=None, email="buyer@cd.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                                   dealer=other),
        "finance": user_create(actor=None, email="finance@sh.test", password=DEFAULT_PASSWORD,
                               role="dealer_finance", dealer=store.dealer),
        "owner": User.objects.get(email="owner@acme.test"),
        "analyst": user_create(actor=None, email="analyst@acme.test", password=DEFAULT_PASSWORD, role="analyst"),
        "rm_hq": user_create(actor=None, email="rm.hq@acme.test", password=DEFAULT_PASSWORD,
                             role="regional_manager", scope_node=hq),
        "rm_west": user_create(actor=None, email="rm.west@acme.test", password=DEFAULT_PASSWORD,
                               role="regional_manager", scope_node=west),
    }
    return SimpleNamespace(other=other, west=west, **people)


@pytest.fixture
def world(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        people = make_people(store)
        order = order_submit(actor=store.buyer, dealer=store.dealer, idempotency_key="first",
                             lines=[SubmitLine(store.sku.pk, store.can.pk, 30)]).order
        theirs = order_submit(actor=people.other_buyer, dealer=people.other,
                              lines=[SubmitLine(store.water.pk, None, 5)]).order
    return SimpleNamespace(store=store, order=order, theirs=theirs, tenant=tenant_a, **people.__dict__)


def signed_in(user_or_email) -> object:
    email = getattr(user_or_email, "email", user_or_email)
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _reserved(store, sku):
    return sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True))


# --- access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/cart/checkout/", "/cart/quick/", "/cart/upload/", "/cart/templates/", "/orders/",
                                 "/orders/{order}/", "/console/orders/", "/console/orders/{order}/"])
def test_anonymous_visitors_are_sent_to_sign_in(world, url):
    response = host_client("acme.localhost").get(url.format(order=world.order.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_dealer_sees_only_its_own_orders(world):
    mine = signed_in(world.buyer)
    listing = mine.get("/orders/").content.decode()
    assert world.order.number in listing and world.theirs.number not in listing
    assert mine.get(f"/orders/{world.order.pk}/").status_code == 200
    assert mine.get(f"/orders/{world.theirs.pk}/").status_code == 404
    assert mine.post(f"/orders/{world.theirs.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert mine.post(f"/orders/{world.theirs.pk}/reorder/").status_code == 404
    assert mine.get("/orders/999999/").status_code == 404


def test_brand_staff_outside_their_region_get_404_and_see_nothing_of_it(world):
    west = signed_in(world.rm_west)
    board = west.get("/console/orders/").content.decode()
    assert world.theirs.number in board and world.order.number not in board
    assert west.get(f"/console/orders/{world.order.pk}/").status_code == 404
    assert west.post(f"/console/orders/{world.order.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert signed_in(world.rm_hq).get(f"/console/orders/{world.order.pk}/").status_code == 200


def _status(world, order):
    with in_tenant_of(world):
        return Order.objects.get(pk=order.pk).status


def in_tenant_of(world):
    return schema_context(world.tenant.schema_name)


def allocated(order):
    """Bring a just-submitted order (auto-approved or waiting for approval) to "allocated"."""
    if order.status != "approved":
        lifecycle.order_transition(actor=None, order=order, action="approve")
    return lifecycle.order_transition(actor=None, order=order, action="allocate")


def test_read_only_staff_see_an_order_but_cannot_cancel_it(world, in_tenant):
    before = _status(world, world.order)
    analyst = signed_in(world.analyst)
    page = analyst.get(f"/console/orders/{world.order.pk}/")
    assert page.status_code == 200 and 'id="cancel"' not in page.content.decode()
    assert analyst.post(f"/console/orders/{world.order.pk}/cancel/", {"reason": "no"}).status_code == 403
    assert _status(world, world.order) == before != "cancelled"


@pytest.mark.parametrize("url", ["/console/orders/", "/console/orders/{order}/"])
def test_dealers_have_no_console(world, url):
    assert signed_in(world.buyer).get(url.format(order=world.order.pk)).status_code == 403


def test_dealer_finance_reads_orders_but_does_not_order_or_cancel(world, in_tenant):
    before = _status(world, world.order)
    finance = signed_in(world.finance)
    assert finance.get(f"/orders/{world.order.pk}/").status_code == 200
    assert finance.get("/cart/checkout/").status_code == 403
    assert finance.post(f"/orders/{world.order.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert _status(world, world.order) == before != "cancelled"


# --- checkout -------------------------------------------------------------------------------------------


def _key(page) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.content.decode()).group(1)


def test_checkout_shows_the_breakdown_and_a_double_submit_places_one_order(world, in_tenant):
    store = world.store
    with in_tenant(world.tenant):
        store.fill((store.sku, store.case, 2), (store.water, store.can, 10))
        address = store.dealer.addresses.get()
    client = signed_in(world.buyer)
    page = client.get("/cart/checkout/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="quote-total"' in body and "300.00" in body and "王经理" in body
    key = _key(page)
    form = {"action": "submit", "idempotency_key": key, "address": address.pk, "note": "请周五送货"}
    first = client.post("/cart/checkout/", form)
    second = client.post("/cart/checkout/", form)
    with in_tenant(world.tenant):
        order = Order.objects.get(dealer=store.dealer, idempotency_key=key)
        assert Order.objects.filter(dealer=store.dealer).count() == 2  # the fixture's and this one
        assert order.total == 300 and order.note == "请周五送货"
        assert not CartLine.objects.filter(cart__dealer=store.dealer).exists()
    assert first["Location"] == second["Location"] == f"/orders/{order.pk}/"
    detail = client.get(first["Location"]).content.decode()
    assert order.number in detail and "Submitted" in detail and "300.00" in detail
    assert "already submitted" in client.post("/cart/checkout/", form, follow=True).content.decode()


def test_a_shortage_names_the_lines_and_keeps_the_cart(world, in_tenant):
    store = world.store
    with in_tenant(world.tenant):
        store.fill((store.water, store.can, 5), (store.sku, store.can, 140))  # 150 in stock, 30 held by an order
    client = signed_in(world.buyer)
    response = client.post("/cart/checkout/", {"action": "submit", "idempotency_key": "k-short"})
    body = response.content.decode()
    assert response.status_code == 409
    assert 'id="shortages"' in body and "120 of 140 罐 available." in body and "reduce-submit" not in body
    with in_tenant(world.tenant):
        assert CartLine.objects.filter(cart__dealer=store.dealer).count() == 2
        assert Order.objects.filter(idempotency_key="k-short").count() == 0


def test_under_the_reduce_policy_the_dealer_consents_and_orders_what_is_there(world, in_tenant):
    store = world.store
    with in_tenant(world.tenant):
        OrderingSettings.objects.create(shortage_policy="reduce")
        store.fill((store.sku, store.case, 6))  # 144 cans; 120 free: 5 whole cases
    client = signed_in(world.buyer)
    asked = client.post("/cart/checkout/", {"action": "submit", "idempotency_key": "k-reduce"})
    assert asked.status_code == 409 and 'id="reduce-submit"' in asked.content.decode()
    assert "5 of 6 箱 available." in asked.content.decode()
    done = client.post("/cart/checkout/", {"action": "reduce", "idempotency_key": "k-reduce"})
    with in_tenant(world.tenant):
        order = Order.objects.get(idempotency_key="k-reduce")
        assert [(line.quantity, line.unit_id) for line in order.lines.all()] == [(5, store.case.pk)]
    assert done["Location"] == f"/orders/{order.pk}/"


def test_checkout_without_an_address_says_where_to_add_one(world, in_tenant):
    store = world.store
    with in_tenant(world.tenant):
        store.fill((store.water, store.can, 5))
        store.dealer.addresses.all().delete()
    response = signed_in(world.buyer).post("/cart/checkout/", {"action": "submit", "idempotency_key": "k-addr"})
    assert response.status_code == 400
    assert "no shipping address yet" in response.content.decode()


# --- my orders ------------------------------------------------------------------------------------------


def test_my_orders_filters_by_status_and_pages(world, in_tenant):
    store = world.store
    with in_tenant(world.tenant):
        for _n in range(21):
            order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.water.pk, None, 1)])
        lifecycle.order_cancel(actor=store.buyer, order=world.order, reason="mistake")
    client = signed_in(world.buyer)
    cancelled = client.get("/orders/", {"status": "cancelled"}).content.decode()
    assert cancelled.count('class="ord-card"') == 1 and world.order.number in cancelled
    first = client.get("/orders/").content.decode()
    assert first.count('class="ord-card"') == 20 and "1–20 of 22" in first
    assert client.get("/orders/", {"page": 2}).content.decode().count('class="ord-card"') == 2


def test_my_orders_runs_the_same_queries_for_2_and_12_orders(world, in_tenant, count_queries):
    client = signed_in(world.buyer)
    store = world.store
    with in_tenant(world.tenant):
        order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.water.pk, None, 1)])
    client.get("/orders/")
    with count_queries() as few:
        assert client.get("/orders/").status_code == 200
    with in_tenant(world.tenant):
        for _n in range(10):
            order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.water.pk, None, 1)])
    with count_queries() as many:
        assert client.get("/orders/").content.decode().count('class="ord-card"') == 12
    assert len(many.sql) == len(few.sql)


def test_the_dealer_cancels_before_allocation_and_the_stock_comes_back(world, in_tenant):
    store = world.store
    client = signed_in(world.buyer)
    page = client.get(f"/orders/{world.order.pk}/").content.decode()
    assert 'id="cancel"' in page and 'id="order-timeline"' in page
    assert 'id="order-shipments"' in page and 'id="order-returns"' in page  # the fulfilment partials
    with in_tenant(world.tenant):
        assert _reserved(store, store.sku) == 30
    done = client.post(f"/orders/{world.order.pk}/cancel/", {"reason": "下错了"}, follow=True)
    body = done.content.decode()
    assert "Cancelled" in body and "下错了" in body
    with in_tenant(world.tenant):
        assert Order.objects.get(pk=world.order.pk).status == "cancelled"
        assert _reserved(store, store.sku) == 0


def test_once_allocated_only_the_brand_can_cancel(world, in_tenant):
    with in_tenant(world.tenant):
        allocated(world.order)
    client = signed_in(world.buyer)
    assert 'id="cancel"' not in client.get(f"/orders/{world.order.pk}/").content.decode()
    refused = client.post(f"/orders/{world.order.pk}/cancel/", {"reason": "x"}, follow=True).content.decode()
    assert "only the brand can cancel it now" in refused
    manager = signed_in(world.rm_hq)
    console = manager.get(f"/console/orders/{world.order.pk}/").content.decode()
    assert 'id="cancel"' in console and 'id="to-shipping"' not in console  # shipping is the warehouse's
    warehouse_page = signed_in(world.owner).get(f"/console/orders/{world.order.pk}/").content.decode()
    assert f'href="/console/fulfillment/orders/{world.order.pk}/"' in warehouse_page
    zh = signed_in(world.owner).get(f"/console/orders/{world.order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert 'id="to-shipping">发货</a>' in zh.decode()  # the fulfilment button, once mistranslated 收货地址
    manager.post(f"/console/orders/{world.order.pk}/cancel/", {"reason": "客户要求"})
    with in_tenant(world.tenant):
        assert Order.objects.get(pk=world.order.pk).status == "cancelled"


def test_the_console_cancel_needs_a_reason(world, in_tenant):
    before = _status(world, world.order)
    manager = signed_in(world.rm_hq)
    page = manager.post(f"/console/orders/{world.order.pk}/cancel/", {"reason": ""}, follow=True)
    assert "A reason is required" in page.content.decode()
    assert _status(world, world.order) == before


# --- console board --------------------------------------------------------------------------------------


def test_the_board_counts_orders_per_state_and_filters(world, in_tenant):
    with in_tenant(world.tenant):
        lifecycle.order_cancel(actor=None, order=world.theirs, reason="x")
        state = Order.objects.get(pk=world.order.pk).get_status_display()
    owner = signed_in(world.rm_hq)
    body = owner.get("/console/orders/").content.decode()
    assert re.search(rf'data-state="{world.order.status}">{state} <span class="badge [a-z]*">1</span>', body)
    assert re.search(r'data-state="cancelled">Cancelled <span class="badge danger">1</span>', body)
    only = owner.get("/console/orders/", {"status": "cancelled"}).content.decode()
    assert world.theirs.number in only and world.order.number not in only
    by_dealer = owner.get("/console/orders/", {"q": "CD-1"}).content.decode()
    assert world.theirs.number in by_dealer and world.order.number not in by_dealer
    future = owner.get("/console/orders/", {"from": "2999-01-01"}).content.decode()
    assert world.order.number not in future and "No orders here" in future


def test_the_dealer_reads_large_quantities_grouped_as_in_the_console(world, in_tenant):
    from tenant_apps.inventory import services as inventory

    store = world.store
    with in_tenant(world.tenant):
        inventory.stock_receive(actor=None, sku_id=store.water.pk, warehouse_id=store.east.pk, quantity=5000)
        order = order_submit(actor=store.buyer, dealer=store.dealer,
                             lines=[SubmitLine(store.water.pk, None, 1200)]).order
        store.fill((store.water, store.can, 2400))
    buyer = signed_in(world.buyer)
    shown = {f"/orders/{order.pk}/": "1,200 罐 ×", "/cart/checkout/": "2,400 罐", "/cart/": "罐 × 2,400 ="}
    for page, expected in shown.items():
        text = re.sub(r"\s+", " ", buyer.get(page).content.decode())
        assert expected in text, page
        assert expected.replace(",", "") not in text, page


def test_the_console_detail_shows_lines_breakdown_reservations_and_timeline(world):
    body = signed_in(world.rm_hq).get(f"/console/orders/{world.order.pk}/").content.decode()
    assert world.order.number in body and 'id="order-reservations"' in body
    assert 'data-warehouse="E"' in body and "150.00" in body  # 30 cans at 5.00
    assert "<strong>Order submitted</strong> <span class=\"small muted\">Draft → Submitted</span>" in body
    # What can happen next, listed as each language lists words: never ASCII commas between Chinese words.
    english = re.search(r'id="legal-actions">It can now be: ([^<]+)\.', body).group(1)
    assert ", " in english
    chinese = host_client("acme.localhost", "zh-hans")
    chinese.post("/accounts/login/", {"username": world.rm_hq.email, "password": DEFAULT_PASSWORD})
    shown = chinese.get(f"/console/orders/{world.order.pk}/").content.decode()
    listed = re.search(r'id="legal-actions">现在可以：([^<]+)。', shown).group(1)
    assert "、" in listed and "," not in listed


def test_what_the_system_did_is_signed_system_in_the_readers_language(world, in_tenant):
    store = world.store
    with in_tenant(world.tenant):
        order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.water.pk, None, 1)]).order
        allocated(order)  # approved and allocated by nobody: a periodic task's work
    english = signed_in(world.buyer).get(f"/orders/{order.pk}/").content.decode()
    chinese = host_client("acme.localhost", "zh-hans")
    chinese.post("/accounts/login/", {"username": world.buyer.email, "password": DEFAULT_PASSWORD})
    shown = chinese.get(f"/orders/{order.pk}/").content.decode()
    assert "· System</span>" in english and "· 系统</span>" in shown
    assert "· system<" not in english + shown


def _shipped(order):
    from tenant_apps.fulfillment import services as fulfillment

    order = allocated(order)
    warehouse_id = order.reservations.values_list("warehouse_id", flat=True).first()
    fulfillment.shipment_ship(actor=None, shipment=fulfillment.shipment_create(actor=None, order=order,
                                                                             warehouse_id=warehouse_id))
    return order


def test_a_dealers_home_shows_what_waits_for_it_what_is_under_way_and_its_latest_orders(world, in_tenant):
    store = world.store
    with in_tenant(world.tenant):
        shipped = _shipped(order_submit(actor=store.buyer, dealer=store.dealer,
                                        lines=[SubmitLine(store.water.pk, None, 2)]).order)
        store.fill((store.water, store.can, 24))
    home = signed_in(world.buyer).get("/").content.decode()
    waiting = home.split('id="home-waiting"')[1].split('id="home-recent"')[0]
    assert f'data-number="{shipped.number}"' in waiting and "confirm receipt" in waiting
    assert world.order.number not in waiting  # under way: nothing for the dealer to do
    under_way = _status(world, world.order)
    assert f'href="/orders/?status={under_way}" data-status="{under_way}"' in home.split('id="home-under-way"')[1]
    recent = home.split('id="home-recent"')[1]
    assert shipped.number in recent and world.order.number in recent and world.theirs.number not in home
    assert "Cart · 1 line" in home and 'href="/cart/quick/"' in home
    # Dealer finance reads the same orders but does not order: no cart, no quick order.
    finance = signed_in(world.finance).get("/").content.decode()
    assert shipped.number in finance and 'id="home-cart"' not in finance and 'href="/cart/quick/"' not in finance


def test_a_dealers_home_runs_the_same_queries_for_2_and_22_orders(world, in_tenant, count_queries):
    buyer = signed_in(world.buyer)
    buyer.get("/")
    with count_queries() as few:
        assert "SO" in buyer.get("/").content.decode()
    store = world.store
    with in_tenant(world.tenant):
        for _n in range(20):
            order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.water.pk, None, 1)])
    with count_queries() as many:
        assert buyer.get("/").content.decode().count('class="ord-card"') == 5  # the latest five
    assert len(many) == len(few)


def _tiles(page: str) -> dict[str, int]:
    return {key: int(count.replace(",", "")) for key, count in re.findall(
        r'data-work="(\w+)">\s*<strong class="num">([\d,]+)</strong>', page)}


def test_the_console_home_counts_what_waits_for_each_person_by_what_they_may_do(world, in_tenant):
    with in_tenant(world.tenant):
        allocated(Order.objects.get(pk=world.theirs.pk))
        approved = Order.objects.filter(status="approved").count()
    owner = _tiles(signed_in(world.owner).get("/console/").content.decode())
    assert owner["to_allocate"] == approved and owner["to_ship"] == 1 and owner["today"] == 2
    assert owner["returns"] == 0 and "approvals" in owner
    # Read-only staff: only what they read (orders today), nothing to approve or ship.
    assert _tiles(signed_in(world.analyst).get("/console/").content.decode()) == {"today": 2}
    # The regional manager of the west region counts only its own dealer's order.
    assert _tiles(signed_in(world.rm_west).get("/console/").content.decode())["today"] == 1  # 成都经销商's, not 上海's


def test_the_getting_started_checklist_links_the_product_list_and_ticks_once_a_sku_exists(world):
    page = signed_in(world.owner).get("/console/").content.decode()
    products = page.split('data-step="products"')[1].split("</li>")[0]
    assert 'href="/console/catalog/"' in products and "Coming soon" not in products
    assert page.split('data-step="products"')[0].rsplit("<li", 1)[1].startswith(' class="done"')
    done = page.count('class="done" data-step=')
    assert ("Every step is done" in page) == (done == page.count("data-step=")), done


def test_the_board_runs_the_same_queries_for_2_and_22_orders(world, in_tenant, count_queries):
    owner = signed_in(world.rm_hq)
    owner.get("/console/orders/")
    with count_queries() as few:
        assert owner.get("/console/orders/").status_code == 200
    store = world.store
    with in_tenant(world.tenant):
        for _n in range(20):
            order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.water.pk, None, 1)])
    with count_queries() as many:
        assert owner.get("/console/orders/").content.decode().count("<tr data-number=") == 22
    assert len(many.sql) == len(few.sql)
