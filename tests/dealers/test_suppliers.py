"""Headquarters makes a dealer a supplier to its sub-dealers (S2B2B): a plan feature; who may buy from whom; stopping
a supplier; the supplier capabilities held only while the company is one; the price floor (乱价) on a supplier's
own price list; headquarters' order list of the whole chain or of its own sales only."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from billing_saas.limits import FeatureNotInPlan
from tenant_apps.accounts.permissions import SUPPLIER_INVENTORY, SUPPLIER_ORDERS, SUPPLIER_PRICING, has_perm
from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealers
from tenant_apps.dealers.errors import DealerInvalid, SupplierConflict
from tenant_apps.dealers.models import Supplier
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.errors import PricingInvalid
from tenant_apps.pricing.models import PriceEntry
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.factories.dealers import DealerFactory
from tests.factories.ordering import store as make_store
from tests.factories.suppliers import chain as make_chain
from tests.factories.suppliers import multi_tier_plan

HOST = "acme.localhost"


@pytest.fixture
def shop(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = make_store()
        made.tenant = tenant_a
        yield made


@pytest.fixture
def chain(shop, in_tenant):
    with in_tenant(shop.tenant):
        yield make_chain(shop, shop.tenant)


def _api(user):
    return host_client(HOST, HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")


# --- designation ---------------------------------------------------------------------------------------------


def test_designation_needs_the_plan_feature(shop, in_tenant):
    with in_tenant(shop.tenant):
        agent = DealerFactory(code="AG", legal_name="省代", status="active")
        owner = user_create(actor=None, email="admin@acme.test", password=DEFAULT_PASSWORD, role="admin")
        key = Token.objects.create(user=owner).key
        with pytest.raises(FeatureNotInPlan):
            dealers.supplier_designate(actor=None, dealer=agent)
        assert Supplier.objects.count() == 0
    client = host_client(HOST, HTTP_AUTHORIZATION=f"Token {key}")
    refused = client.post("/api/v1/suppliers/", {"dealer": agent.pk}, content_type="application/json")
    assert refused.status_code == 402
    assert refused.json()["code"] == "feature_not_in_plan"
    with in_tenant(shop.tenant):
        assert Supplier.objects.count() == 0
        multi_tier_plan(shop.tenant)
    made = client.post("/api/v1/suppliers/", {"dealer": agent.pk}, content_type="application/json")
    assert made.status_code == 201
    assert (made.json()["dealer"], made.json()["active"]) == (agent.pk, True)
    with in_tenant(shop.tenant):
        assert list(Supplier.objects.values_list("node_id", "active")) == [(agent.node_id, True)]
        # it starts, as a new workspace does, with every order placed with it waiting for its owner's confirmation
        from tenant_apps.approvals.models import ApprovalWorkflow

        [workflow] = ApprovalWorkflow.objects.filter(owner_id=agent.node_id)
        assert [(step.approver_roles, step.scope) for step in workflow.steps.all()] == [(["dealer_owner"], "hq")]
    assert client.post("/api/v1/suppliers/", {"dealer": agent.pk}, content_type="application/json").status_code == 201
    with in_tenant(shop.tenant):  # designated again: still the one workflow
        assert ApprovalWorkflow.objects.filter(owner_id=agent.node_id).count() == 1


def test_a_dealer_buys_only_from_an_active_supplier_above_it(shop, in_tenant):
    with in_tenant(shop.tenant):
        multi_tier_plan(shop.tenant)
        agent = DealerFactory(code="AG", legal_name="省代", status="active")
        sibling = DealerFactory(code="AG2", legal_name="另一省代", status="active")
        with pytest.raises(DealerInvalid) as not_yet:
            DealerFactory(code="SUB", legal_name="市代", parent=agent.node, supplier=agent.node)
        assert not_yet.value.fields == {"supplier": ["省代 is not a supplier: headquarters makes a dealer a "
                                                     "supplier first."]}
        dealers.supplier_designate(actor=None, dealer=agent)
        dealers.supplier_designate(actor=None, dealer=sibling)
        sub = DealerFactory(code="SUB", legal_name="市代", parent=agent.node, supplier=agent.node)
        assert sub.supplier_id == agent.node_id
        with pytest.raises(DealerInvalid) as not_above:
            dealers.dealer_update(actor=None, dealer=sub, supplier=sibling.node)
        assert not_above.value.fields == {"supplier": [
            "另一省代 is not above this dealer in the network; a dealer buys from headquarters or from a supplier "
            "above it."]}
        assert type(sub).objects.get(pk=sub.pk).supplier_id == agent.node_id


def test_a_supplier_is_not_stopped_while_dealers_buy_from_it_or_orders_are_open(chain, in_tenant):
    js = chain.js
    with in_tenant(chain.store.tenant):
        with pytest.raises(SupplierConflict, match="Dealers still buying from 江苏省代: 1"):
            dealers.supplier_undesignate(actor=None, supplier=js.supplier, open_orders=0)
        order_submit(actor=js.sub_buyer, dealer=js.sub, lines=[SubmitLine(chain.store.sku.pk, None, 1)])
        dealers.dealer_update(actor=None, dealer=js.sub, supplier=dealers.selectors.headquarters())
        admin = user_create(actor=None, email="admin@acme.test", password=DEFAULT_PASSWORD, role="admin")
    refused = _api_in(in_tenant, chain, admin).post(f"/api/v1/suppliers/{js.node.pk}/stop/")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Orders placed with 江苏省代 still open: 1."
    with in_tenant(chain.store.tenant):
        assert Supplier.objects.get(pk=js.supplier.pk).active is True


def _api_in(in_tenant, chain, user):
    with in_tenant(chain.store.tenant):
        return _api(user)


def test_supplier_capabilities_are_held_only_while_the_company_is_an_active_supplier(chain, in_tenant):
    js = chain.js
    with in_tenant(chain.store.tenant):
        owner = type(js.owner).objects.get(pk=js.owner.pk)
        buyer = type(js.buyer).objects.get(pk=js.buyer.pk)
        sub_buyer = type(js.sub_buyer).objects.get(pk=js.sub_buyer.pk)
        assert [has_perm(owner, c) for c in (SUPPLIER_ORDERS, SUPPLIER_PRICING, SUPPLIER_INVENTORY)] == [True] * 3
        assert [has_perm(buyer, c) for c in (SUPPLIER_ORDERS, SUPPLIER_PRICING)] == [True, False]
        assert has_perm(sub_buyer, SUPPLIER_ORDERS) is False
        dealers.dealer_update(actor=None, dealer=js.sub, supplier=dealers.selectors.headquarters())
        dealers.supplier_undesignate(actor=None, supplier=js.supplier, open_orders=0)
        owner = type(js.owner).objects.get(pk=js.owner.pk)
        assert has_perm(owner, SUPPLIER_ORDERS) is False
    page = host_client(HOST)
    assert page.post("/accounts/login/", {"username": js.owner.email, "password": DEFAULT_PASSWORD}).status_code == 302
    assert page.get("/supplier/").status_code == 403
    assert _api_in(in_tenant, chain, js.owner).get("/api/v1/supplier/orders/").status_code == 403


# --- the price floor (乱价) -------------------------------------------------------------------------------------


def test_a_suppliers_price_below_the_minimum_resale_price_is_refused_naming_the_sku_and_the_floor(chain, in_tenant):
    store, js = chain.store, chain.js
    with in_tenant(store.tenant):
        pricing.resale_price_set(actor=None, sku=store.sku, price="5.20")
        with pytest.raises(PricingInvalid) as refused:
            pricing.price_entry_set(actor=js.owner, price_list=js.prices, sku=store.sku, unit=store.can, price="5.10")
        assert refused.value.fields == {"price": [
            "RB-250 may not be resold below its minimum resale price of 5.20 per 罐."]}
        by_case = pricing.price_entry_set(actor=js.owner, price_list=js.prices, sku=store.sku, unit=store.case,
                                          price="125.00")  # 24 cans at 5.20 = 124.80
        assert str(by_case.price) == "125.0000"
        with pytest.raises(PricingInvalid):
            pricing.price_entry_set(actor=js.owner, price_list=js.prices, sku=store.sku, unit=store.case,
                                    price="124.00")
        hq = pricing.price_entry_set(actor=None, price_list=store.base, sku=store.sku, unit=store.can, price="4.00")
        assert str(hq.price) == "4.0000"  # headquarters' own list: its price to its dealers, not a resale
    response = _api_in(in_tenant, chain, js.owner).post(
        f"/api/v1/supplier/price-lists/{js.prices.pk}/prices/", {"sku": store.sku.pk, "price": "5.00"},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"price": [
        "RB-250 may not be resold below its minimum resale price of 5.20 per 罐."]}
    with in_tenant(store.tenant):
        assert str(PriceEntry.objects.get(price_list=js.prices, sku=store.sku, unit=store.can).price) == "5.5000"


# --- headquarters' order list ----------------------------------------------------------------------------------


def test_headquarters_sees_the_whole_chains_orders_or_only_its_own_sales(chain, in_tenant):
    store, js = chain.store, chain.js
    with in_tenant(store.tenant):
        mine = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 1)]).order
        theirs = order_submit(actor=js.sub_buyer, dealer=js.sub, lines=[SubmitLine(store.sku.pk, None, 1)]).order
        admin = user_create(actor=None, email="admin@acme.test", password=DEFAULT_PASSWORD, role="admin")
    api = _api_in(in_tenant, chain, admin)
    listed = {row["number"] for row in api.get("/api/v1/orders/").json()["results"]}
    assert {mine.number, theirs.number} <= listed
    with in_tenant(store.tenant):
        dealers.network_orders_view_update(actor=admin, hq_orders_only_own=True)
    listed = {row["number"] for row in api.get("/api/v1/orders/").json()["results"]}
    assert mine.number in listed and theirs.number not in listed
