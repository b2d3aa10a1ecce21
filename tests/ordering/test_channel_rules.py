"""Channel rules at order time (ordering.channel): 防窜货, the ship-to area against the dealer's territories as they
are when the order is submitted or revised, refused or flagged by the brand's policy, with the brand's list of
flagged orders in each person's data scope; and the qualifications a dealer must hold to order.

The store's dealer SH-1 sells in 上海 (with 浦东, below it); 北京 lies outside. Its default address is in 上海."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenant_apps.dealers import services as dealers
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.models import CartLine, Order, OrderEvent
from tenant_apps.ordering.submission import OrderRefused, SubmitLine, order_revise, order_submit
from tests.conftest import host_client
from tests.factories.dealers import QualificationTypeFactory, TerritoryFactory, address
from tests.ordering.test_pages import make_people, signed_in

FLAG_NOTE = "Ships to 北京, outside the dealer's sales territories: flagged for review."


@pytest.fixture
def channel(store, tenant_a, in_tenant):
    """The store with 浦东 (below 上海), 北京 (outside), an address of SH-1 in each (the 北京 one flagged when added,
    under the default policy "flag"), the people of tests/ordering/test_pages.py and API tokens."""
    with in_tenant(tenant_a):
        pudong = TerritoryFactory(code="PD", name="浦东", parent=store.shanghai)
        beijing = TerritoryFactory(code="BJ", name="北京")
        in_pudong = address(dealer=store.dealer, territory=pudong, line="浦东 8 号", is_default=False)
        in_beijing = address(dealer=store.dealer, territory=beijing, line="朝阳 9 号", is_default=False)
        people = make_people(store)
        tokens = {user.email: Token.objects.create(user=user).key
                  for user in (store.buyer, people.owner, people.rm_west, people.rm_hq)}
        yield SimpleNamespace(store=store, tenant=tenant_a, pudong=pudong, beijing=beijing, in_pudong=in_pudong,
                              in_beijing=in_beijing, home=store.dealer.addresses.get(is_default=True),
                              tokens=tokens, **people.__dict__)


def _api(world, user):
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {world.tokens[user.email]}")


def _policy(value: str) -> None:
    dealers.network_settings_update(actor=None, channel_conflict_policy=value)


def _reserved(store) -> int:
    return sum(Stock.objects.filter(sku=store.sku).values_list("reserved", flat=True))


def _submit(world, *, address_id, quantity: int = 10):
    return _api(world, world.store.buyer).post(
        "/api/v1/orders/", {"lines": [{"sku": world.store.sku.pk, "quantity": quantity}], "address": address_id},
        content_type="application/json")


def _notes(order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order, kind="note").order_by("id").values_list("message", flat=True))


# --- submission -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("one_statement", [True, False])
def test_under_refuse_an_order_shipped_outside_the_territories_is_a_409_naming_the_area(channel, in_tenant, settings,
                                                                                          one_statement):
    settings.ORDERING_ONE_STATEMENT = one_statement
    with in_tenant(channel.tenant):
        _policy("refuse")
        before = (Order.objects.count(), _reserved(channel.store))
    response = _submit(channel, address_id=channel.in_beijing.pk)
    assert response.status_code == 409
    assert response.json() == {
        "code": "outside_territory",
        "detail": "北京 is outside your company's sales territories, and the brand does not accept orders shipped "
                  "there. Choose a shipping address in your territories.",
        "fields": {"address": ["北京 is outside your company's sales territories."]}}
    with in_tenant(channel.tenant):
        assert (Order.objects.count(), _reserved(channel.store)) == before


@pytest.mark.parametrize("one_statement", [True, False])
def test_under_flag_the_order_goes_through_flagged_with_a_timeline_note(channel, in_tenant, settings, one_statement):
    settings.ORDERING_ONE_STATEMENT = one_statement
    response = _submit(channel, address_id=channel.in_beijing.pk)
    assert response.status_code == 201
    body = response.json()
    assert (body["outside_territory"], body["shipping_address"]["area"],
            body["shipping_address"]["outside_territory"]) == (True, "北京", True)
    with in_tenant(channel.tenant):
        order = Order.objects.get(pk=body["id"])
        assert (order.outside_territory, order.status, _notes(order)) == (True, "approved", [FLAG_NOTE])
        assert order.shipping_address["territory_id"] == channel.beijing.pk
        assert "territory_path" not in order.shipping_address
    assert _api(channel, channel.store.buyer).get(f"/api/v1/orders/{order.pk}/").json()["outside_territory"] is True


def test_an_area_below_a_territory_is_inside(channel, in_tenant):
    with in_tenant(channel.tenant):
        _policy("refuse")
        order = order_submit(actor=channel.store.buyer, dealer=channel.store.dealer, address_id=channel.in_pudong.pk,
                             lines=[SubmitLine(channel.store.sku.pk, None, 10)]).order
        assert (order.outside_territory, order.shipping_address["area"], _notes(order)) == (False, "浦东", [])


def test_the_territories_as_they_are_at_submission_decide_not_the_address_flag(channel, in_tenant):
    """The 上海 address was inside when added; the dealer has since moved to 北京: now it is 上海 that is outside,
    and the 北京 address (flagged when it was added) is inside."""
    store = channel.store
    with in_tenant(channel.tenant):
        _policy("refuse")
        dealers.dealer_update(actor=None, dealer=store.dealer, territories=[channel.beijing])
        with pytest.raises(OrderRefused) as refused:
            order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 10)])
        assert (refused.value.code, str(refused.value.detail).split(" is ")[0]) == ("outside_territory", "上海")
        order = order_submit(actor=store.buyer, dealer=store.dealer, address_id=channel.in_beijing.pk,
                             lines=[SubmitLine(store.sku.pk, None, 10)]).order
        assert (order.outside_territory, order.shipping_address["outside_territory"]) == (False, False)


def test_a_dealer_without_territories_may_ship_anywhere(channel, in_tenant):
    store = channel.store
    with in_tenant(channel.tenant):
        _policy("refuse")
        dealers.dealer_update(actor=None, dealer=store.dealer, territories=[])
        order = order_submit(actor=store.buyer, dealer=store.dealer, address_id=channel.in_beijing.pk,
                             lines=[SubmitLine(store.sku.pk, None, 10)]).order
        assert (order.outside_territory, _notes(order)) == (False, [])


def test_the_checkout_page_shows_the_refusal_and_keeps_the_cart(channel, in_tenant):
    store = channel.store
    with in_tenant(channel.tenant):
        _policy("refuse")
        store.fill((store.sku, store.can, 10))
    buyer = signed_in(store.buyer)
    response = buyer.post("/cart/checkout/", {"action": "submit", "idempotency_key": "k-bj",
                                              "address": channel.in_beijing.pk})
    assert response.status_code == 409
    assert "北京 is outside your company&#x27;s sales territories, and the brand does not accept orders" \
        in response.content.decode()
    with in_tenant(channel.tenant):
        assert (Order.objects.filter(idempotency_key="k-bj").count(),
                CartLine.objects.filter(cart__dealer=store.dealer).count()) == (0, 1)


def test_a_flagged_order_shows_its_flag_on_the_storefront_and_console_in_both_languages(channel, in_tenant):
    store = channel.store
    with in_tenant(channel.tenant):
        store.fill((store.sku, store.can, 10))
    buyer = signed_in(store.buyer)
    done = buyer.post("/cart/checkout/", {"action": "submit", "idempotency_key": "k-bj",
                                          "address": channel.in_beijing.pk})
    with in_tenant(channel.tenant):
        order = Order.objects.get(idempotency_key="k-bj")
        assert order.outside_territory is True
    assert done["Location"] == f"/orders/{order.pk}/"
    page = buyer.get(done["Location"]).content.decode()
    assert 'id="outside-territory"' in page and "outside your territory" in page
    note = FLAG_NOTE.replace("'", "&#x27;")
    console = signed_in(channel.rm_hq).get(f"/console/orders/{order.pk}/").content.decode()
    assert 'id="outside-territory"' in console and "outside the dealer's territory" in console and note in console
    zh = signed_in(channel.owner).get(f"/console/orders/{order.pk}/").content.decode()  # the owner reads zh-Hans
    assert "超出经销商的销售区域" in zh and "按品牌的渠道规则放行并标记" in zh
    zh_buyer = buyer.get(done["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "超出您的销售区域" in zh_buyer and "发往销售区域以外的订单将由品牌方审核。" in zh_buyer


def test_an_order_inside_is_not_flagged(channel, in_tenant):
    response = _submit(channel, address_id=channel.home.pk)
    assert (response.status_code, response.json()["outside_territory"]) == (201, False)
    with in_tenant(channel.tenant):
        assert _notes(Order.objects.get(pk=response.json()["id"])) == []


# --- revision -------------------------------------------------------------------------------------------------


def _order_in_shanghai(channel, in_tenant):
    """An order to the 上海 address (inside), after which the dealer loses 上海 for 北京."""
    store = channel.store
    with in_tenant(channel.tenant):
        order = order_submit(actor=store.buyer, dealer=store.dealer,
                             lines=[SubmitLine(store.sku.pk, None, 10)]).order
        assert order.outside_territory is False
        dealers.dealer_update(actor=None, dealer=store.dealer, territories=[channel.beijing])
    return order


def test_under_refuse_a_revision_after_the_dealer_lost_the_territory_is_refused(channel, in_tenant):
    order = _order_in_shanghai(channel, in_tenant)
    store = channel.store
    with in_tenant(channel.tenant):
        _policy("refuse")
        before = (order.status, order.revision, order.total, _reserved(store))
    response = _api(channel, store.buyer).post(f"/api/v1/orders/{order.pk}/revise/",
                                               {"lines": [{"sku": store.sku.pk, "quantity": 20}]},
                                               content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (409, "outside_territory")
    assert response.json()["detail"].startswith("上海 is outside your company's sales territories")
    with in_tenant(channel.tenant):
        order.refresh_from_db()
        assert (order.status, order.revision, order.total, _reserved(store)) == before
        assert list(order.lines.values_list("quantity", flat=True)) == [10]


def test_under_refuse_the_edit_page_shows_the_refusal(channel, in_tenant):
    order = _order_in_shanghai(channel, in_tenant)
    with in_tenant(channel.tenant):
        _policy("refuse")
        line = order.lines.get()
    buyer = signed_in(channel.store.buyer)
    response = buyer.post(f"/orders/{order.pk}/edit/", {f"quantity-{line.pk}": "20", "note": ""})
    assert response.status_code == 409
    assert "上海 is outside your company&#x27;s sales territories" in response.content.decode()
    with in_tenant(channel.tenant):
        line.refresh_from_db()
        assert line.quantity == 10


def test_under_flag_a_revision_after_the_dealer_lost_the_territory_is_flagged(channel, in_tenant):
    order = _order_in_shanghai(channel, in_tenant)
    store = channel.store
    with in_tenant(channel.tenant):
        line = order.lines.get()
    buyer = signed_in(store.buyer)
    done = buyer.post(f"/orders/{order.pk}/edit/", {f"quantity-{line.pk}": "20", "note": ""})
    assert done.status_code == 302
    with in_tenant(channel.tenant):
        order.refresh_from_db()
        assert (order.revision, order.outside_territory, order.shipping_address["outside_territory"]) == (2, True, True)
        assert _notes(order) == ["Ships to 上海, outside the dealer's sales territories: flagged for review."]
        # given 上海 back, the next revision clears the flag (the timeline keeps the note)
        dealers.dealer_update(actor=None, dealer=store.dealer, territories=[store.shanghai])
        order_revise(actor=store.buyer, order=order, lines=[SubmitLine(store.sku.pk, None, 15)])
        order.refresh_from_db()
        assert (order.revision, order.outside_territory, len(_notes(order))) == (3, False, 1)


def test_a_revision_by_api_under_flag_answers_the_flag(channel, in_tenant):
    order = _order_in_shanghai(channel, in_tenant)
    store = channel.store
    response = _api(channel, store.buyer).post(f"/api/v1/orders/{order.pk}/revise/",
                                               {"lines": [{"sku": store.sku.pk, "quantity": 20}]},
                                               content_type="application/json")
    assert (response.status_code, response.json()["outside_territory"], response.json()["revision"]) == (200, True, 2)


# --- the brand's list of flagged orders ------------------------------------------------------------------------


@pytest.fixture
def flagged(channel, in_tenant):
    """Flagged: one order of SH-1 (under HQ) and one of CD-1 (region 西区); and one of SH-1 not flagged."""
    store = channel.store
    with in_tenant(channel.tenant):
        mine = order_submit(actor=store.buyer, dealer=store.dealer, address_id=channel.in_beijing.pk,
                            lines=[SubmitLine(store.sku.pk, None, 5)]).order
        plain = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 5)]).order
        theirs_address = address(dealer=channel.other, territory=channel.beijing, line="海淀 1 号", is_default=True)
        theirs = order_submit(actor=channel.other_buyer, dealer=channel.other, address_id=theirs_address.pk,
                              lines=[SubmitLine(store.water.pk, None, 5)]).order
    assert (mine.outside_territory, plain.outside_territory, theirs.outside_territory) == (True, False, True)
    return SimpleNamespace(mine=mine, plain=plain, theirs=theirs)


def test_the_orders_api_lists_flagged_orders_in_the_readers_scope(channel, flagged):
    def numbers(user, query):
        body = _api(channel, user).get(f"/api/v1/orders/?{query}").json()
        return sorted(order["number"] for order in body["results"])

    assert numbers(channel.owner, "outside_territory=true") == sorted([flagged.mine.number, flagged.theirs.number])
    assert numbers(channel.owner, "outside_territory=false") == [flagged.plain.number]
    assert numbers(channel.rm_west, "outside_territory=true") == [flagged.theirs.number]
    assert numbers(channel.store.buyer, "outside_territory=true") == [flagged.mine.number]


def test_the_console_order_list_filters_flagged_orders_in_the_readers_scope(channel, flagged):
    def numbers(user, query):
        page = signed_in(user).get(f"/console/orders/?{query}")
        assert page.status_code == 200
        return sorted(row["order"].number for row in page.context["rows"])

    assert numbers(channel.owner, "outside_territory=true") == sorted([flagged.mine.number, flagged.theirs.number])
    assert numbers(channel.rm_west, "outside_territory=true") == [flagged.theirs.number]
    assert numbers(channel.rm_west, "") == [flagged.theirs.number]
    page = signed_in(channel.owner).get("/console/orders/?outside_territory=true").content.decode()
    assert 'id="filter-outside-territory" checked' in page.replace('value="true" ', "")
    assert page.count('data-flag="outside-territory"') == 2


def test_a_flagged_list_runs_the_same_queries_for_more_orders(channel, flagged, in_tenant, count_queries):
    owner = _api(channel, channel.owner)
    with count_queries() as few:
        assert owner.get("/api/v1/orders/?outside_territory=true").json()["count"] == 2
    store = channel.store
    with in_tenant(channel.tenant):
        for _n in range(3):
            order_submit(actor=store.buyer, dealer=store.dealer, address_id=channel.in_beijing.pk,
                         lines=[SubmitLine(store.sku.pk, None, 1)])
    with count_queries() as many:
        assert owner.get("/api/v1/orders/?outside_territory=true").json()["count"] == 5
    assert len(many.sql) == len(few.sql)


# --- qualifications -------------------------------------------------------------------------------------------


def test_a_dealer_missing_a_required_licence_cannot_submit_until_it_holds_a_valid_one(channel, in_tenant):
    store = channel.store
    with in_tenant(channel.tenant):
        licence = QualificationTypeFactory(code="FOOD", name="食品经营许可证", required=True)
        store.fill((store.sku, store.can, 10))
        before = (Order.objects.count(), _reserved(store))
    refused = _submit(channel, address_id=channel.home.pk)
    assert (refused.status_code, refused.json()) == (409, {
        "code": "qualifications_missing",
        "detail": "Your company cannot order until these qualifications are valid: 食品经营许可证."})
    page = signed_in(store.buyer).post("/cart/checkout/", {"action": "submit", "idempotency_key": "k-lic"})
    assert page.status_code == 409
    assert "Your company cannot order until these qualifications are valid: 食品经营许可证." in page.content.decode()
    with in_tenant(channel.tenant):
        assert (Order.objects.count(), _reserved(store)) == before
        today = timezone.localdate()
        dealers.qualification_add(actor=None, dealer=store.dealer, type=licence, number="JY1234",
                                  valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1))
    expired = _submit(channel, address_id=channel.home.pk)
    assert (expired.status_code, expired.json()["code"]) == (409, "qualifications_missing")
    with in_tenant(channel.tenant):
        dealers.qualification_add(actor=None, dealer=store.dealer, type=licence, number="JY5678",
                                  valid_from=today - timedelta(days=1), valid_to=today + timedelta(days=365))
    assert _submit(channel, address_id=channel.home.pk).status_code == 201
    done = signed_in(store.buyer).post("/cart/checkout/", {"action": "submit", "idempotency_key": "k-lic"})
    with in_tenant(channel.tenant):
        assert done["Location"] == f"/orders/{Order.objects.get(idempotency_key='k-lic').pk}/"
