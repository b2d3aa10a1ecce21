"""The dealer API's behaviour: dealers (create, patch, status, bank details), addresses and the channel
policy, contacts, qualifications and blockers, the tree (regions, moves), brand settings, filters,
paging and constant query counts, import/export, and bad input (400 with field errors, no write)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.accounts.permissions import Role
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import services
from tenant_apps.dealers.models import (
    Dealer,
    DealerAddress,
    Node,
    Qualification,
    QualificationType,
    Territory,
    Tier,
)
from tenant_apps.dealers.transfer import COLUMNS
from tests.factories.billing import on_plan

API = "/api/v1"
JSON = "application/json"


@pytest.fixture
def owner(api_client):
    return api_client(Role.OWNER)


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [item["code"] for item in response.json()["results"]]


# --- dealers ------------------------------------------------------------------------------------


def test_create_a_dealer(net, owner, api_client, in_a):
    rep = api_client(Role.SALES_REP)
    response = owner.post(f"{API}/dealers/", {
        "parent": net.agent.node_id, "code": "SH-003", "legal_name": "静安经销商有限公司", "tier": "A",
        "territories": ["310000"], "tax_number": "91310000MA1FL12345", "bank_name": "招商银行",
        "bank_account": "6225 8812 0000 4321", "sales_rep": rep.user.pk,
    }, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    with in_a():
        dealer = Dealer.objects.select_related("node").get(code="SH-003")
        assert body == {
            "id": dealer.pk, "code": "SH-003", "legal_name": "静安经销商有限公司", "name": "静安经销商有限公司",
            "status": "prospect", "tier": "A", "territories": ["310000"], "node": dealer.node_id,
            "parent": net.agent.node_id, "path": f"{net.agent.node.path}.{dealer.node_id}",
            "supplier": net.hq.pk, "sales_rep": rep.user.pk, "regional_manager": None,
            "tax_number": "91310000MA1FL12345", "bank_name": "招商银行", "bank_account_masked": "**** 4321",
            "bank_account": "6225 8812 0000 4321",
            "created_at": body["created_at"], "updated_at": body["updated_at"],
        }
        entry = AuditEntry.objects.get(action="dealers.dealer.created", target_id=str(dealer.pk))
        assert entry.actor_id == owner.user.pk


def test_bank_account_is_write_only_without_the_bank_capability(net, api_client, in_a):
    rep = api_client(Role.SALES_REP)
    finance = api_client(Role.FINANCE)
    with in_a():
        services.dealer_update(actor=None, dealer=net.agent, sales_rep=rep.user)
    agent = f"{API}/dealers/{net.agent.pk}/"
    seen_by_rep = rep.get(agent).json()
    assert "bank_account" not in seen_by_rep
    assert seen_by_rep["bank_account_masked"] == "**** 7890"
    changed = rep.patch(agent, {"bank_account": "6217 0000 1111 2222"}, content_type=JSON)
    assert changed.status_code == 200
    assert ("bank_account" in changed.json(), changed.json()["bank_account_masked"]) == (False, "**** 2222")
    assert "bank_account" not in rep.get(f"{API}/dealers/").json()["results"][0]
    assert finance.get(agent).json()["bank_account"] == "6217 0000 1111 2222"
    with in_a():
        entry = AuditEntry.objects.get(action="dealers.dealer.updated", actor_id=rep.user.pk)
        assert entry.after == {"bank_account": "**** 2222"}


def test_bad_dealer_input_is_field_errors_and_writes_nothing(net, owner, in_a):
    dealers = f"{API}/dealers/"
    references = owner.post(dealers, {
        "parent": "abc", "code": "NEW-1", "legal_name": "新", "tier": "ZZ", "territories": ["999999"],
        "status": "bogus", "sales_rep": 999999, "supplier": 10**30,
    }, content_type=JSON)
    assert references.status_code == 400
    assert references.json()["code"] == "invalid"
    assert references.json()["fields"] == {
        "parent": ["A valid integer is required."],
        "tier": ["Object with code=ZZ does not exist."],
        "territories": ["Object with code=999999 does not exist."],
        "status": ['"bogus" is not a valid choice.'],
        "sales_rep": ['Invalid pk "999999" - object does not exist.'],
        "supplier": ["Ensure this value is less than or equal to 9223372036854775807."],
    }
    rules = owner.post(dealers, {"parent": net.east.pk, "code": "SH-001", "legal_name": "重复", "tax_number": "123"},
                       content_type=JSON)
    assert rules.status_code == 400
    assert rules.json()["code"] == "dealer_invalid"
    assert set(rules.json()["fields"]) == {"code", "tax_number"}
    unknown = owner.post(dealers, {"parent": net.east.pk, "code": "NEW-2", "legal_name": "新", "colour": "red"},
                         content_type=JSON)
    assert unknown.json()["fields"] == {"colour": ["Unknown or read-only field."]}
    too_long = owner.post(dealers, {"parent": net.east.pk, "code": "NEW-3", "legal_name": "长" * 201},
                          content_type=JSON)
    assert too_long.json()["fields"] == {"legal_name": ["Ensure this field has no more than 200 characters."]}
    not_an_object = owner.post(dealers, [1, 2], content_type=JSON)
    assert not_an_object.status_code == 400
    broken = owner.post(dealers, "{not json", content_type=JSON)
    assert (broken.status_code, broken.json()["code"]) == (400, "parse_error")
    with in_a():
        assert (Dealer.objects.count(), Node.objects.count()) == (3, 6)
        assert not AuditEntry.objects.filter(actor_id=owner.user.pk).exists()


def test_patch_changes_the_details_and_refuses_what_it_does_not_own(net, owner, in_a):
    pudong = f"{API}/dealers/{net.pudong.pk}/"
    changed = owner.patch(pudong, {"name": "浦东", "tier": None, "territories": ["310000", "310115"]},
                          content_type=JSON)
    assert changed.status_code == 200
    assert {k: changed.json()[k] for k in ("name", "tier", "territories")} == {
        "name": "浦东", "tier": None, "territories": ["310000", "310115"]}
    for body, field in (({"status": "active"}, "status"), ({"code": "X"}, "code"),
                        ({"parent": net.south.pk}, "parent")):
        refused = owner.patch(pudong, body, content_type=JSON)
        assert (refused.status_code, refused.json()["fields"]) == (400, {field: ["Unknown or read-only field."]})
    blank = owner.patch(pudong, {"legal_name": " "}, content_type=JSON)
    assert blank.json()["fields"] == {"legal_name": ["This field may not be blank."]}
    assert owner.put(pudong, {"name": "x"}, content_type=JSON).status_code == 405
    assert owner.delete(pudong).status_code == 405
    assert owner.options(pudong).status_code == 405
    with in_a():
        dealer = Dealer.objects.select_related("node").get(pk=net.pudong.pk)
        assert (dealer.name, dealer.node.name, dealer.code, dealer.status) == ("浦东", "浦东", "SH-002", "prospect")


def test_status_changes_follow_the_state_machine(net, owner, in_a):
    status = f"{API}/dealers/{net.canton.pk}/status/"
    activated = owner.post(status, {"to": "active", "reason": "contract signed"}, content_type=JSON)
    assert (activated.status_code, activated.json()["status"]) == (200, "active")
    illegal = owner.post(status, {"to": "prospect"}, content_type=JSON)
    assert illegal.status_code == 409
    assert illegal.json() == {"code": "illegal_transition", "detail": "A dealer cannot go from Active to Prospect."}
    assert owner.post(status, {"to": "bogus"}, content_type=JSON).json()["fields"] == {
        "to": ['"bogus" is not a valid choice.']}
    assert owner.post(status, {}, content_type=JSON).json()["fields"] == {"to": ["This field is required."]}
    with in_a():
        assert Dealer.objects.get(pk=net.canton.pk).status == "active"
        entries = AuditEntry.objects.filter(action="dealers.dealer.status_changed")
        assert [(e.before, e.after, e.reason) for e in entries] == [
            ({"status": "prospect"}, {"status": "active"}, "contract signed")]


@pytest.mark.parametrize(("method", "path", "code"), [
    ("get", "dealers/99999999999999999999999/", "dealer_not_found"),
    ("post", "dealers/0/status/", "dealer_not_found"),
    ("post", "network/nodes/99999999999999999999999/move/", "node_not_found"),
])
def test_unknown_or_absurd_ids_are_404s(method, path, code, net, owner):
    response = getattr(owner, method)(f"{API}/{path}", {"to": "active", "parent": net.east.pk}, content_type=JSON)
    assert (response.status_code, response.json()["code"]) == (404, code)


def test_ids_that_are_not_numbers_are_not_routes(net, owner):
    assert owner.get(f"{API}/dealers/abc/").status_code == 404
    assert owner.get(f"{API}/dealers/-1/addresses/").status_code == 404


# --- addresses, contacts, qualifications --------------------------------------------------------


def test_addresses_follow_the_channel_policy(net, owner, in_a):
    addresses = f"{API}/dealers/{net.pudong.pk}/addresses/"
    address = {"recipient": "张三", "phone": "13800000000", "line": "世纪大道 1 号"}
    inside = owner.post(addresses, {**address, "territory": "310115"}, content_type=JSON)
    assert inside.status_code == 201
    assert {k: inside.json()[k] for k in ("kind", "territory", "territory_name", "is_default", "outside_territory")} \
        == {"kind": "shipping", "territory": "310115", "territory_name": "浦东新区", "is_default": True,
            "outside_territory": False}
    flagged = owner.post(addresses, {**address, "territory": "440000"}, content_type=JSON)
    assert (flagged.status_code, flagged.json()["outside_territory"]) == (201, True)
    with in_a():
        services.network_settings_update(actor=None, channel_conflict_policy="refuse")
    refused = owner.post(addresses, {**address, "territory": "440000"}, content_type=JSON)
    assert refused.status_code == 400
    assert refused.json() == {"code": "outside_territory",
                              "detail": "广东省 is outside this dealer's sales territories.",
                              "fields": {"territory": ["Outside the dealer's sales territories."]}}
    bad = owner.post(addresses, {"kind": "office", "territory": "000000", "phone": "", "line": "x"}, content_type=JSON)
    assert bad.json()["fields"] == {
        "kind": ['"office" is not a valid choice.'], "recipient": ["This field is required."],
        "phone": ["This field may not be blank."], "territory": ["Object with code=000000 does not exist."]}
    listed = owner.get(addresses).json()
    assert (listed["count"], [a["outside_territory"] for a in listed["results"]]) == (2, [False, True])
    with in_a():
        assert DealerAddress.objects.filter(dealer=net.pudong).count() == 2


def test_a_dealer_buyer_adds_an_address_to_their_own_company(net, api_client, in_a):
    buyer = api_client(Role.DEALER_BUYER, dealer=net.pudong)
    added = buyer.post(f"{API}/dealers/{net.pudong.pk}/addresses/", {
        "recipient": "仓库", "phone": "13800000000", "territory": "310115", "line": "川沙路 9 号"}, content_type=JSON)
    assert added.status_code == 201
    assert buyer.get(f"{API}/territories/").json()["count"] == 3430  # China's divisions, from sign-up
    with in_a():
        assert AuditEntry.objects.get(action="dealers.address.added").actor_id == buyer.user.pk


def test_contacts(net, owner):
    contacts = f"{API}/dealers/{net.pudong.pk}/contacts/"
    assert owner.post(contacts, {"name": "李四", "email": "not-an-email"}, content_type=JSON).json()["fields"] == {
        "email": ["Enter a valid email address."]}
    assert owner.post(contacts, {"name": "李四", "is_primary": True}, content_type=JSON).status_code == 201
    assert owner.post(contacts, {"name": "王五", "is_primary": True}, content_type=JSON).status_code == 201
    assert [(c["name"], c["is_primary"]) for c in owner.get(contacts).json()["results"]] == [
        ("王五", True), ("李四", False)]


def test_a_qualification_upload_clears_the_blocker(net, owner, in_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    base = f"{API}/dealers/{net.canton.pk}"
    assert owner.get(f"{base}/blockers/").json() == {"blockers": ["食品经营许可证"]}
    scan = SimpleUploadedFile("licence.pdf", b"%PDF-1.4 licence", content_type="application/pdf")
    uploaded = owner.post(f"{base}/qualifications/", {"type": "FOOD", "number": "JY14401060001234",
                                                      "valid_from": "2024-01-01", "valid_to": "2099-12-31",
                                                      "file": scan})
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert {k: body[k] for k in ("type", "type_name", "number_masked", "valid_from", "valid_to")} == {
        "type": "FOOD", "type_name": "食品经营许可证", "number_masked": "**** 1234", "valid_from": "2024-01-01",
        "valid_to": "2099-12-31"}
    assert "number" not in body
    assert body["file"] == f"/account/files/qualifications/{body['id']}/"
    assert owner.get(f"{base}/blockers/").json() == {"blockers": []}
    assert [q["number_masked"] for q in owner.get(f"{base}/qualifications/").json()["results"]] == ["**** 1234"]
    with in_a():
        stored = Qualification.objects.get()
        assert (stored.number, stored.file.read()) == ("JY14401060001234", b"%PDF-1.4 licence")


def test_bad_qualifications_are_refused_whole(net, owner, in_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    qualifications = f"{API}/dealers/{net.canton.pk}/qualifications/"
    program = SimpleUploadedFile("licence.exe", b"MZ", content_type="application/octet-stream")
    wrong = owner.post(qualifications, {"type": "NOPE", "valid_to": "someday", "file": program})
    assert wrong.json()["fields"] == {
        "type": ["Object with code=NOPE does not exist."],
        "valid_to": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "file": ["Upload a PDF, JPEG or PNG file."]}
    backwards = owner.post(qualifications, {"type": "FOOD", "valid_from": "2025-01-01", "valid_to": "2024-01-01"},
                           content_type=JSON)
    assert (backwards.json()["code"], backwards.json()["fields"]) == (
        "dealer_invalid", {"valid_to": ["Must be after the start date."]})
    with in_a():
        assert Qualification.objects.count() == 0
    assert list(tmp_path.iterdir()) == []


# --- the tree and brand settings ----------------------------------------------------------------


def test_regions_and_moves(net, owner, in_a):
    nodes = f"{API}/network/nodes/"
    region = owner.post(nodes, {"parent": net.east.pk, "name": "上海片区", "code": "EAST-SH"}, content_type=JSON)
    assert region.status_code == 201
    region_id = region.json()["id"]
    assert region.json() == {"id": region_id, "parent": net.east.pk, "kind": "region", "name": "上海片区",
                             "code": "EAST-SH", "path": f"{net.east.path}.{region_id}", "depth": 2}
    duplicate = owner.post(nodes, {"parent": net.pudong.node_id, "name": "重复", "code": "EAST-SH"}, content_type=JSON)
    assert duplicate.json()["fields"] == {"code": ["This code is already used."],
                                          "parent": ["A region cannot sit below a dealer."]}
    moved = owner.post(f"{nodes}{net.agent.node_id}/move/", {"parent": region_id}, content_type=JSON)
    assert (moved.status_code, moved.json()["path"]) == (200, f"{net.east.path}.{region_id}.{net.agent.node_id}")
    pudong = owner.get(f"{API}/dealers/{net.pudong.pk}/").json()
    assert pudong["path"] == f"{net.east.path}.{region_id}.{net.agent.node_id}.{net.pudong.node_id}"
    below_itself = owner.post(f"{nodes}{net.agent.node_id}/move/", {"parent": net.pudong.node_id}, content_type=JSON)
    assert below_itself.json() == {"code": "network_conflict", "detail": "A node cannot move below itself."}
    headquarters = owner.post(f"{nodes}{net.hq.pk}/move/", {"parent": net.south.pk}, content_type=JSON)
    assert (headquarters.status_code, headquarters.json()["code"]) == (409, "network_conflict")
    listed = owner.get(nodes).json()["results"]
    assert sorted((n["code"], n["depth"]) for n in listed) == [  # (tree order compares ids as text)
        ("EAST", 1), ("EAST-SH", 2), ("GD-001", 2), ("HQ", 0), ("SH-001", 3), ("SH-002", 4), ("SOUTH", 1)]
    with in_a():
        assert AuditEntry.objects.filter(action="dealers.node.moved").count() == 1


def test_brand_settings_lists(net, owner, in_a):
    tier = owner.post(f"{API}/tiers/", {"code": "B", "name": "银牌", "rank": 2}, content_type=JSON)
    assert (tier.status_code, {k: tier.json()[k] for k in ("code", "name", "rank")}) == (
        201, {"code": "B", "name": "银牌", "rank": 2})
    assert [t["code"] for t in owner.get(f"{API}/tiers/").json()["results"]] == ["A", "B"]
    assert owner.post(f"{API}/tiers/", {"code": "A", "name": "重复"}, content_type=JSON).json()["fields"] == {
        "code": ["This code is already used."]}
    assert owner.post(f"{API}/tiers/", {"code": "C", "name": "铜牌", "rank": -1},
                      content_type=JSON).json()["fields"] == {
        "rank": ["Ensure this value is greater than or equal to 0."]}
    territory = owner.post(f"{API}/territories/", {"code": "HD", "name": "华东片区", "parent": "CN"}, content_type=JSON)
    assert {k: territory.json()[k] for k in ("code", "parent", "path")} == {
        "code": "HD", "parent": "CN", "path": "CN.HD"}
    assert owner.post(f"{API}/territories/", {"code": "320000", "name": "江苏", "parent": "CN"},
                      content_type=JSON).json()["fields"] == {"code": ["This code is already used."]}
    assert owner.post(f"{API}/territories/", {"code": "32-01", "name": "南京", "parent": "XX"},
                      content_type=JSON).json()["fields"] == {
        "code": ["Use letters, digits or underscore."], "parent": ["Object with code=XX does not exist."]}
    assert owner.post(f"{API}/qualification-types/", {"code": "FOOD", "name": "重复"}, content_type=JSON).json()[
        "fields"] == {"code": ["This code is already used."]}
    created = owner.post(f"{API}/qualification-types/", {"code": "BIZ", "name": "营业执照", "required": True},
                         content_type=JSON)
    assert {k: created.json()[k] for k in ("code", "required", "reminder_days")} == {
        "code": "BIZ", "required": True, "reminder_days": 30}
    listed = owner.get(f"{API}/territories/").json()
    # China's divisions from sign-up (by path: the country, then Beijing first), and the brand's own area
    assert listed["count"] == 3431 and [t["code"] for t in listed["results"][:3]] == ["CN", "110000", "110100"]
    with in_a():
        assert (Tier.objects.count(), QualificationType.objects.count()) == (2, 2)
        assert Territory.objects.get(code="HD").path == "CN.HD"


# --- filters, paging, query counts --------------------------------------------------------------


def test_filters(net, owner, in_a):
    with in_a():
        services.dealer_status_change(actor=None, dealer=net.canton, to="active")
    dealers = f"{API}/dealers/"
    assert _codes(owner.get(dealers)) == ["GD-001", "SH-001", "SH-002"]
    assert _codes(owner.get(dealers, {"q": "浦东"})) == ["SH-002"]
    assert _codes(owner.get(dealers, {"q": "sh-"})) == ["SH-001", "SH-002"]
    assert _codes(owner.get(dealers, {"status": "active"})) == ["GD-001"]
    assert _codes(owner.get(dealers, {"tier": "A"})) == ["SH-002"]
    assert _codes(owner.get(dealers, {"tier": "NOPE"})) == []
    assert _codes(owner.get(dealers, {"territory": "440000"})) == ["GD-001"]
    assert _codes(owner.get(dealers, {"under": net.east.pk})) == ["SH-001", "SH-002"]
    assert _codes(owner.get(dealers, {"under": net.east.pk, "q": "总代理"})) == ["SH-001"]
    bad = owner.get(dealers, {"status": "bogus", "under": "abc"})
    assert (bad.status_code, set(bad.json()["fields"])) == (400, {"status", "under"})
    assert owner.get(dealers, {"q": "a\x00b"}).status_code == 400
    assert owner.get(dealers, {"page": 9}).json()["code"] == "not_found"


def _add_dealers(net, count: int) -> None:
    for number in range(count):
        services.dealer_create(actor=None, parent=net.south, code=f"GD-{100 + number}", legal_name=f"经销商{number}",
                               territories=[net.gd], tier=net.tier_a)


@pytest.mark.parametrize(("url", "rows", "queries"), [
    # host's domain, token, count, page (+ the dealers' territories)
    ("dealers/", 33, 5),
    ("network/nodes/", 36, 4),
])
def test_lists_cost_the_same_queries_for_3_or_33_dealers(url, rows, queries, net, owner, in_a, count_queries):
    with count_queries() as few:
        assert owner.get(f"{API}/{url}").status_code == 200
    with in_a():
        _add_dealers(net, 30)
    with count_queries() as many:
        response = owner.get(f"{API}/{url}")
    assert response.json()["count"] == rows
    assert len(many.sql) == len(few.sql) == queries


def test_the_dealer_list_is_paged_fifty_at_a_time(net, owner, in_a, tenant_a):
    on_plan(tenant_a, "enterprise")
    with in_a():
        _add_dealers(net, 52)
    first = owner.get(f"{API}/dealers/").json()
    assert (first["count"], len(first["results"]), first["previous"]) == (55, 50, None)
    assert first["next"] == "http://acme.localhost/api/v1/dealers/?page=2"
    second = owner.get(f"{API}/dealers/", {"page": 2}).json()
    assert [d["code"] for d in second["results"]] == ["GD-149", "GD-150", "GD-151", "SH-001", "SH-002"]


# --- import and export ---------------------------------------------------------------------------


def _csv(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in COLUMNS} for row in rows)
    return out.getvalue().encode()


def test_import_applies_all_rows_or_reports_each_error(net, owner, in_a):
    good = _csv({"code": "IMP-1", "legal_name": "一号", "parent_code": "EAST", "tier": "A"},
                {"code": "IMP-2", "legal_name": "二号", "parent_code": "IMP-1"})
    applied = owner.post(f"{API}/dealers/import/", {"file": SimpleUploadedFile("dealers.csv", good)})
    assert (applied.status_code, applied.json()) == (201, {"applied": True, "rows": 2, "created": 2})
    bad = _csv({"code": "IMP-3", "legal_name": "三号", "parent_code": "EAST"},
               {"code": "IMP-4", "legal_name": "四号", "parent_code": "NOWHERE"})
    refused = owner.post(f"{API}/dealers/import/", {"file": SimpleUploadedFile("dealers.csv", bad)})
    assert refused.status_code == 400
    assert {k: refused.json()[k] for k in ("code", "detail", "rows")} == {
        "code": "import_invalid", "detail": "The file has errors; nothing was imported.", "rows": 2}
    assert [(e["row"], e["field"]) for e in refused.json()["errors"]] == [(3, "parent_code")]
    missing = owner.post(f"{API}/dealers/import/", {})
    assert missing.json()["fields"] == {"file": ["No file was submitted."]}
    with in_a():
        assert sorted(Dealer.objects.filter(code__startswith="IMP").values_list("code", flat=True)) == [
            "IMP-1", "IMP-2"]


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_export_in_either_format(fmt, content_type, net, owner):
    response = owner.get(f"{API}/dealers/export/", {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith('attachment; filename="dealers-')
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_export_in_csv_has_the_import_columns_and_a_bad_format_is_a_400(net, owner):
    lines = owner.get(f"{API}/dealers/export/").content.decode("utf-8-sig").splitlines()
    assert (lines[0].split(","), len(lines)) == (COLUMNS, 4)
    refused = owner.get(f"{API}/dealers/export/", {"format": "pdf"})
    assert (refused.status_code, refused.json()["fields"]) == (400, {"format": ['"pdf" is not a valid choice.']})


def test_the_schema_documents_the_dealer_api(net):
    from tests.conftest import host_client

    schema = host_client("acme.localhost").get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/dealers/", "/api/v1/dealers/{id}/status/", "/api/v1/dealers/import/",
            "/api/v1/network/nodes/{id}/move/", "/api/v1/me/company/"} <= set(paths)
    assert [p["name"] for p in paths["/api/v1/dealers/"]["get"]["parameters"]] == [
        "page", "q", "status", "territory", "tier", "under"]
