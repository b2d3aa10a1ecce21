"""Every CSV/XLSX entry point, page and API, refuses a hostile spreadsheet with a 413 whose error on the file
field names the limit, writes nothing, and keeps its error answer small for a file full of bad rows. (The
reader's own limits: test_spreadsheet_limits.py.)"""

from __future__ import annotations

import functools
import html

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.catalog.models import Sku
from tenant_apps.dealers.models import Dealer
from tenant_apps.ordering.models import CartLine
from tenant_apps.pricing.models import PriceEntry
from tests import hostile_sheets as hostile
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.ordering.conftest import make_store

# entry point: (who, path, API or page, rows it takes, the columns of its header)
CART = ("sku", "quantity")
CATALOG = ("product_code", "sku_code")
DEALERS = ("code", "legal_name", "parent_code")
PRICES = ("list_code", "sku_code", "unit_code", "price")
ENTRY_POINTS = {
    "cart upload API": ("buyer", "/api/v1/cart/upload/", "api", "2,000", CART),
    "cart upload page": ("buyer", "/cart/upload/", "page", "2,000", CART),
    "catalog import API": ("owner", "/api/v1/catalog/import/", "api", "50,000", CATALOG),
    "catalog import page": ("owner", "/console/catalog/import/", "page", "50,000", CATALOG),
    "dealer import API": ("owner", "/api/v1/dealers/import/", "api", "50,000", DEALERS),
    "dealer import page": ("owner", "/console/network/import/", "page", "50,000", DEALERS),
    "price import page": ("owner", "/console/pricing/import/", "page", "200,000", PRICES),
}
BOMB = ("The part “xl/worksheets/sheet1.xml” of the workbook is compressed more than 100 times; the limit is 100 "
        "(a file packed that tightly is refused).")


@functools.cache
def bomb(columns) -> bytes:
    return hostile.cells_bomb(columns)


@pytest.fixture
def people(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        store = make_store()
        yield {"buyer": store.buyer, "owner": User.objects.get(email="owner@acme.test")}


def client_for(people, who: str, kind: str, language: str = "en"):
    if kind == "api":
        token, _created = Token.objects.get_or_create(user=people[who])
        return host_client("acme.localhost", language, HTTP_AUTHORIZATION=f"Token {token.key}")
    client = host_client("acme.localhost", language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # else the page speaks the workspace's language
    assert client.post("/accounts/login/", {"username": people[who].email, "password": DEFAULT_PASSWORD}
                       ).status_code == 302
    return client


def written(tenant_a, in_tenant) -> tuple[int, ...]:
    with in_tenant(tenant_a):
        return (CartLine.objects.count(), Sku.objects.count(), Dealer.objects.count(), PriceEntry.objects.count())


def post(client, path: str, name: str, content: bytes):
    return client.post(path, {"file": SimpleUploadedFile(name, content)})


def field_error(response, kind: str) -> str:
    """The one error on the file field: from the API's error shape, or found on the page."""
    if kind == "api":
        body = response.json()
        assert body["code"] == "file_too_large" and list(body["fields"]) == ["file"]
        assert body["detail"] == body["fields"]["file"][0]
        return body["fields"]["file"][0]
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_zip_bomb_is_refused_with_a_413_naming_the_limit_and_nothing_written(people, tenant_a, in_tenant, entry):
    who, path, kind, _rows, columns = ENTRY_POINTS[entry]
    before = written(tenant_a, in_tenant)
    response = post(client_for(people, who, kind), path, "bomb.xlsx", bomb(columns))
    assert response.status_code == 413
    assert BOMB in field_error(response, kind)
    assert len(response.content) < 50_000
    assert written(tenant_a, in_tenant) == before


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_million_rows_are_refused_with_the_entry_points_row_limit(people, tenant_a, in_tenant, entry):
    who, path, kind, rows, columns = ENTRY_POINTS[entry]
    before = written(tenant_a, in_tenant)
    response = post(client_for(people, who, kind), path, "rows.csv", hostile.million_rows_csv(columns))
    assert response.status_code == 413
    assert f"The file has more than {rows} rows; the limit is {rows}." in field_error(response, kind)
    assert written(tenant_a, in_tenant) == before


@pytest.mark.parametrize("entry", ["cart upload API", "dealer import page"])
def test_the_refusal_is_in_the_users_language(people, entry):
    who, path, kind, _rows, columns = ENTRY_POINTS[entry]
    response = post(client_for(people, who, kind, "zh-hans"), path, "wide.csv", hostile.wide_csv(columns))
    assert response.status_code == 413
    with translation.override("zh-hans"):
        assert "文件第 2 行超过 100300 个字符，上限为 100300 个字符。" in field_error(response, kind)


def test_50000_bad_rows_get_a_small_answer_from_the_dealer_import_api(people, tenant_a, in_tenant):
    content = ("code,legal_name,parent_code\n" + "".join(f"D-{n},Dealer {n},NOWHERE\n" for n in range(50_000))).encode()
    before = written(tenant_a, in_tenant)
    response = post(client_for(people, "owner", "api"), "/api/v1/dealers/import/", "dealers.csv", content)
    assert response.status_code == 400
    body = response.json()
    assert len(response.content) < 30_000
    assert (body["code"], body["rows"], len(body["errors"])) == ("import_invalid", 50_000, 101)
    assert [(e["row"], e["field"]) for e in body["errors"][:2]] == [(0, "plan"), (2, "parent_code")]
    assert body["errors"][-1] == {"row": 0, "field": "", "count": 49_901,  # 50,000 rows and the plan's limit
                                  "message": "… and 49,901 more problems, not listed here."}
    assert written(tenant_a, in_tenant) == before


def test_2000_bad_rows_get_a_small_answer_from_the_cart_upload(people, tenant_a, in_tenant):
    content = ("sku,quantity\n" + "NOPE,1\n" * 2_000).encode()
    before = written(tenant_a, in_tenant)
    api = post(client_for(people, "buyer", "api"), "/api/v1/cart/upload/", "order.csv", content)
    assert api.status_code == 400 and len(api.content) < 30_000
    fields = api.json()["fields"]
    assert len(fields) == 101 and fields["rows"] == ["… and 1,900 more problems, not listed here."]
    page = post(client_for(people, "buyer", "page"), "/cart/upload/", "order.csv", content)
    assert page.status_code == 400 and page.content.decode().count("data-row=") == 101
    assert "… and 1,900 more problems, not listed here." in page.content.decode()
    assert written(tenant_a, in_tenant) == before


def test_the_import_page_counts_every_problem_and_lists_100(people, tenant_a, in_tenant):
    content = ("list_code,sku_code,unit_code,price\n" + "NOPE,NOPE,NOPE,1\n" * 1_000).encode()
    page = post(client_for(people, "owner", "page"), "/console/pricing/import/", "prices.csv", content)
    body = page.content.decode()
    assert "There are 3000 problems in the file." in body
    assert body.count("<tr><td class=\"num\">") == 101 and "… and 2,900 more problems, not listed here." in body
    assert len(page.content) < 100_000


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_an_upload_past_the_size_limit_is_refused_the_same_way_everywhere(people, settings, entry):
    """One size limit (the reader's), not 10 MB in one place and 20 MB in another."""
    settings.SPREADSHEET_LIMITS = {"max_bytes": 1_000}
    who, path, kind, _rows, columns = ENTRY_POINTS[entry]
    content = (",".join(columns) + "\n" + "a,1\n" * 500).encode()
    response = post(client_for(people, who, kind), path, "big.csv", content)
    assert response.status_code == 413
    assert "The file is larger than 1000 bytes; the limit is 1000 bytes." in field_error(response, kind).replace(
        "\xa0", " ")
