"""Who may open and change the catalog console's pages: anonymous users go to sign-in, dealer staff get
403, read-only brand staff see every page but a POST is a 403 that changes nothing, editors change."""

import pytest

from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog.models import Category, Product, ProductImage, Series, Sku, SkuUnit, Unit
from tests.catalog import test_console_helpers
from tests.catalog.test_console_helpers import png, sign_in
from tests.conftest import host_client

console = test_console_helpers.console  # the fixture


def _pages(c):
    rb, sku = c["rb"], c["rb_sku"]
    return [
        "/console/catalog/",
        "/console/catalog/?q=red&sort=-skus",
        f"/console/catalog/products/{rb.pk}/",
        f"/console/catalog/products/{rb.pk}/skus/{sku.pk}/",
        "/console/catalog/categories/",
        "/console/catalog/series/",
        "/console/catalog/images/",
    ]


def _edits(c):
    """(url, data) of one change per editing endpoint; each would change something for an editor."""
    rb, sku, energy = c["rb"], c["rb_sku"], c["energy"]
    return [
        ("/console/catalog/products/new/", {"code": "NEW", "name": "新品", "category": energy.pk}),
        (f"/console/catalog/products/{rb.pk}/", {"name": "改名", "category": energy.pk}),
        (f"/console/catalog/products/{rb.pk}/status/", {"to": "discontinued", "reason": "x"}),
        (f"/console/catalog/products/{rb.pk}/visibility/", {}),
        (f"/console/catalog/products/{rb.pk}/images/", {"images": [png("a.png")]}),
        (f"/console/catalog/products/{rb.pk}/skus/new/", {"code": "RB-330", "name": "x", "base_unit": c["piece"].pk,
                                                          "min_order_qty": 1, "order_step": 1}),
        (f"/console/catalog/products/{rb.pk}/skus/{sku.pk}/", {"name": "改名", "min_order_qty": 1, "order_step": 1,
                                                               "status": "on_sale"}),
        (f"/console/catalog/products/{rb.pk}/skus/{sku.pk}/units/", {"unit": c["box"].pk, "factor": 24}),
        ("/console/catalog/categories/", {"code": "TEA", "name": "茶", "sort_order": 0}),
        (f"/console/catalog/categories/{energy.pk}/", {"name": "改名", "sort_order": 3, "parent": c["root"].pk}),
        ("/console/catalog/series/", {"series_add": "1", "code": "BLUE", "name": "蓝"}),
        ("/console/catalog/series/", {"unit_add": "1", "code": "case", "name": "件"}),
        (f"/console/catalog/series/{c['series'].pk}/", {"name": "改名"}),
        ("/console/catalog/images/", {"files": [png("RB.png")]}),
    ]


def _snapshot(tenant, in_tenant):
    with in_tenant(tenant):
        return {
            "audit": AuditEntry.objects.count(),
            "rows": [m.objects.count() for m in (Category, Product, ProductImage, Series, Sku, SkuUnit, Unit)],
            "names": sorted(Product.objects.values_list("name", "status")) + sorted(Sku.objects.values_list("name"))
            + sorted(Category.objects.values_list("name", "sort_order")) + sorted(Series.objects.values_list("name")),
        }


def test_anonymous_users_are_sent_to_sign_in(console):
    anonymous = host_client("acme.localhost")
    for url in _pages(console):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("role", ["dealer_buyer"])
def test_dealer_staff_get_403_everywhere(console, role, in_tenant, media_root):
    client = sign_in(role)
    before = _snapshot(console["tenant"], in_tenant)
    for url in _pages(console):
        assert client.get(url).status_code == 403, url
    for url, data in _edits(console):
        assert client.post(url, data).status_code == 403, url
    assert _snapshot(console["tenant"], in_tenant) == before


@pytest.mark.parametrize("role", ["analyst", "sales_rep"])
def test_read_only_staff_see_every_page_and_change_nothing(console, role, in_tenant, media_root):
    client = sign_in(role)
    before = _snapshot(console["tenant"], in_tenant)
    for url in _pages(console):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"csrfmiddlewaretoken" not in response.content.split(b"<main>")[1], url  # no forms to change
    assert client.get("/console/catalog/products/new/").status_code == 403
    for url, data in _edits(console):
        assert client.post(url, data).status_code == 403, url
    assert _snapshot(console["tenant"], in_tenant) == before
    listing = client.get("/console/catalog/").content.decode()
    assert "New product" not in listing and "红牛维生素功能饮料" in listing


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_editors_can_change_through_every_endpoint(console, role, in_tenant, media_root):
    client = sign_in(role)
    before = _snapshot(console["tenant"], in_tenant)
    for url, data in _edits(console):
        response = client.post(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code == 200:  # the bulk upload shows its summary
            assert "1 image added to 1 products." in response.content.decode()
    after = _snapshot(console["tenant"], in_tenant)
    assert after["audit"] - before["audit"] == 13  # 14 edits, one audit entry each; units are not audited
    listing = client.get("/console/catalog/").content.decode()
    assert "New product" in listing and 'href="/console/catalog/import/"' in listing


def test_objects_of_another_product_are_404(console, in_tenant):
    client = sign_in("owner")
    nf, sku = console["nf"], console["rb_sku"]
    assert client.get(f"/console/catalog/products/{nf.pk}/skus/{sku.pk}/").status_code == 404
    assert client.get("/console/catalog/products/999999/").status_code == 404
    assert client.post(f"/console/catalog/products/{nf.pk}/skus/{sku.pk}/units/",
                       {"unit": console["box"].pk, "factor": 6}).status_code == 404
    with in_tenant(console["tenant"]):
        assert SkuUnit.objects.count() == 0


def test_another_brands_catalog_is_not_found(console, tenant_b):
    """Tenant B's owner on tenant B's host does not see tenant A's product ids."""
    from tests.factories import DEFAULT_PASSWORD

    client = host_client("globex.localhost")
    client.post("/accounts/login/", {"username": "owner@globex.test", "password": DEFAULT_PASSWORD})
    assert client.get(f"/console/catalog/products/{console['rb'].pk}/").status_code == 404
    assert "红牛" not in client.get("/console/catalog/").content.decode()
