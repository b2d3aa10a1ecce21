"""The dealer network's pages: console (/console/network/) and the dealer's own storefront pages
(/account/). Access per role, scope (404 outside it), writes through the pages, constant queries."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_create
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
from tests.factories import DEFAULT_PASSWORD
from tests.factories.suppliers import multi_tier_plan

HOST = "acme.localhost"


class Browser(Client):
    """A browser on acme's host that chose English (the language cookie beats a user's own language:
    the tenant's owner reads zh-Hans). The tenant routing ends every request on the public schema;
    this puts the test's connection back where it was, so that the test reads acme's data."""

    def __init__(self, **kwargs):
        super().__init__(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en", **kwargs)
        self.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


@pytest.fixture
def network(tenant_a, in_tenant):
    """HQ -> East (region) -> Shanghai agent (dealer) -> Pudong dealer; HQ -> South -> Canton dealer."""
    with in_tenant(tenant_a):
        hq = services.headquarters_ensure(name="Acme HQ")
        east = services.region_create(actor=None, parent=hq, name="East", code="EAST")
        south = services.region_create(actor=None, parent=hq, name="South", code="SOUTH")
        cn = Territory.objects.get(code="CN")
        sh = Territory.objects.get(code="310000")
        pudong_area = Territory.objects.get(code="310115")
        gd = Territory.objects.get(code="440000")
        agent = services.dealer_create(actor=None, parent=east, code="SH-001", legal_name="Shanghai Agent Co., Ltd.",
                                       name="Shanghai Agent", territories=[sh], bank_account="6222 0212 3456 7890")
        pudong = services.dealer_create(actor=None, parent=agent.node, code="SH-002", legal_name="Pudong Dealer Ltd.",
                                        name="Pudong Dealer", territories=[pudong_area])
        canton = services.dealer_create(actor=None, parent=south, code="GD-001", legal_name="Canton Dealer Ltd.",
                                        name="Canton Dealer", territories=[gd])
        yield {"hq": hq, "east": east, "south": south, "agent": agent, "pudong": pudong, "canton": canton,
               "cn": cn, "sh": sh, "gd": gd, "pudong_area": pudong_area}


# who: (role, dealer key, scope node key)
PEOPLE = {
    "owner": None,  # owner@acme.test, made with the tenant
    "admin": ("admin", None, None),
    "rm": ("regional_manager", None, "east"),
    "rep": ("sales_rep", None, None),
    "finance": ("finance", None, None),
    "warehouse": ("warehouse", None, None),
    "analyst": ("analyst", None, None),
    "buyer": ("dealer_buyer", "pudong", None),
    "dealer_owner": ("dealer_owner", "pudong", None),
    "dealer_finance": ("dealer_finance", "pudong", None),
    "lost_buyer": ("dealer_buyer", None, None),  # a dealer role without a dealer
    "nobody": ("", None, None),  # a user without a role
}


@pytest.fixture
def person(tenant_a, in_tenant, network):
    """`person("rm")` makes that user (through accounts.services) and returns them."""

    def _person(who: str) -> User:
        with in_tenant(tenant_a):
            if PEOPLE[who] is None:
                return User.objects.get(email=f"{who}@acme.test")
            role, dealer, scope = PEOPLE[who]
            return user_create(actor=None, email=f"{who}@acme.test", password=DEFAULT_PASSWORD, role=role,
                               dealer=network[dealer] if dealer else None,
                               scope_node=network[scope] if scope else None)

    return _person


@pytest.fixture
def sign_in(person):
    """`sign_in("rm")`: a browser on acme's host, signed in as that user."""

    def _sign_in(who: str):
        user = person(who)
        client = Browser()
        response = client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        client.user = user
        return client

    return _sign_in


def _url(template: str, network) -> str:
    return template.format(agent=network["agent"].pk, agent_node=network["agent"].node.pk,
                           canton=network["canton"].pk, south=network["south"].pk)


# url, a role allowed, text on the page, a role denied
PAGES = [
    ("/console/network/", "warehouse", "Dealer network", "buyer"),
    ("/console/network/dealers/{agent}/", "analyst", "Shanghai Agent Co., Ltd.", "buyer"),
    ("/console/network/dealers/new/", "rm", "Add a dealer", "warehouse"),
    ("/console/network/dealers/{agent}/edit/", "rm", "Edit Shanghai Agent", "finance"),
    ("/console/network/dealers/{agent}/addresses/new/", "rm", "Add an address", "warehouse"),
    ("/console/network/dealers/{agent}/contacts/new/", "admin", "Add a contact", "analyst"),
    ("/console/network/dealers/{agent}/qualifications/new/", "rm", "Add a qualification", "warehouse"),
    ("/console/network/regions/new/", "rm", "Add a region", "rep"),
    ("/console/network/nodes/{agent_node}/move/", "rm", "Move Shanghai Agent", "rep"),
    ("/console/network/import/", "admin", "Import dealers", "rm"),
    ("/console/network/settings/", "owner", "Channel conflicts", "rm"),
    ("/account/", "buyer", "Change password", "nobody"),
    ("/account/company/", "dealer_finance", "Pudong Dealer Ltd.", "owner"),
    ("/account/addresses/", "buyer", "Add a shipping address", "dealer_finance"),
]


@pytest.mark.parametrize(("url", "allowed", "text", "denied"), PAGES)
def test_each_page_renders_for_an_allowed_role(network, sign_in, url, allowed, text, denied):
    response = sign_in(allowed).get(_url(url, network))
    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.parametrize(("url", "allowed", "text", "denied"), PAGES)
def test_each_page_is_refused_to_a_denied_role(network, sign_in, url, allowed, text, denied):
    assert sign_in(denied).get(_url(url, network)).status_code == 403


@pytest.mark.parametrize("url", [
    *(page[0] for page in PAGES), "/console/network/export/?format=csv", "/console/network/dealers/{agent}/status/",
])
def test_each_page_sends_anonymous_visitors_to_sign_in(network, url):
    target = _url(url, network)
    response = Browser().get(target)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", [
    "/console/network/dealers/{canton}/",
    "/console/network/dealers/{canton}/edit/",
    "/console/network/dealers/{canton}/addresses/new/",
    "/console/network/dealers/{canton}/contacts/new/",
    "/console/network/dealers/{canton}/qualifications/new/",
    "/console/network/nodes/{south}/move/",
    "/console/network/?under={south}",
    "/console/network/dealers/999999/",
])
def test_dealers_and_nodes_outside_a_regional_managers_part_are_404(network, sign_in, url):
    assert sign_in("rm").get(_url(url, network)).status_code == 404


def test_posts_outside_the_scope_are_404_and_change_nothing(network, sign_in):
    rm, canton = sign_in("rm"), network["canton"]
    assert rm.post(f"/console/network/dealers/{canton.pk}/status/", {"to": "active"}).status_code == 404
    assert rm.post(f"/console/network/dealers/{canton.pk}/edit/", {"legal_name": "Taken over"}).status_code == 404
    assert rm.post(f"/console/network/nodes/{canton.node.pk}/move/",
                   {"new_parent": network["east"].pk}).status_code == 404
    canton = Dealer.objects.get(pk=canton.pk)
    assert (canton.status, canton.legal_name, canton.node.parent_id) == ("prospect", "Canton Dealer Ltd.",
                                                                         network["south"].pk)
    assert not AuditEntry.objects.filter(actor_id=rm.user.pk).exists()


# --- the list -----------------------------------------------------------------------------------


def _codes(response) -> list[str]:
    return [row["dealer"].code for row in response.context["rows"]]


def test_the_list_searches_filters_and_sorts(network, sign_in):
    owner = sign_in("owner")
    services.dealer_status_change(actor=None, dealer=network["canton"], to="active")
    assert _codes(owner.get("/console/network/")) == ["GD-001", "SH-001", "SH-002"]
    assert _codes(owner.get("/console/network/?sort=-code")) == ["SH-002", "SH-001", "GD-001"]
    assert _codes(owner.get("/console/network/", {"q": "pudong"})) == ["SH-002"]
    assert _codes(owner.get("/console/network/", {"status": "active"})) == ["GD-001"]
    assert _codes(owner.get("/console/network/", {"under": network["east"].pk})) == ["SH-001", "SH-002"]
    gold = services.tier_create(actor=None, code="GOLD", name="Gold", rank=1)
    services.dealer_update(actor=None, dealer=network["agent"], tier=gold)
    page = owner.get("/console/network/", {"tier": "GOLD"})
    assert _codes(page) == ["SH-001"]
    body = page.content.decode()
    assert '<span class="badge ok">Active</span>' not in body and "Prospect" in body and "Gold" in body
    assert page.context["rows"][0]["position"] == "East"
    assert owner.get("/console/network/", {"under": network["east"].pk}).context["rows"][1]["position"] == (
        "East / Shanghai Agent")


def test_the_list_and_tree_show_only_a_regional_managers_part(network, sign_in):
    page = sign_in("rm").get("/console/network/")
    assert _codes(page) == ["SH-001", "SH-002"]
    [root] = page.context["tree"]
    assert (root.code, [child.code for child in root.tree_children]) == ("EAST", ["SH-001"])
    body = page.content.decode()
    assert f'href="/console/network/dealers/{network["pudong"].pk}/"' in body
    assert f'href="/console/network/?under={network["east"].pk}"' in body
    assert "Canton" not in body and "South" not in body


def test_the_tree_links_regions_to_the_filtered_list_and_dealers_to_their_page(network, sign_in):
    page = sign_in("owner").get("/console/network/")
    [hq] = page.context["tree"]
    assert [node.code for node in hq.tree_children] == ["EAST", "SOUTH"]
    assert (hq.dealer_count, hq.tree_children[0].dealer_count) == (3, 2)
    body = page.content.decode()
    assert f'<a href="/console/network/?under={network["south"].pk}">South</a>' in body
    assert f'<a href="/console/network/dealers/{network["canton"].pk}/">Canton Dealer</a>' in body


def test_the_list_costs_the_same_queries_for_3_and_30_dealers(network, sign_in, tenant_a, in_tenant,
                                                                count_queries):
    owner = sign_in("owner")
    owner.get("/console/network/")  # warm up: session, caches
    with count_queries() as three:
        page = owner.get("/console/network/")
    assert len(page.context["rows"]) == 3
    with in_tenant(tenant_a):
        tier = services.tier_create(actor=None, code="A", name="A", rank=1)
        for number in range(27):
            services.dealer_create(actor=None, parent=network["south"], code=f"GD-{number + 100}",
                                   legal_name=f"Dealer {number}", tier=tier, territories=[network["gd"]])
    with count_queries() as thirty:
        page = owner.get("/console/network/")
    assert len(page.context["rows"]) == 25
    assert page.context["listing"].page.paginator.count == 30
    assert len(thirty.sql) == len(three.sql)
    # the page's own: nodes (tree), tiers (filter), count, one page of dealers, their territories
    assert len([sql for sql in three.sql if "dealers_" in sql]) == 5
    assert len([sql for sql in thirty.sql if "dealers_" in sql]) == 5


# --- one dealer ---------------------------------------------------------------------------------


def test_the_dealer_page_shows_the_record_and_its_parts(network, sign_in, tenant_a, in_tenant):
    agent = network["agent"]
    with in_tenant(tenant_a):
        services.address_add(actor=None, dealer=agent, kind="shipping", recipient="Zhang San", phone="13800000000",
                             territory=network["gd"], line="1 Tianhe Road")
        services.contact_add(actor=None, dealer=agent, name="Li Si", phone="13900000000", is_primary=True)
        licence = services.qualification_type_create(actor=None, code="FOOD", name="Food licence", required=True)
        services.qualification_add(actor=None, dealer=agent, type=licence, number="JY14401060001234",
                                   valid_to=date.today() - timedelta(days=1))
        user_create(actor=None, email="staff@agent.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                    dealer=agent)
    body = sign_in("owner").get(f"/console/network/dealers/{agent.pk}/").content.decode()
    assert "Outside territory" in body and "Li Si" in body and "staff@agent.test" in body
    assert "This dealer cannot order yet." in body and "Food licence" in body
    assert '<span class="badge danger">Expired</span>' in body and "**** 1234" in body
    assert "JY14401060001234" not in body
    assert 'data-open="status-active"' in body and 'data-open="status-terminated"' in body
    assert 'data-open="status-suspended"' not in body  # not from prospect


def test_the_bank_account_is_masked_unless_the_role_may_see_it(network, sign_in):
    url = f"/console/network/dealers/{network['agent'].pk}/"
    assert '<dd id="bank-account">**** 7890</dd>' in sign_in("rm").get(url).content.decode()
    assert '<dd id="bank-account">6222 0212 3456 7890</dd>' in sign_in("finance").get(url).content.decode()


def test_a_dealer_is_created_through_the_page_and_audited(network, sign_in):
    rm = sign_in("rm")
    response = rm.post("/console/network/dealers/new/", {
        "parent": network["agent"].node.pk, "code": "SH-003", "legal_name": "Minhang Dealer Ltd.",
        "territories": [network["sh"].pk], "tax_number": "91310000MA1FL4XX1X",
    })
    created = Dealer.objects.get(code="SH-003")
    assert response.status_code == 302 and response["Location"] == f"/console/network/dealers/{created.pk}/"
    assert created.node.parent_id == network["agent"].node.pk and created.name == "Minhang Dealer Ltd."
    assert [t.code for t in created.territories.all()] == ["310000"]
    entry = AuditEntry.objects.get(action="dealers.dealer.created", target_id=str(created.pk))
    assert (entry.actor_id, entry.after["code"]) == (rm.user.pk, "SH-003")


def test_creating_outside_the_scope_or_with_a_taken_code_is_field_errors(network, sign_in):
    rm = sign_in("rm")
    outside = rm.post("/console/network/dealers/new/", {
        "parent": network["south"].pk, "code": "GD-009", "legal_name": "Elsewhere Ltd."})
    assert outside.status_code == 200 and set(outside.context["form"].errors) == {"parent"}
    taken = rm.post("/console/network/dealers/new/", {
        "parent": network["east"].pk, "code": "SH-001", "legal_name": "Again Ltd.", "tax_number": "123"})
    assert taken.status_code == 200
    assert taken.context["form"].errors == {"code": ["This code is already used."],
                                            "tax_number": ["Use the 18-character unified social credit code "
                                                           "(15-20 letters and digits)."]}
    assert Dealer.objects.count() == 3


def test_a_denied_create_changes_nothing(network, sign_in):
    response = sign_in("warehouse").post("/console/network/dealers/new/", {
        "parent": network["east"].pk, "code": "SH-009", "legal_name": "Nope Ltd."})
    assert response.status_code == 403
    assert Dealer.objects.count() == 3


def test_a_dealer_is_edited_through_the_page_and_audited(network, sign_in, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        gold = services.tier_create(actor=None, code="GOLD", name="Gold", rank=1)
    agent, rm = network["agent"], sign_in("rm")
    response = rm.post(f"/console/network/dealers/{agent.pk}/edit/", {
        "legal_name": agent.legal_name, "name": "SH Agent", "tier": gold.pk, "territories": [network["sh"].pk],
    })
    assert response.status_code == 302
    agent = Dealer.objects.get(pk=agent.pk)
    assert (agent.name, agent.tier_id, agent.node.name) == ("SH Agent", gold.pk, "SH Agent")
    assert agent.bank_account == "6222 0212 3456 7890"  # not on the form for this role: unchanged
    entry = AuditEntry.objects.get(action="dealers.dealer.updated")
    assert (entry.actor_id, entry.before, entry.after) == (
        rm.user.pk, {"name": "Shanghai Agent", "tier": ""}, {"name": "SH Agent", "tier": "Gold"})


def test_the_supplier_is_headquarters_or_a_dealer_and_stays_when_not_changed(network, sign_in, tenant_a, in_tenant):
    pudong, agent, rm = network["pudong"], network["agent"], sign_in("rm")
    with in_tenant(tenant_a):  # the agent above Pudong made a supplier, on a plan with multi-tier distribution
        multi_tier_plan(tenant_a)
        services.supplier_designate(actor=None, dealer=agent)
    url = f"/console/network/dealers/{pudong.pk}/edit/"
    form = rm.get(url).context["form"]
    assert form.initial["supplier"] is None  # headquarters
    assert list(form.fields["supplier"].queryset.values_list("code", flat=True)) == ["SH-001"]
    rm.post(url, {"legal_name": pudong.legal_name, "name": pudong.name, "supplier": agent.node.pk,
                  "territories": [network["pudong_area"].pk]})
    assert Dealer.objects.get(pk=pudong.pk).supplier_id == agent.node.pk
    assert rm.get(url).context["form"].initial["supplier"] == agent.node.pk
    rm.post(url, {"legal_name": pudong.legal_name, "name": pudong.name, "supplier": "",
                  "territories": [network["pudong_area"].pk]})
    assert Dealer.objects.get(pk=pudong.pk).supplier_id == network["hq"].pk
    assert list(AuditEntry.objects.filter(action="dealers.dealer.updated").values_list("after", flat=True)) == [
        {"supplier": "Acme Beverage Group"}, {"supplier": "Shanghai Agent"}]


def test_the_status_changes_through_the_dialog_with_its_reason(network, sign_in):
    rm, agent = sign_in("rm"), network["agent"]
    url = f"/console/network/dealers/{agent.pk}/status/"
    done = rm.post(url, {"to": "active", "reason": "Contract signed"}, follow=True)
    assert done.redirect_chain == [(f"/console/network/dealers/{agent.pk}/", 302)]
    assert "Shanghai Agent is now Active." in done.content.decode()
    assert Dealer.objects.get(pk=agent.pk).status == "active"
    entry = AuditEntry.objects.get(action="dealers.dealer.status_changed")
    assert (entry.actor_id, entry.before, entry.after, entry.reason) == (
        rm.user.pk, {"status": "prospect"}, {"status": "active"}, "Contract signed")
    illegal = rm.post(url, {"to": "prospect"}, follow=True)
    assert "A dealer cannot go from Active to Prospect." in illegal.content.decode()
    assert Dealer.objects.get(pk=agent.pk).status == "active"


def test_a_role_without_the_status_capability_cannot_change_it(network, sign_in):
    rep = sign_in("rep")
    services.dealer_update(actor=None, dealer=network["canton"], sales_rep=rep.user)
    assert rep.post(f"/console/network/dealers/{network['canton'].pk}/status/", {"to": "active"}).status_code == 403
    assert Dealer.objects.get(pk=network["canton"].pk).status == "prospect"
    assert not AuditEntry.objects.filter(action="dealers.dealer.status_changed").exists()


def test_a_node_moves_through_the_page_with_its_subtree(network, sign_in):
    owner, agent, pudong, south = sign_in("owner"), network["agent"], network["pudong"], network["south"]
    response = owner.post(f"/console/network/nodes/{agent.node.pk}/move/", {"new_parent": south.pk})
    assert response.status_code == 302 and response["Location"] == f"/console/network/dealers/{agent.pk}/"
    assert Node.objects.get(pk=pudong.node.pk).path == f"{south.path}.{agent.node.pk}.{pudong.node.pk}"
    entry = AuditEntry.objects.get(action="dealers.node.moved")
    assert entry.actor_id == owner.user.pk
    below_itself = owner.post(f"/console/network/nodes/{south.pk}/move/", {"new_parent": pudong.node.pk})
    assert below_itself.status_code == 200 and "new_parent" in below_itself.context["form"].errors


def test_a_region_is_created_through_the_page(network, sign_in):
    rm = sign_in("rm")
    response = rm.post("/console/network/regions/new/", {"parent": network["east"].pk, "name": "Shanghai",
                                                         "code": "EAST-SH"})
    region = Node.objects.get(code="EAST-SH")
    assert response["Location"] == f"/console/network/?under={region.pk}"
    assert region.path == f"{network['east'].path}.{region.pk}"
    assert AuditEntry.objects.get(action="dealers.node.created", target_id=str(region.pk)).actor_id == rm.user.pk


def test_addresses_and_contacts_are_added_through_the_console(network, sign_in):
    rm, agent = sign_in("rm"), network["agent"]
    flagged = rm.post(f"/console/network/dealers/{agent.pk}/addresses/new/", {
        "kind": "shipping", "recipient": "Zhang San", "phone": "13800000000", "territory": network["gd"].pk,
        "line": "1 Tianhe Road"}, follow=True)
    assert "flagged for review" in flagged.content.decode()
    address = DealerAddress.objects.get(dealer=agent)
    assert (address.outside_territory, address.is_default) == (True, True)
    assert AuditEntry.objects.get(action="dealers.address.added").actor_id == rm.user.pk
    missing = rm.post(f"/console/network/dealers/{agent.pk}/contacts/new/", {"name": ""})
    assert set(missing.context["form"].errors) == {"name"}
    rm.post(f"/console/network/dealers/{agent.pk}/contacts/new/", {"name": "Li Si", "is_primary": "on"})
    assert list(agent.contacts.values_list("name", "is_primary")) == [("Li Si", True)]


def test_a_qualification_is_uploaded_with_its_file(network, sign_in, media_root):
    rm, agent = sign_in("rm"), network["agent"]
    licence = services.qualification_type_create(actor=None, code="FOOD", name="Food licence", required=True)
    url = f"/console/network/dealers/{agent.pk}/qualifications/new/"
    backwards = rm.post(url, {"type": licence.pk, "valid_from": "2030-01-01", "valid_to": "2029-01-01"})
    assert set(backwards.context["form"].errors) == {"valid_to"}
    valid_to = date.today() + timedelta(days=10)
    response = rm.post(url, {
        "type": licence.pk, "number": "JY14401060001234", "valid_to": valid_to.isoformat(),
        "file": SimpleUploadedFile("licence.pdf", b"%PDF-1.4 scan", content_type="application/pdf"),
    })
    assert response.status_code == 302
    qualification = Qualification.objects.get(dealer=agent)
    assert re.fullmatch(r"qualifications/[0-9a-f]{32}\.pdf", qualification.file.name)  # our name, not the client's
    assert qualification.file.read() == b"%PDF-1.4 scan"
    assert (qualification.number, qualification.valid_to) == ("JY14401060001234", valid_to)
    assert AuditEntry.objects.get(action="dealers.qualification.added").actor_id == rm.user.pk
    body = rm.get(f"/console/network/dealers/{agent.pk}/").content.decode()
    assert '<span class="badge warn">Expires soon</span>' in body and "cannot order" not in body
    download = f"/account/files/qualifications/{qualification.pk}/"
    assert f'href="{download}"' in body
    downloaded = rm.get(download)
    assert b"".join(downloaded.streaming_content) == b"%PDF-1.4 scan"
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    # never as plain media, and never to someone who cannot see the dealer
    assert rm.get(qualification.file.url).status_code == 404
    assert sign_in("buyer").get(download).status_code == 404  # a buyer of another dealer


# --- import and export --------------------------------------------------------------------------


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("dealers.csv", text.encode("utf-8"), content_type="text/csv")


def test_the_import_page_shows_every_row_error_and_imports_nothing(network, sign_in):
    owner = sign_in("owner")
    response = owner.post("/console/network/import/", {"file": _csv(
        "code,legal_name,parent_code\nNEW-1,New One Ltd.,EAST\nNEW-2,,EAST\nSH-001,Again Ltd.,NOWHERE\n")})
    assert response.status_code == 200
    errors = [(e.row, e.field) for e in response.context["result"].errors]
    assert errors == [(3, "legal_name"), (3, "name"), (4, "code"), (4, "parent_code")]
    body = response.content.decode()
    assert "Nothing was imported" in body and '<td class="num">4</td><td><code>parent_code</code></td>' in body
    assert Dealer.objects.count() == 3


def test_the_import_page_applies_a_good_file_and_says_how_many(network, sign_in):
    owner = sign_in("owner")
    response = owner.post("/console/network/import/", {"file": _csv(
        "code,legal_name,parent_code\nNEW-1,New One Ltd.,EAST\nNEW-2,New Two Ltd.,NEW-1\n")}, follow=True)
    assert response.redirect_chain == [("/console/network/", 302)]
    assert "2 dealers imported." in response.content.decode()
    assert Dealer.objects.get(code="NEW-2").node.parent.code == "NEW-1"


def test_the_import_refuses_other_files_as_a_field_error(network, sign_in):
    response = sign_in("owner").post("/console/network/import/", {
        "file": SimpleUploadedFile("dealers.txt", b"code\n", content_type="text/plain")})
    assert set(response.context["form"].errors) == {"file"}


def test_export_downloads_the_dealers_the_role_may_see(network, sign_in):
    response = sign_in("rm").get("/console/network/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="dealers-')
    content = response.content.decode("utf-8-sig")
    assert "SH-001" in content and "SH-002" in content and "GD-001" not in content
    assert sign_in("owner").get("/console/network/export/?format=pdf").status_code == 400
    assert sign_in("warehouse").get("/console/network/export/?format=csv").status_code == 403


# --- settings -----------------------------------------------------------------------------------


def test_settings_add_tiers_territories_and_qualification_types_and_set_the_policy(network, sign_in):
    owner = sign_in("owner")
    url = "/console/network/settings/"
    assert owner.post(url, {"action": "tier", "tier-code": "GOLD", "tier-name": "Gold",
                            "tier-rank": "1"})["Location"] == f"{url}#tier"
    assert owner.post(url, {"action": "territory", "territory-code": "SH_WEST", "territory-name": "West Shanghai",
                            "territory-parent": network["sh"].pk}).status_code == 302
    assert owner.post(url, {"action": "qualification_type", "qt-code": "FOOD", "qt-name": "Food licence",
                            "qt-required": "on", "qt-reminder_days": "30"}).status_code == 302
    assert owner.post(url, {"action": "policy", "policy-channel_conflict_policy": "refuse"}).status_code == 302
    assert list(Tier.objects.values_list("code", "rank")) == [("GOLD", 1)]
    assert Territory.objects.get(code="SH_WEST").path == f"{network['sh'].path}.SH_WEST"
    assert QualificationType.objects.get(code="FOOD").required is True
    entry = AuditEntry.objects.get(action="dealers.settings.updated")
    assert (entry.actor_id, entry.after) == (owner.user.pk, {"channel_conflict_policy": "refuse"})
    taken = owner.post(url, {"action": "qualification_type", "qt-code": "FOOD", "qt-name": "Again",
                             "qt-reminder_days": "30"})
    assert taken.status_code == 200
    assert taken.context["forms"]["qualification_type"].errors == {"code": ["This code is already used."]}
    page = owner.get(url)
    assert "West Shanghai" in page.content.decode() and "Gold" in page.content.decode()
    assert page.context["forms"]["policy"].initial == {"channel_conflict_policy": "refuse"}


# --- console navigation -------------------------------------------------------------------------


def test_the_console_navigation_shows_the_network_pages_the_role_may_use(network, sign_in):
    nav = sign_in("owner").get("/console/network/settings/").context["console_nav"]
    assert [(item["label"], item["active"]) for item in nav if item["url"].startswith("/console/network/")] == [
        ("Dealer network", False), ("Network settings", True)]
    labels = [str(item["label"]) for item in sign_in("rm").get("/console/network/").context["console_nav"]]
    assert "Dealer network" in labels and "Network settings" not in labels


# --- the dealer's own pages ---------------------------------------------------------------------


def test_a_dealer_buyer_sees_only_their_own_company(network, sign_in, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        licence = services.qualification_type_create(actor=None, code="FOOD", name="Food licence", required=True)
        services.contact_add(actor=None, dealer=network["pudong"], name="Wang Wu", is_primary=True)
        services.contact_add(actor=None, dealer=network["agent"], name="Li Si")
    buyer = sign_in("buyer")
    page = buyer.get("/account/company/")
    assert page.context["dealer"].pk == network["pudong"].pk
    body = page.content.decode()
    assert "Pudong Dealer Ltd." in body and "Wang Wu" in body and "浦东新区" in body  # the division's own name
    assert "Shanghai Agent Co" not in body and "Li Si" not in body
    assert "You cannot order yet." in body and licence.name in body
    assert "/console/" not in body  # no console links on the storefront


def test_a_dealer_role_without_a_dealer_gets_404_for_the_company_pages(network, sign_in):
    lost = sign_in("lost_buyer")
    assert lost.get("/account/company/").status_code == 404
    assert lost.get("/account/addresses/").status_code == 404
    assert lost.get("/account/").status_code == 200


def test_a_dealer_buyer_adds_shipping_addresses_flagged_or_refused_by_policy(network, sign_in):
    buyer, pudong = sign_in("buyer"), network["pudong"]
    inside = buyer.post("/account/addresses/", {"recipient": "Zhang San", "phone": "13800000000",
                                                "territory": network["pudong_area"].pk, "line": "1 Century Avenue",
                                                "kind": "billing"})
    assert inside.status_code == 302 and inside["Location"] == "/account/addresses/"
    flagged = buyer.post("/account/addresses/", {"recipient": "Zhang San", "phone": "13800000000",
                                                 "territory": network["gd"].pk, "line": "1 Tianhe Road"}, follow=True)
    body = flagged.content.decode()
    assert "Outside territory" in body and "1 Century Avenue" in body
    assert list(pudong.addresses.values_list("kind", "outside_territory")) == [
        ("shipping", False), ("shipping", True)]
    assert AuditEntry.objects.filter(action="dealers.address.added", actor_id=buyer.user.pk).count() == 2
    services.network_settings_update(actor=None, channel_conflict_policy="refuse")
    refused = buyer.post("/account/addresses/", {"recipient": "Zhang San", "phone": "13800000000",
                                                 "territory": network["gd"].pk, "line": "2 Tianhe Road"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"territory": ["Outside the dealer's sales territories."]}
    assert pudong.addresses.count() == 2
    services.address_add(actor=None, dealer=network["agent"], kind="shipping", recipient="Other", phone="1",
                         territory=network["sh"], line="Agent's own road")
    assert "Agent&#x27;s own road" not in buyer.get("/account/addresses/").content.decode()


def test_my_account_saves_name_and_language_and_changes_the_password_in_session(network, sign_in):
    buyer = sign_in("buyer")
    saved = buyer.post("/account/", {"action": "profile", "profile-full_name": "Zhao Liu",
                                     "profile-preferred_language": "en"})
    assert saved.status_code == 302
    user = User.objects.get(pk=buyer.user.pk)
    assert (user.full_name, user.preferred_language) == ("Zhao Liu", "en")
    entry = AuditEntry.objects.get(action="accounts.user.profile_updated")
    assert (entry.actor_id, entry.after) == (user.pk, {"full_name": "Zhao Liu", "preferred_language": "en"})
    wrong = buyer.post("/account/", {"action": "password", "password-old_password": "nope",
                                     "password-new_password1": "another-horse-77", "password-new_password2": "x"})
    assert set(wrong.context["password_form"].errors) == {"old_password", "new_password2"}
    changed = buyer.post("/account/", {"action": "password", "password-old_password": DEFAULT_PASSWORD,
                                       "password-new_password1": "another-horse-battery-77",
                                       "password-new_password2": "another-horse-battery-77"})
    assert changed.status_code == 302
    assert buyer.get("/account/").status_code == 200  # still signed in
    fresh = Browser()
    assert fresh.post("/accounts/login/", {"username": user.email,
                                           "password": "another-horse-battery-77"}).status_code == 302
