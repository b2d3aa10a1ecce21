"""The catalog API's stock (GET /api/v1/catalog/skus/) reads what the storefront reads: for a dealer's people, the
warehouses of the dealer's seller only (a sub-dealer of a supplier: the agent's; a direct dealer: headquarters');
for brand staff, every warehouse. Constant queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.inventory.services import inventory_settings_update
from tests.conftest import host_client
from tests.factories import token_for
from tests.factories.catalog import SkuFactory
from tests.factories.ordering import store as make_store
from tests.factories.suppliers import chain as make_chain

HOST = "acme.localhost"


@pytest.fixture
def chain(tenant_a, in_tenant):
    """The store (headquarters: 100 + 50 cans of each SKU) and two agents (JS: 40, ZJ: 30 of each), stock shown
    as numbers."""
    with in_tenant(tenant_a):
        made = make_chain(make_store(), tenant_a)
        inventory_settings_update(actor=None, dealer_stock_visibility="exact")
        made.keys = {who: token_for(user) for who, user in (
            ("sub", made.js.sub_buyer), ("direct", made.store.buyer), ("agent", made.js.buyer))}
        made.within = lambda: in_tenant(tenant_a)
        yield made


def _stock(chain, who, **params) -> dict[str, int | None]:
    answer = host_client(HOST, HTTP_AUTHORIZATION=f"Token {chain.keys[who]}").get("/api/v1/catalog/skus/", params)
    assert answer.status_code == 200
    return {row["code"]: row["stock"].get("quantity") for row in answer.json()["results"]}


def test_a_sub_dealer_sees_its_agents_stock_a_direct_dealer_headquarters(chain):
    sku, water = chain.store.sku.code, chain.store.water.code
    sub = _stock(chain, "sub")
    assert (sub[sku], sub[water]) == (40, 40)  # JS's warehouse, not headquarters' 150 nor ZJ's 30
    direct = _stock(chain, "direct")
    assert (direct[sku], direct[water]) == (150, 150)  # headquarters' own: never an agent's
    agent = _stock(chain, "agent")  # an agent buys from headquarters
    assert agent[sku] == 150


def test_the_page_costs_the_same_queries_for_two_skus_or_twenty_two(chain):
    client = host_client(HOST, HTTP_AUTHORIZATION=f"Token {chain.keys['sub']}")
    client.get("/api/v1/catalog/skus/")  # warm: the host's tenant and the token, as on any later request
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/catalog/skus/").json()["results"]) == 2
    with chain.within():
        for n in range(20):
            SkuFactory(product=chain.store.sku.product, code=f"EXTRA-{n}")
    with CaptureQueriesContext(connection) as large:
        answer = client.get("/api/v1/catalog/skus/")
    assert answer.status_code == 200 and len(answer.json()["results"]) == 22
    assert len(large.captured_queries) == len(small.captured_queries)
