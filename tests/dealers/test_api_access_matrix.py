"""Who may call what on the dealer API: every role in `Role` and anonymous against every endpoint and
method, the expected status computed from MATRIX (tenant_apps/accounts/permissions.py) and the
capabilities below; denied writes change nothing. Then the data scopes: outside it is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.accounts.permissions import (
    COMPANY_ADDRESSES,
    COMPANY_VIEW,
    DEALERS_CREATE,
    DEALERS_EDIT,
    DEALERS_EXPORT,
    DEALERS_IMPORT,
    DEALERS_STATUS,
    DEALERS_VIEW,
    MATRIX,
    NETWORK_EDIT,
    QUALIFICATIONS_EDIT,
    SETTINGS_EDIT,
    Role,
)
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import services
from tenant_apps.dealers.api import urls as api_urls
from tenant_apps.dealers.models import (
    Dealer,
    DealerAddress,
    DealerContact,
    Node,
    Qualification,
    QualificationType,
    Territory,
    Tier,
)

API = "/api/v1"
READ_DEALER = (DEALERS_VIEW, COMPANY_VIEW)
IMPORT_CSV = "code,legal_name,parent_code\r\nIMP-001,导入经销商有限公司,EAST\r\n".encode()


@dataclass(frozen=True)
class Endpoint:
    route: str  # URL name in tenant_apps/dealers/api/urls.py
    method: str
    path: str  # formatted with the network: {pudong}, {pudong_node}
    capabilities: tuple[str, ...]  # any one of them grants the call
    success: int = 200
    body: dict[str, Any] | None = None  # {east} is replaced by the East region's id
    multipart: bool = False
    state: Any = None  # net -> a value that a successful write changes and a denied one leaves alone


def _count(model):
    return lambda net: model.objects.count()


ENDPOINTS = [
    # reads
    Endpoint("dealer-list", "GET", "/dealers/", (DEALERS_VIEW,)),
    Endpoint("dealer-detail", "GET", "/dealers/{pudong}/", READ_DEALER),
    Endpoint("dealer-addresses", "GET", "/dealers/{pudong}/addresses/", READ_DEALER),
    Endpoint("dealer-contacts", "GET", "/dealers/{pudong}/contacts/", READ_DEALER),
    Endpoint("dealer-qualifications", "GET", "/dealers/{pudong}/qualifications/", READ_DEALER),
    Endpoint("dealer-blockers", "GET", "/dealers/{pudong}/blockers/", READ_DEALER),
    Endpoint("dealer-export", "GET", "/dealers/export/?format=csv", (DEALERS_EXPORT,)),
    Endpoint("node-list", "GET", "/network/nodes/", (DEALERS_VIEW,)),
    Endpoint("tier-list", "GET", "/tiers/", (DEALERS_VIEW,)),
    Endpoint("territory-list", "GET", "/territories/", (DEALERS_VIEW, COMPANY_ADDRESSES)),
    Endpoint("qualification-type-list", "GET", "/qualification-types/", (DEALERS_VIEW,)),
    Endpoint("my-company", "GET", "/me/company/", (COMPANY_VIEW,)),
    # writes
    Endpoint("dealer-list", "POST", "/dealers/", (DEALERS_CREATE,), 201,
             {"parent": "{east}", "code": "NEW-001", "legal_name": "新经销商有限公司"}, state=_count(Dealer)),
    Endpoint("dealer-detail", "PATCH", "/dealers/{pudong}/", (DEALERS_EDIT,), 200, {"name": "浦东新名"},
             state=lambda net: Dealer.objects.get(pk=net.pudong.pk).name),
    Endpoint("dealer-status", "POST", "/dealers/{pudong}/status/", (DEALERS_STATUS,), 200,
             {"to": "active", "reason": "contract signed"},
             state=lambda net: Dealer.objects.get(pk=net.pudong.pk).status),
    Endpoint("dealer-addresses", "POST", "/dealers/{pudong}/addresses/", (DEALERS_EDIT, COMPANY_ADDRESSES), 201,
             {"kind": "shipping", "recipient": "张三", "phone": "13800000000", "territory": "310115",
              "line": "世纪大道 1 号"}, state=_count(DealerAddress)),
    Endpoint("dealer-contacts", "POST", "/dealers/{pudong}/contacts/", (DEALERS_EDIT,), 201,
             {"name": "李四", "phone": "13900000000"}, state=_count(DealerContact)),
    Endpoint("dealer-qualifications", "POST", "/dealers/{pudong}/qualifications/", (QUALIFICATIONS_EDIT,), 201,
             {"type": "FOOD", "number": "JY14401060001234", "valid_to": "2099-12-31"}, state=_count(Qualification)),
    Endpoint("dealer-import", "POST", "/dealers/import/", (DEALERS_IMPORT,), 201, {}, multipart=True,
             state=_count(Dealer)),
    Endpoint("node-list", "POST", "/network/nodes/", (NETWORK_EDIT,), 201,
             {"parent": "{east}", "name": "上海片区", "code": "EAST-SH"}, state=_count(Node)),
    Endpoint("node-move", "POST", "/network/nodes/{pudong_node}/move/", (NETWORK_EDIT,), 200,
             {"parent": "{east}"}, state=lambda net: Node.objects.get(pk=net.pudong.node_id).path),
    Endpoint("tier-list", "POST", "/tiers/", (SETTINGS_EDIT,), 201, {"code": "B", "name": "银牌", "rank": 2},
             state=_count(Tier)),
    Endpoint("territory-list", "POST", "/territories/", (SETTINGS_EDIT,), 201,
             {"code": "320000", "name": "江苏", "parent": "CN"}, state=_count(Territory)),
    Endpoint("qualification-type-list", "POST", "/qualification-types/", (SETTINGS_EDIT,), 201,
             {"code": "BIZ", "name": "营业执照"}, state=_count(QualificationType)),
]

ACTORS = [None, *Role]


def expected_status(actor: str | None, endpoint: Endpoint) -> int:
    if actor is None:
        return 401
    return endpoint.success if set(endpoint.capabilities) & MATRIX[actor] else 403


def call(client, endpoint: Endpoint, net):
    path = API + endpoint.path.format(pudong=net.pudong.pk, pudong_node=net.pudong.node_id)
    if endpoint.method == "GET":
        return client.get(path)
    if endpoint.multipart:
        return client.post(path, {"file": SimpleUploadedFile("dealers.csv", IMPORT_CSV, content_type="text/csv")})
    body = {key: net.east.pk if value == "{east}" else value for key, value in endpoint.body.items()}
    return getattr(client, endpoint.method.lower())(path, body, content_type="application/json")


def test_every_route_and_method_of_the_api_is_in_the_matrix():
    routed = {
        (pattern.name, method.upper())
        for pattern in api_urls.urlpatterns
        for method in pattern.callback.actions
        if method != "head"
    }
    assert routed == {(endpoint.route, endpoint.method) for endpoint in ENDPOINTS}
    assert len(ENDPOINTS) == len(routed) == 24


def test_each_endpoint_is_granted_to_some_role_and_every_write_is_refused_to_some_role():
    for endpoint in ENDPOINTS:
        outcomes = {expected_status(role, endpoint) for role in Role}
        assert endpoint.success in outcomes, endpoint
        assert endpoint.method == "GET" or 403 in outcomes, endpoint


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}-{e.route}")
@pytest.mark.parametrize("actor", ACTORS, ids=lambda role: role or "anonymous")
def test_access_matrix(actor, endpoint, net, client_for, in_a):
    client = client_for(actor)
    with in_a():
        before = endpoint.state(net) if endpoint.state else None
        audit_before = AuditEntry.objects.count()

    response = call(client, endpoint, net)

    expected = expected_status(actor, endpoint)
    assert response.status_code == expected, response.content[:300]
    if expected == 401:
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == 'Token'
    elif expected == 403:
        assert response.json()["code"] == "permission_denied"
    if endpoint.state is None:
        return
    with in_a():
        after = endpoint.state(net)
        audit_after = AuditEntry.objects.count()
    if expected in (401, 403):
        assert (after, audit_after) == (before, audit_before)
    else:
        assert after != before


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
        assert rep.patch(f"{API}/dealers/{other.pk}/", {"name": "x"}, content_type="application/json").status_code == 404
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
