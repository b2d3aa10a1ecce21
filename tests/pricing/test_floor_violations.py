"""乱价 attempts kept for headquarters: a supplier's price below a SKU's minimum resale price is refused and nothing of
it is written, yet the attempt is recorded in the same request (after the refusal's rollback); headquarters' pricing
people list them (filters by supplier and day, paginated at a constant number of queries) on the console and the
API. A supplier's people do not."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.errors import BelowResaleFloor
from tenant_apps.pricing.models import FloorViolation, PriceEntry
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.factories.accounts import UserFactory
from tests.factories.ordering import store as make_store
from tests.factories.suppliers import chain as make_chain

HOST = "acme.localhost"


@pytest.fixture
def chain(tenant_a, in_tenant):
    """Sibling agents JS and ZJ; RB-330's floor is 6.50 a can (both sell it at 7.00); a brand admin and an analyst."""
    with in_tenant(tenant_a):
        shop = make_store()
        made = make_chain(shop, tenant_a)
        pricing.resale_price_set(actor=None, sku=shop.water, price="6.50")
        made.admin = UserFactory(email="admin@hq.test", role="admin", full_name="")
        made.admin_token = Token.objects.create(user=made.admin).key
        made.js.token = Token.objects.create(user=made.js.owner).key
        made.tenant = tenant_a
        yield made


def _page(user):
    client = host_client(HOST)
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _entries(agent):
    return list(PriceEntry.objects.filter(price_list=agent.prices).order_by("sku__code").values_list(
        "sku__code", "price"))


def test_the_refused_price_is_not_written_but_the_attempt_is_kept(chain, in_tenant):
    store, js = chain.store, chain.js
    with in_tenant(chain.tenant):
        before = _entries(js)
        with pytest.raises(BelowResaleFloor) as refused:
            pricing.price_entry_set(actor=js.owner, price_list=js.prices, sku=store.water, unit=store.can,
                                    price="6.00")
        assert refused.value.fields == {
            "price": ["RB-330 may not be resold below its minimum resale price of 6.50 per 罐."]}
        assert _entries(js) == before
        kept = FloorViolation.objects.get()
        assert (kept.supplier_id, kept.actor_id, kept.sku_id, kept.unit_id, str(kept.attempted_price),
                str(kept.floor), kept.currency, kept.source, kept.source_id, kept.source_ref) == (
            js.node.pk, js.owner.pk, store.water.pk, store.can.pk, "6.0000", "6.5000", "CNY", "price_list",
            js.prices.pk, "JS-BASE 江苏省代价")
        # at the floor: written, nothing more kept
        pricing.price_entry_set(actor=js.owner, price_list=js.prices, sku=store.water, unit=store.can, price="6.50")
        assert ("RB-330", pricing.price_parse("6.50")) in _entries(js)
        assert FloorViolation.objects.count() == 1


def test_a_case_is_held_to_its_factor_times_the_floor(chain, in_tenant):
    store, js = chain.store, chain.js
    with in_tenant(chain.tenant):
        pricing.resale_price_set(actor=None, sku=store.sku, price="5.00")
        with pytest.raises(BelowResaleFloor):  # a case of 24 at 119.00 < 24 x 5.00
            pricing.price_entry_set(actor=js.owner, price_list=js.prices, sku=store.sku, unit=store.case,
                                    price="119.00")
        kept = FloorViolation.objects.get()
        assert (kept.unit_id, str(kept.attempted_price), str(kept.floor)) == (store.case.pk, "119.0000", "120.0000")


def test_the_api_refusal_is_kept_in_the_same_request(chain, in_tenant):
    js = chain.js
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    refused = api.post(f"/api/v1/supplier/price-lists/{js.prices.pk}/prices/",
                       {"sku": chain.store.water.pk, "price": "5.99"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"price": ["RB-330 may not be resold below its minimum resale price of 6.50 "
                                                  "per 罐."]}
    with in_tenant(chain.tenant):
        assert [str(p) for c, p in _entries(js) if c == "RB-330"] == ["7.0000"]
        assert list(FloorViolation.objects.values_list("source", "attempted_price")) == [
            ("price_list", pricing.price_parse("5.99"))]


def _attempts(chain, in_tenant, count: int):
    """`count` refused attempts: JS's on RB-330, and one of ZJ's two days before."""
    store = chain.store
    with in_tenant(chain.tenant):
        for n in range(count):
            with pytest.raises(BelowResaleFloor):
                pricing.price_entry_set(actor=chain.js.owner, price_list=chain.js.prices, sku=store.water,
                                        unit=store.can, price=f"6.{n % 50:02d}")
        with pytest.raises(BelowResaleFloor):
            pricing.price_entry_set(actor=chain.zj.owner, price_list=chain.zj.prices, sku=store.water,
                                    unit=store.can, price="1.00")
        FloorViolation.objects.filter(supplier=chain.zj.node).update(created_at=timezone.now() - timedelta(days=2))


def test_headquarters_lists_the_attempts_and_filters_them(chain, in_tenant):
    _attempts(chain, in_tenant, 2)
    admin = _page(chain.admin)
    page = admin.get("/console/pricing/floor-violations/").content.decode()
    assert page.count("RB-330") >= 3 and "JS" in page and "ZJ" in page and "owner@zj.test" in page
    only_js = admin.get(f"/console/pricing/floor-violations/?supplier={chain.js.node.pk}").content.decode()
    assert "owner@js.test" in only_js and "owner@zj.test" not in only_js
    today = timezone.localdate().isoformat()
    recent = admin.get(f"/console/pricing/floor-violations/?date_from={today}").content.decode()
    assert "owner@zj.test" not in recent and "owner@js.test" in recent
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {chain.admin_token}")
    rows = api.get("/api/v1/pricing/floor-violations/").json()["results"]
    assert [(row["supplier_code"], row["source"], row["floor"]) for row in rows] == [
        ("JS", "price_list", "6.5000"), ("JS", "price_list", "6.5000"), ("ZJ", "price_list", "6.5000")]
    rows = api.get(f"/api/v1/pricing/floor-violations/?supplier={chain.zj.node.pk}").json()["results"]
    assert [(row["attempted_price"], row["actor_email"]) for row in rows] == [("1.0000", "owner@zj.test")]
    bad = api.get("/api/v1/pricing/floor-violations/?date_from=2026-13-01")
    assert bad.status_code == 400 and "date_from" in bad.json()["fields"]


def test_a_supplier_does_not_see_headquarters_list(chain, in_tenant):
    _attempts(chain, in_tenant, 1)
    assert _page(chain.js.owner).get("/console/pricing/floor-violations/").status_code == 403
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {chain.js.token}")
    assert api.get("/api/v1/pricing/floor-violations/").status_code == 403


def _queries(count_queries, client, url) -> int:
    with count_queries() as captured:
        assert client.get(url).status_code == 200
    return len(captured.sql)


def test_a_page_of_many_costs_what_a_page_of_one_does(chain, in_tenant, count_queries):
    admin = _page(chain.admin)
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {chain.admin_token}")
    _attempts(chain, in_tenant, 1)

    def costs():
        return (_queries(count_queries, admin, "/console/pricing/floor-violations/"),
                _queries(count_queries, api, "/api/v1/pricing/floor-violations/"))

    few = costs()
    _attempts(chain, in_tenant, 30)
    assert costs() == few


def test_a_regional_manager_sees_the_suppliers_of_their_part_of_the_network_only(chain, in_tenant):
    _attempts(chain, in_tenant, 1)
    with in_tenant(chain.tenant):
        manager = UserFactory(email="rm@hq.test", role="regional_manager", scope_node=chain.js.node, full_name="")
        token = Token.objects.create(user=manager).key
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {token}")
    rows = api.get("/api/v1/pricing/floor-violations/").json()["results"]
    assert [row["supplier_code"] for row in rows] == ["JS"]
    assert api.get(f"/api/v1/pricing/floor-violations/?supplier={chain.zj.node.pk}").json()["results"] == []


def _row_counts() -> dict[str, int]:
    """Rows in each table of the current tenant schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                       "AND table_type = 'BASE TABLE' ORDER BY 1")
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - the schema's own table names
            counts[table] = cursor.fetchone()[0]
    return counts


def test_committed_for_real_the_refused_price_is_gone_and_its_attempt_stays(django_db_setup, django_db_blocker):
    """No test transaction around the service, as in a request: its own transaction rolls back, the attempt is
    committed after it (checked from another connection)."""
    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.catalog.models import SearchTerm
    from tenant_apps.dealers.models import Dealer
    from tenants.models import Tenant
    from tests.factories.catalog import CategoryFactory, ProductFactory, SkuFactory, unit
    from tests.factories.dealers import DealerFactory
    from tests.factories.pricing import PriceListFactory
    from tests.finance.conftest import finance_rows_delete
    from tests.racing import at_once

    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        mark = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
        before = _row_counts()
        terms = set(SearchTerm.objects.values_list("term", flat=True))
        agent = DealerFactory(code=f"AG-{tag}", legal_name=f"省代{tag}", status="active")
        can = unit(f"U{tag}", "罐")
        category = CategoryFactory(code=f"C{tag}", name="饮料")
        sku = SkuFactory(product=ProductFactory(category=category, code=f"P{tag}", name="红牛"), code=f"S-{tag}",
                         name="红牛", base_unit=can, order_step=1)
        prices = PriceListFactory(code=f"AG-{tag}", name="省代价", owner=agent.node)
        pricing.resale_price_set(actor=None, sku=sku, price="6.50")
        try:
            assert not connection.in_atomic_block
            with pytest.raises(BelowResaleFloor):
                pricing.price_entry_set(actor=None, price_list=prices, sku=sku, unit=can, price="6.00")
            seen = at_once(tenant, 1, lambda _i: (
                PriceEntry.objects.filter(price_list_id=prices.pk).count(),
                list(FloorViolation.objects.filter(supplier_id=agent.node_id).values_list("attempted_price", "floor"))))
            assert seen == [(0, [(pricing.price_parse("6.00"), pricing.price_parse("6.50"))])]
        finally:
            connection.set_tenant(tenant)
            FloorViolation.objects.filter(supplier_id=agent.node_id).delete()
            prices.delete()
            sku.product.skus.all().delete()
            sku.product.delete()
            category.delete()
            can.delete()
            finance_rows_delete([agent.pk])
            node = agent.node
            Dealer.objects.filter(pk=agent.pk).delete()
            node.delete()
            AuditEntry.objects.filter(id__gt=mark).delete()
            SearchTerm.objects.exclude(term__in=terms).delete()  # the search vocabulary the SKU's trigger added
            left = _row_counts()
            connection.set_schema_to_public()
        assert left == before  # nothing of it left for the session's other tests
