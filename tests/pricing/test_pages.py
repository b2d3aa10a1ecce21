"""Console pages of pricing: lists with the precedence explained, a list's entries with inline edit,
import/export, protection with compensation owed, minimum resale prices; who may see and change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tenant_apps.accounts.services import user_create
from tenant_apps.pricing import services
from tenant_apps.pricing.models import PriceEntry, PriceList, ProtectionWindow, ResalePrice
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def console(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        for role in ("analyst", "finance"):
            user_create(actor=None, email=f"{role}@acme.test", password=DEFAULT_PASSWORD, role=role)
        base = services.price_list_create(actor=None, code="BASE", name="基础价", kind="base",
                                          valid_from=date(2026, 1, 1), status="active")
        services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="6.00")
        window = services.protection_window_create(actor=None, name="双十一保价",
                                                   starts_on=timezone.localdate() - timedelta(days=3),
                                                   ends_on=timezone.localdate() + timedelta(days=3))
        services.purchase_record(dealer=world.dealer, sku_id=world.rb.pk, unit_id=world.piece.pk, quantity=10,
                                 unit_price="6.00", bought_at=timezone.now() - timedelta(days=1), reference="SO-9")
    return {"base": base, "window": window}


def _as(role):
    client = host_client("acme.localhost")
    email = "owner@acme.test" if role == "owner" else f"{role}@acme.test"
    client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD})
    client.cookies["django_language"] = "en"
    return client


PAGES = ["/console/pricing/", "/console/pricing/protection/", "/console/pricing/resale/"]


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("analyst", 200), ("finance", 200)])
def test_pages_by_role(console, world, role, status):
    client = _as(role)
    for page in [*PAGES, f"/console/pricing/lists/{console['base'].pk}/"]:
        assert client.get(page).status_code == status
    assert host_client("acme.localhost").get("/console/pricing/").status_code == 302  # anonymous


def test_dealer_staff_are_refused(console, world):
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": "buyer@pd.test", "password": DEFAULT_PASSWORD})
    assert client.get("/console/pricing/").status_code == 403


def test_the_index_explains_precedence_and_creates_a_list(console, world, tenant_a, in_tenant):
    client = _as("owner")
    page = client.get("/console/pricing/").content.decode()
    assert "How a dealer's price is chosen" in page
    assert "Price protection &gt; Contract &gt; Dealer &gt; Region &gt; Tier &gt; Base" in page
    response = client.post("/console/pricing/", {"code": "CT-1", "name": "合同", "kind": "contract",
                                                  "dealer_code": world.dealer.code, "contract_number": "HT-9",
                                                  "currency": "CNY", "valid_from": "2026-01-01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_tenant(tenant_a):
        created = PriceList.objects.get(code="CT-1")
    assert (created.kind, created.dealer_id, created.status) == ("contract", world.dealer.pk, "inactive")
    bad = client.post("/console/pricing/", {"code": "T-1", "name": "x", "kind": "tier", "currency": "CNY",
                                            "valid_from": "2026-01-01"})
    assert bad.status_code == 200 and "Required for this kind of list." in bad.content.decode()


def test_read_only_staff_cannot_change_anything(console, world, tenant_a, in_tenant):
    client = _as("analyst")
    base = console["base"]
    assert client.post("/console/pricing/", {"code": "X", "name": "x", "kind": "base"}).status_code == 403
    with in_tenant(tenant_a):
        entry_id = PriceEntry.objects.get(price_list=base).pk
    assert client.post(f"/console/pricing/lists/{base.pk}/", {"action": "price", "entry": entry_id,
                                                              "price": "1"}).status_code == 403
    assert client.get("/console/pricing/import/").status_code == 403
    with in_tenant(tenant_a):
        assert PriceEntry.objects.get(pk=entry_id).price == Decimal("6.00")
        assert not PriceList.objects.filter(code="X").exists()


def test_inline_edit_lowers_a_price_and_compensation_shows(console, world, tenant_a, in_tenant):
    client = _as("finance")
    base = console["base"]
    with in_tenant(tenant_a):
        entry_id = PriceEntry.objects.get(price_list=base).pk
    response = client.post(f"/console/pricing/lists/{base.pk}/", {"action": "price", "entry": entry_id,
                                                                  "price": "5.40"})
    assert response.status_code == 302
    page = client.get("/console/pricing/protection/").content.decode()
    assert "SO-9" in page and "CN¥6.00" in page and "CN¥5.40" in page  # (6.00 - 5.40) x 10 = 6.00 owed
    with in_tenant(tenant_a):
        assert ProtectionWindow.objects.get().compensations.get().amount == Decimal("6.00")


def test_entries_page_runs_constant_queries(console, world, tenant_a, in_tenant, count_queries):
    from tenant_apps.catalog import services as catalog

    client = _as("owner")
    url = f"/console/pricing/lists/{console['base'].pk}/"
    client.get(url)
    with count_queries() as few:
        client.get(url)
        client.get("/console/pricing/")
    with in_tenant(tenant_a):
        for number in range(20):
            sku = catalog.sku_create(actor=None, product=world.rb.product, code=f"RB-{number}", name="x",
                                     base_unit=world.piece)
            services.price_entry_set(actor=None, price_list=console["base"], sku=sku, unit=world.piece, price="1")
            services.price_list_create(actor=None, code=f"L{number}", name="x", kind="base")
    with count_queries() as many:
        assert "RB-19" in client.get(url).content.decode()
        client.get("/console/pricing/")
    assert len(many.sql) == len(few.sql)


def test_import_page_and_export(console, world, tenant_a, in_tenant):
    client = _as("owner")
    upload = SimpleUploadedFile("p.csv", b"list_code,sku_code,unit_code,min_quantity,price\nBASE,RB-250,pc,1,6.00\n"
                                         b"BASE,DP-250,pc,1,4.20\nBASE,NOPE,pc,1,1\n")
    bad = client.post("/console/pricing/import/", {"file": upload})
    assert bad.status_code == 200 and "Nothing was imported" in bad.content.decode()
    good = SimpleUploadedFile("p.csv", b"list_code,sku_code,unit_code,min_quantity,price\nBASE,DP-250,pc,1,4.20\n")
    assert client.post("/console/pricing/import/", {"file": good}).status_code == 302
    export = client.get("/console/pricing/export/", {"format": "csv", "list": console["base"].pk})
    assert export.status_code == 200
    assert export.content.decode("utf-8-sig").splitlines()[1:] == ["BASE,DP-250,pc,1,4.20,CNY",
                                                                  "BASE,RB-250,pc,1,6.00,CNY"]


def test_resale_price_form(console, world, tenant_a, in_tenant):
    client = _as("owner")
    response = client.post("/console/pricing/resale/", {"sku_code": "RB-250", "price": "6.50",
                                                        "valid_from": "2026-03-01"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert ResalePrice.objects.get().price == Decimal("6.5")
    assert "RB-250" in client.get("/console/pricing/resale/").content.decode()


def test_a_regional_manager_does_not_see_price_lists_of_dealers_outside_the_region(world, tenant_a, in_tenant):
    """A contract is between the brand and one dealer: outside the manager's part of the network it does not
    exist (404), and it is not listed; brand-wide lists stay visible."""
    from tenant_apps.dealers.services import region_create
    from tenant_apps.pricing import services as pricing

    with in_tenant(tenant_a):
        south = region_create(actor=None, parent=world.hq, name="华南", code="SOUTH")
        user_create(actor=None, email="rm.south@acme.test", password=DEFAULT_PASSWORD, role="regional_manager",
                    scope_node=south)
        contract = pricing.price_list_create(actor=None, code="CT-PD", name="浦东合同价", kind="contract",
                                             dealer=world.dealer, contract_number="HT-9", status="active")
        pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base", status="active")
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": "rm.south@acme.test", "password": DEFAULT_PASSWORD})
    listing = client.get("/console/pricing/").content.decode()
    assert "BASE" in listing and "CT-PD" not in listing
    assert client.get(f"/console/pricing/lists/{contract.pk}/").status_code == 404


def test_the_export_of_every_list_holds_only_the_lists_in_the_users_scope(world, tenant_a, in_tenant):
    """Without `list`, the export is of every list the user may see: a dealer's contract outside a regional
    manager's part of the network is left out, as on the pages."""
    from tenant_apps.dealers.services import region_create

    with in_tenant(tenant_a):
        south = region_create(actor=None, parent=world.hq, name="华南", code="SOUTH")
        user_create(actor=None, email="rm.south@acme.test", password=DEFAULT_PASSWORD, role="regional_manager",
                    scope_node=south)
        base = services.price_list_create(actor=None, code="BASE", name="基础价", kind="base", status="active")
        contract = services.price_list_create(actor=None, code="CT-PD", name="浦东合同价", kind="contract",
                                              dealer=world.dealer, contract_number="HT-9", status="active")
        services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="6.00")
        services.price_entry_set(actor=None, price_list=contract, sku=world.rb, unit=world.piece, price="5.00")
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": "rm.south@acme.test", "password": DEFAULT_PASSWORD})
    export = client.get("/console/pricing/export/", {"format": "csv"})
    assert export.status_code == 200
    assert export.content.decode("utf-8-sig").splitlines()[1:] == ["BASE,RB-250,pc,1,6.00,CNY"]
    assert _as("owner").get("/console/pricing/export/", {"format": "csv"}).content.decode(
        "utf-8-sig").splitlines()[1:] == ["BASE,RB-250,pc,1,6.00,CNY", "CT-PD,RB-250,pc,1,5.00,CNY"]
