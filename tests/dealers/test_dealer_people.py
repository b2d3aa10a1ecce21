"""Dealers run their own people: the dealer's owner invites buyers, sets what each may do (order, see prices, pay,
approve internally above an amount), deactivates them; the brand decides whether dealers may and sees who they
added. Pages and API, through the real services, on tenant A's session-made schema."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tenant_apps.accounts import invitations
from tenant_apps.accounts.models import Invitation, User
from tenant_apps.accounts.services import user_create
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import people
from tenant_apps.dealers import services as dealers
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering import services as cart
from tenant_apps.ordering.models import InternalApproval, Order, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_revise, order_submit
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, token_for
from tests.factories.ordering import store as make_store

HOST = "acme.localhost"


@pytest.fixture
def shop(tenant_a, in_tenant):
    """The ordering store's dealer (SH-1, 5.00 a can) with its owner and buyer, another dealer with a buyer, and the
    buyer's last order (approved: the store turns the brand's workflows off)."""
    with in_tenant(tenant_a):
        made = make_store()
        owner = user_create(actor=None, email="boss@sh.test", password=DEFAULT_PASSWORD, full_name="王老板",
                            role="dealer_owner", dealer=made.dealer)
        other = dealers.dealer_create(actor=None, parent=made.dealer.node.parent, code="SH-9", legal_name="别家",
                                      status="active", territories=[made.shanghai])
        stranger = user_create(actor=None, email="buyer@other.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                               dealer=other)
        order = order_submit(actor=made.buyer, dealer=made.dealer,
                             lines=[SubmitLine(made.sku.pk, made.can.pk, 4)]).order
        cart.cart_line_set(actor=made.buyer, dealer=made.dealer, sku_id=made.water.pk, unit_id=made.can.pk,
                           quantity=3)
    return SimpleNamespace(**made.__dict__, owner=owner, other=other, stranger=stranger, order=order,
                           tenant=tenant_a, within=lambda: in_tenant(tenant_a))


def signed_in(user) -> object:
    email = getattr(user, "email", user)
    client = host_client(HOST)
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def api(tenant_a, in_tenant):
    def client(user):
        with in_tenant(tenant_a):
            key = token_for(user)
        return host_client(HOST, HTTP_AUTHORIZATION=f"Token {key}")

    return client


def rights(shop, user, **changes):
    values = {"order": True, "see_prices": True, "pay": False, "approve": False, "approval_limit": None, **changes}
    with shop.within():
        return people.person_rights_set(actor=shop.owner, user_id=user.pk, **values)


# --- the owner's page ---------------------------------------------------------------------------------------------


def test_the_owner_invites_a_buyer_and_sets_their_rights(shop):
    owner = signed_in(shop.owner)
    response = owner.post("/account/people/", {"invite-email": "new@sh.test", "invite-role": "dealer_buyer"})
    assert response.status_code == 302
    with shop.within():
        invitation = Invitation.objects.get(email="new@sh.test")
        assert (invitation.dealer_id, invitation.invited_by_id, invitation.role) == (
            shop.dealer.pk, shop.owner.pk, "dealer_buyer")
        _again, raw = dealers.invitation_create(actor=shop.owner, email="new@sh.test", role="dealer_buyer")
        newcomer = invitations.invitation_accept(raw_token=raw, full_name="小李", password=DEFAULT_PASSWORD)
    page = owner.get("/account/people/").content.decode()
    assert f'id="person-{newcomer.pk}"' in page and "小李" in page

    response = owner.post(f"/account/people/{newcomer.pk}/rights/", {
        f"p{newcomer.pk}-order": "on", f"p{newcomer.pk}-approval_limit": "1000"})
    assert response.status_code == 302
    with shop.within():
        newcomer.refresh_from_db()
        assert (newcomer.may_order, newcomer.may_see_prices, newcomer.may_pay, newcomer.approval_limit) == (
            True, False, False, Decimal("1000.00"))
        entry = AuditEntry.objects.get(action="accounts.user.rights_changed")
        assert (entry.before["see_prices"], entry.after["see_prices"], entry.after["approval_limit"]) == (
            True, False, "1000.00")


def test_the_owner_deactivates_and_reactivates_a_buyer_who_then_cannot_sign_in(shop):
    owner = signed_in(shop.owner)
    assert owner.post(f"/account/people/{shop.buyer.pk}/active/", {"active": "0"}).status_code == 302
    refused = host_client(HOST).post("/accounts/login/", {"username": shop.buyer.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200  # the form again: no session
    assert owner.post(f"/account/people/{shop.buyer.pk}/active/", {"active": "1"}).status_code == 302
    signed_in(shop.buyer)
    with shop.within():
        assert list(AuditEntry.objects.filter(action__in=["accounts.user.deactivated", "accounts.user.reactivated"])
                    .order_by("id").values_list("action", flat=True)) == ["accounts.user.deactivated",
                                                                          "accounts.user.reactivated"]


def test_the_owner_cannot_touch_another_dealers_people_nor_themselves(shop, api):
    owner = signed_in(shop.owner)
    assert owner.post(f"/account/people/{shop.stranger.pk}/active/", {"active": "0"}).status_code == 404
    assert owner.post(f"/account/people/{shop.stranger.pk}/rights/", {}).status_code == 404
    assert api(shop.owner).patch(f"/api/v1/me/company/people/{shop.stranger.pk}/", {"is_active": False},
                                 content_type="application/json").status_code == 404
    mine = api(shop.owner).patch(f"/api/v1/me/company/people/{shop.owner.pk}/", {"is_active": False},
                                 content_type="application/json")
    assert mine.status_code == 400 and "yourself" in mine.json()["detail"]
    assert owner.post(f"/account/people/{shop.owner.pk}/active/", {"active": "0"}).status_code == 400
    with shop.within():
        assert User.objects.filter(pk__in=[shop.stranger.pk, shop.owner.pk], is_active=True).count() == 2
    # a buyer has no people page at all
    assert signed_in(shop.buyer).get("/account/people/").status_code == 403


def test_the_api_lists_people_with_rights_and_changes_them(shop, api):
    client = api(shop.owner)
    listed = client.get("/api/v1/me/company/people/").json()["results"]
    assert {row["email"]: row["rights"]["see_prices"] for row in listed} == {
        shop.owner.email: True, shop.buyer.email: True}
    changed = client.patch(f"/api/v1/me/company/people/{shop.buyer.pk}/",
                           {"see_prices": False, "approval_limit": "50.00"}, content_type="application/json")
    assert changed.status_code == 200
    assert (changed.json()["rights"], changed.json()["approval_limit"]) == (
        {"order": True, "pay": False, "approve": False, "see_prices": False}, "50.00")
    bad = client.patch(f"/api/v1/me/company/people/{shop.buyer.pk}/", {"approval_limit": "-1"},
                       content_type="application/json")
    assert bad.status_code == 400 and "approval_limit" in bad.json()["fields"]


# --- prices -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/catalog/", "/cart/", "/cart/checkout/", "/orders/", "/orders/{order}/"])
def test_a_buyer_without_prices_sees_no_price_on_any_page(shop, url):
    url = url.format(order=shop.order.pk)
    assert "CN¥" in signed_in(shop.owner).get(url).content.decode()  # the same page shows prices to the owner
    rights(shop, shop.buyer, see_prices=False)
    page = signed_in(shop.buyer).get(url)
    assert page.status_code == 200
    assert "CN¥" not in page.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/cart/", "/api/v1/orders/{order}/", "/api/v1/orders/"])
def test_a_buyer_without_prices_gets_no_price_field_from_the_api(shop, url, api):
    url = url.format(order=shop.order.pk)
    assert "total" in api(shop.owner).get(url).content.decode()
    rights(shop, shop.buyer, see_prices=False)
    body = api(shop.buyer).get(url).content.decode()
    for key in ('"total"', '"unit_price"', '"net"', '"subtotal"', '"breakdown"'):
        assert key not in body
    assert shop.sku.code in body or shop.water.code in body or '"number"' in body


# --- ordering ----------------------------------------------------------------------------------------------------


def test_a_buyer_without_the_order_right_fills_the_cart_but_cannot_submit(shop, api):
    rights(shop, shop.buyer, order=False)
    with shop.within():
        before = Order.objects.count()
    refused = api(shop.buyer).post("/api/v1/orders/", {"lines": [{"sku": shop.sku.pk, "quantity": 1}]},
                                   content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "ordering_not_allowed"
    assert "owner" in refused.json()["detail"]
    client = signed_in(shop.buyer)
    assert client.post("/cart/add/", {"sku": shop.sku.pk, "quantity": 1}).status_code in (200, 302)
    page = client.post("/cart/checkout/", {"action": "submit", "address": ""})
    assert page.status_code == 403 and "owner" in page.content.decode()
    with shop.within():
        assert Order.objects.count() == before


def test_an_order_above_the_buyers_limit_waits_for_the_owner_then_goes_to_the_brand(shop, api):
    buyer = rights(shop, shop.buyer, approval_limit="100.00")  # 20 cans at 5.00 are within it, 30 are above
    with shop.within():
        small = order_submit(actor=buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, shop.can.pk, 20)])
        large = order_submit(actor=buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, shop.can.pk, 30)])
        assert (small.order.status, large.order.status) == (OrderStatus.APPROVED, OrderStatus.SUBMITTED)
        assert InternalApproval.objects.get(order=large.order).status == "pending"
    owner = signed_in(shop.owner)
    listing = owner.get("/orders/").content.decode()
    assert 'id="internal-waiting"' in listing and large.order.number in listing
    # the buyer may not decide it; another dealer's owner does not find it
    assert api(shop.buyer).post(f"/api/v1/orders/{large.order.pk}/internal-approve/").status_code == 403
    with shop.within():
        outsider = user_create(actor=None, email="boss@other.test", password=DEFAULT_PASSWORD, role="dealer_owner",
                               dealer=shop.other)
    assert api(outsider).post(f"/api/v1/orders/{large.order.pk}/internal-approve/").status_code == 404

    assert owner.post(f"/orders/{large.order.pk}/internal-approve/").status_code == 302
    with shop.within():
        large.order.refresh_from_db()
        assert large.order.status == OrderStatus.APPROVED  # the brand's chain ran (its workflows are off here)
        held = InternalApproval.objects.get(order=large.order)
        assert (held.status, held.decided_by_id) == ("approved", shop.owner.pk)
        assert AuditEntry.objects.filter(action="ordering.order.internal_approved").count() == 1
    again = api(shop.owner).post(f"/api/v1/orders/{large.order.pk}/internal-approve/")
    assert again.status_code == 409


def test_the_owner_declines_an_order_above_the_limit_and_its_stock_comes_back(shop, api):
    buyer = rights(shop, shop.buyer, approval_limit="10")
    with shop.within():
        reserved = sum(Stock.objects.filter(sku=shop.sku).values_list("reserved", flat=True))
        held = order_submit(actor=buyer, dealer=shop.dealer,
                            lines=[SubmitLine(shop.sku.pk, shop.can.pk, 30)]).order
    response = api(shop.owner).post(f"/api/v1/orders/{held.pk}/internal-decline/", {"reason": "太多了"},
                                    content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == OrderStatus.REJECTED
    with shop.within():
        assert sum(Stock.objects.filter(sku=shop.sku).values_list("reserved", flat=True)) == reserved


def _held(order) -> str | None:
    return InternalApproval.objects.filter(order=order).values_list("status", flat=True).first()


def test_a_revision_above_the_buyers_limit_waits_for_the_company_again(shop, api):
    """A revision decides the hold again: raised above the buyer's limit, an order that went through (or that the
    company approved) waits for the company again; lowered within it, a held order goes on to the brand."""
    buyer = rights(shop, shop.buyer, approval_limit="100.00")  # 5.00 a can: 20 within, 30 above
    with shop.within():
        order = order_submit(actor=buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, shop.can.pk, 20)]).order
        assert (order.status, _held(order)) == (OrderStatus.APPROVED, None)
    raised = api(shop.buyer).post(f"/api/v1/orders/{order.pk}/revise/",
                                  {"lines": [{"sku": shop.sku.pk, "unit": shop.can.pk, "quantity": 30}]},
                                  content_type="application/json")
    assert (raised.status_code, raised.json()["status"], raised.json()["total"]) == (200, "submitted", "150.00")
    with shop.within():
        assert _held(order) == "pending"
    assert signed_in(shop.owner).post(f"/orders/{order.pk}/internal-approve/").status_code == 302
    with shop.within():
        order.refresh_from_db()
        assert (order.status, _held(order)) == (OrderStatus.APPROVED, "approved")
        # approved by the company at 150.00; raised again: the earlier decision does not cover it
        order_revise(actor=buyer, order=order, lines=[SubmitLine(shop.sku.pk, shop.can.pk, 40)])
        assert (order.status, _held(order), order.total) == (OrderStatus.SUBMITTED, "pending", Decimal("200.00"))
        # lowered within the limit while held: no approval needed any more, it goes on to the brand
        order_revise(actor=buyer, order=order, lines=[SubmitLine(shop.sku.pk, shop.can.pk, 10)])
        assert (order.status, _held(order)) == (OrderStatus.APPROVED, None)
        notes = list(order.events.filter(kind="note").values_list("data__internal_approval", flat=True))
        assert notes == ["pending", "approved", "pending", "withdrawn"]
    assert 'id="internal-waiting"' not in signed_in(shop.owner).get("/orders/").content.decode()  # nothing waits


def test_whose_limit_a_revision_answers_to(shop, api):
    """The brand's staff raising a buyer's order: the buyer's limit still holds it; the dealer's owner (who may
    approve) raising it: no hold."""
    buyer = rights(shop, shop.buyer, approval_limit="100.00")
    with shop.within():
        order = order_submit(actor=buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, shop.can.pk, 20)]).order
        brand_owner = User.objects.get(email="owner@acme.test")
    raised = api(brand_owner).post(f"/api/v1/orders/{order.pk}/revise/",
                                   {"lines": [{"sku": shop.sku.pk, "unit": shop.can.pk, "quantity": 30}]},
                                   content_type="application/json")
    assert (raised.status_code, raised.json()["status"]) == (200, "submitted")
    with shop.within():
        held = InternalApproval.objects.get(order=order)
        assert (held.status, held.requested_by_id, held.limit) == ("pending", shop.buyer.pk, Decimal("100.00"))
        order_revise(actor=shop.owner, order=order, lines=[SubmitLine(shop.sku.pk, shop.can.pk, 40)])
        assert (order.status, _held(order)) == (OrderStatus.APPROVED, None)


# --- the brand ----------------------------------------------------------------------------------------------------


def test_with_the_brand_setting_off_the_page_is_read_only_and_invitations_are_refused(shop, api):
    brand = signed_in("owner@acme.test")
    assert brand.post("/console/network/settings/", {"action": "people"}).status_code == 302  # unticked: off
    with shop.within():
        assert dealers.selectors.network_settings().dealers_manage_people is False
    owner = signed_in(shop.owner)
    page = owner.get("/account/people/").content.decode()
    assert 'id="people-managed-by-brand"' in page and 'id="invite"' not in page
    refused = api(shop.owner).post("/api/v1/invitations/", {"email": "x@sh.test", "role": "dealer_buyer"},
                                   content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "dealer_people_off"
    refused_page = owner.post(f"/account/people/{shop.buyer.pk}/active/", {"active": "0"})
    assert refused_page.status_code == 403 and "sales representative" in refused_page.content.decode()
    with shop.within():
        assert User.objects.get(pk=shop.buyer.pk).is_active
        assert not Invitation.objects.filter(email="x@sh.test").exists()


def test_the_brand_sees_who_the_dealer_added_and_when(shop):
    with shop.within():
        invitation, raw = dealers.invitation_create(actor=shop.owner, email="added@sh.test", role="dealer_buyer")
        invitations.invitation_accept(raw_token=raw, full_name="新来的", password=DEFAULT_PASSWORD)
    page = signed_in("owner@acme.test").get(f"/console/network/dealers/{shop.dealer.pk}/")
    section = page.content.decode().split('id="users"')[1]
    row = section.split("added@sh.test")[1].split("</tr>")[0]
    # the brand's owner reads Chinese (their own language): who added them, that it was the dealer, and when
    assert "王老板" in row and "经销商自行添加" in row and timezone.localdate().isoformat() in row


def test_the_pay_right_opens_and_closes_the_pay_page(shop, api):
    with shop.within():
        clerk = user_create(actor=None, email="money@sh.test", password=DEFAULT_PASSWORD, role="dealer_finance",
                            dealer=shop.dealer)
    assert signed_in(clerk).get("/account/finance/pay/").status_code == 200
    assert signed_in(shop.buyer).get("/account/finance/pay/").status_code == 403
    rights(shop, clerk, order=False, pay=False)
    rights(shop, shop.buyer, pay=True)
    assert signed_in(clerk).get("/account/finance/pay/").status_code == 403
    assert signed_in(shop.buyer).get("/account/finance/pay/").status_code == 200
    refused = api(clerk).post("/api/v1/finance/payments/", {"purpose": "top_up", "provider": "stripe",
                                                            "amount": "10.00"}, content_type="application/json")
    assert refused.status_code == 403


def test_the_people_page_costs_the_same_queries_for_two_people_or_twelve(shop, django_assert_max_num_queries):
    owner = signed_in(shop.owner)
    owner.get("/account/people/")
    with django_assert_max_num_queries(20) as few:
        assert owner.get("/account/people/").status_code == 200
    with shop.within():
        for index in range(10):
            user_create(actor=None, email=f"more{index}@sh.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                        dealer=shop.dealer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert owner.get("/account/people/").status_code == 200
