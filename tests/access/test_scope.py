"""Data scopes on the API: a dealer's objects outside the caller's scope do not exist (404, never a 403
and never a hit); lists, filters and moves never reach past the scope."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_apps.accounts.permissions import Role
from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services
from tenant_apps.dealers.models import Dealer, DealerAddress, Node
from tenant_apps.pricing import services as pricing

API = "/api/v1"


def test_pricing_of_a_dealer_outside_the_scope_does_not_exist(net, api_client, in_a):
    """A dealer's own price list, protection window and the entries of that list are read in the reader's
    data scope, like the dealer itself; brand-wide ones are read by everyone with pricing.view."""
    with in_a():
        can = catalog.unit_ensure(code="CAN", name="罐")
        drinks = catalog.category_create(actor=None, parent=None, code="DRINK", name="饮料")
        product = catalog.product_create(actor=None, category=drinks, code="RB", name="红牛")
        sku = catalog.sku_create(actor=None, product=product, code="RB-250", name="红牛 250ml", base_unit=can)
        base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base")
        contract = pricing.price_list_create(actor=None, code="C-PD", name="浦东合同价", kind="dealer",
                                             dealer=net.pudong)
        pricing.price_entry_set(actor=None, price_list=base, sku=sku, unit=can, price="5.00")
        entry = pricing.price_entry_set(actor=None, price_list=contract, sku=sku, unit=can, price="4.50")
        window = pricing.protection_window_create(actor=None, name="浦东保价", dealer=net.pudong,
                                                  starts_on=date(2099, 1, 1), ends_on=date(2099, 1, 31))
    east, south = (api_client(Role.REGIONAL_MANAGER, scope_node=node) for node in (net.east, net.south))
    # the base lists (the brand's, and the one sign-up made) are everyone's; the contract only the east's
    assert [row["code"] for row in east.get(f"{API}/pricing/lists/").json()["results"]] == ["BASE", "DEFAULT", "C-PD"]
    assert [row["code"] for row in south.get(f"{API}/pricing/lists/").json()["results"]] == ["BASE", "DEFAULT"]
    assert [row["price"] for row in south.get(f"{API}/pricing/entries/").json()["results"]] == ["5.0000"]
    assert south.get(f"{API}/pricing/protections/").json()["count"] == 0
    # (no role with a partial scope holds pricing.edit: the writes are refused before any lookup)
    refused = [south.get(f"{API}/pricing/lists/{contract.pk}/"), south.get(f"{API}/pricing/protections/{window.pk}/")]
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(404, "not_found")] * 2
    assert east.get(f"{API}/pricing/lists/{contract.pk}/").json()["dealer"] == net.pudong.pk
    assert east.get(f"{API}/pricing/protections/{window.pk}/").status_code == 200
    assert [row["price"] for row in east.get(f"{API}/pricing/entries/", {"sku": entry.sku_id}).json()["results"]] \
        == ["5.0000", "4.5000"]


# --- data scope: outside it is a 404, never a 403 and never a hit ---------------------------------


def test_regional_manager_of_east_never_reaches_a_dealer_of_south(net, api_client, in_a):
    manager = api_client(Role.REGIONAL_MANAGER, scope_node=net.east)
    listed = manager.get(f"{API}/dealers/")
    assert [d["code"] for d in listed.json()["results"]] == ["SH-001", "SH-002"]
    canton = f"{API}/dealers/{net.canton.pk}"
    guesses = [
        manager.get(f"{canton}/"),
        manager.patch(f"{canton}/", {"name": "改名"}, content_type="application/json"),
        manager.post(f"{canton}/status/", {"to": "active"}, content_type="application/json"),
        manager.get(f"{canton}/addresses/"),
        manager.post(f"{canton}/addresses/", {"recipient": "王五", "phone": "1", "territory": "440000",
                                             "line": "天河路 1 号"}, content_type="application/json"),
        manager.get(f"{canton}/contacts/"),
        manager.get(f"{canton}/qualifications/"),
        manager.get(f"{canton}/blockers/"),
    ]
    assert [(r.status_code, r.json()["code"]) for r in guesses] == [(404, "dealer_not_found")] * 8
    with in_a():
        canton_now = Dealer.objects.get(pk=net.canton.pk)
        assert (canton_now.name, canton_now.status, canton_now.addresses.count()) == ("广州经销商", "prospect", 0)
        assert AuditEntry.objects.filter(target_id=str(net.canton.pk)).count() == 1  # its creation only


def test_regional_manager_cannot_create_or_move_outside_their_subtree(net, api_client, in_a):
    manager = api_client(Role.REGIONAL_MANAGER, scope_node=net.east)
    created = manager.post(f"{API}/dealers/", {"parent": net.south.pk, "code": "GD-009", "legal_name": "越界"},
                           content_type="application/json")
    assert created.status_code == 400
    assert created.json()["fields"] == {"parent": ["No such place in the network."]}
    moved_out = manager.post(f"{API}/network/nodes/{net.agent.node_id}/move/", {"parent": net.south.pk},
                             content_type="application/json")
    assert (moved_out.status_code, moved_out.json()["fields"]) == (400, {"parent": ["No such place in the network."]})
    moved_in = manager.post(f"{API}/network/nodes/{net.canton.node_id}/move/", {"parent": net.east.pk},
                            content_type="application/json")
    assert (moved_in.status_code, moved_in.json()["code"]) == (404, "node_not_found")
    nodes = manager.get(f"{API}/network/nodes/").json()["results"]
    assert [n["code"] for n in nodes] == ["EAST", "SH-001", "SH-002"]
    with in_a():
        assert not Dealer.objects.filter(code="GD-009").exists()
        assert Node.objects.get(pk=net.agent.node_id).path == net.agent.node.path
        assert Node.objects.get(pk=net.canton.node_id).path == net.canton.node.path


def test_the_under_filter_narrows_a_scope_and_never_widens_it(net, api_client):
    manager = api_client(Role.REGIONAL_MANAGER, scope_node=net.east)
    below_agent = manager.get(f"{API}/dealers/", {"under": net.agent.node_id})
    assert [d["code"] for d in below_agent.json()["results"]] == ["SH-001", "SH-002"]
    below_pudong = manager.get(f"{API}/dealers/", {"under": net.pudong.node_id})
    assert [d["code"] for d in below_pudong.json()["results"]] == ["SH-002"]
    for outside in (net.south.pk, net.hq.pk, net.canton.node_id):
        refused = manager.get(f"{API}/dealers/", {"under": outside})
        assert refused.status_code == 400
        assert refused.json() == {"code": "invalid", "detail": "The request has invalid fields.",
                                  "fields": {"under": ["No such place in the network."]}}


def test_a_sales_rep_sees_only_their_assigned_dealers(net, api_client, in_a):
    rep = api_client(Role.SALES_REP)
    with in_a():
        services.dealer_update(actor=None, dealer=net.canton, sales_rep=rep.user)
    assert [d["code"] for d in rep.get(f"{API}/dealers/").json()["results"]] == ["GD-001"]
    assert rep.get(f"{API}/dealers/{net.canton.pk}/").status_code == 200
    for other in (net.agent, net.pudong):
        assert rep.get(f"{API}/dealers/{other.pk}/").status_code == 404
        assert rep.patch(f"{API}/dealers/{other.pk}/", {"name": "x"},
                         content_type="application/json").status_code == 404
    assert rep.get(f"{API}/dealers/", {"under": net.east.pk}).status_code == 400
    assert [n["code"] for n in rep.get(f"{API}/network/nodes/").json()["results"]] == ["GD-001"]


@pytest.mark.parametrize(("role", "adding_elsewhere"), [
    (Role.DEALER_OWNER, 404), (Role.DEALER_BUYER, 404), (Role.DEALER_FINANCE, 403),  # finance may not add
])
def test_dealer_staff_reach_only_their_own_company(role, adding_elsewhere, net, api_client, in_a):
    staff = api_client(role, dealer=net.pudong)
    assert staff.get(f"{API}/me/company/").json()["code"] == "SH-002"
    assert staff.get(f"{API}/dealers/{net.pudong.pk}/").json()["code"] == "SH-002"
    for other in (net.agent, net.canton):
        for path in ("", "addresses/", "contacts/", "qualifications/", "blockers/"):
            response = staff.get(f"{API}/dealers/{other.pk}/{path}")
            assert (response.status_code, response.json()["code"]) == (404, "dealer_not_found")
        added = staff.post(f"{API}/dealers/{other.pk}/addresses/", {
            "recipient": "张三", "phone": "13800000000", "territory": "310000", "line": "南京路 1 号",
        }, content_type="application/json")
        assert added.status_code == adding_elsewhere
    with in_a():
        assert DealerAddress.objects.count() == 0


def test_my_company_is_a_404_for_dealer_staff_without_a_dealer(net, api_client):
    orphan = api_client(Role.DEALER_OWNER)
    response = orphan.get(f"{API}/me/company/")
    assert (response.status_code, response.json()["code"]) == (404, "dealer_not_found")


def test_a_regional_manager_without_a_scope_sees_nothing(net, api_client):
    manager = api_client(Role.REGIONAL_MANAGER)
    assert manager.get(f"{API}/dealers/").json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert manager.get(f"{API}/network/nodes/").json()["count"] == 0
    assert manager.get(f"{API}/dealers/{net.pudong.pk}/").status_code == 404
