"""Catalog import and export through the API and the console: who may, the 400 shape with every row
error, uploads that apply, downloads."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import CATALOG_EDIT, MATRIX, Role
from tenant_apps.accounts.services import user_create
from tenant_apps.catalog import services
from tenant_apps.catalog.models import Product, Sku
from tenant_apps.catalog.transfer import COLUMNS
from tenant_apps.dealers import services as dealers
from tests.factories import DEFAULT_PASSWORD

HOST = "acme.localhost"
GOOD = ("product_code,product_name,category_code,sku_code,sku_name,base_unit,min_order_qty\n"
        "P-RB,红牛,DRINK,RB-250,红牛 250ml,can,24\n"
        "P-RB,红牛,DRINK,RB-355,红牛 355ml,can,24\n")
BAD = ("product_code,product_name,category_code,sku_code,sku_name,base_unit,min_order_qty\n"
       "P-RB,红牛,DRINK,RB-250,红牛 250ml,can,24\n"
       "P-RB,红牛,NOPE,RB-355,红牛 355ml,can,24\n"
       "P-X,X,DRINK,RB-250,again,kg,0\n")


class Browser(Client):
    """A browser on acme's host in English; puts the test's connection back on the schema it was on."""

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
def people(tenant_a, in_tenant):
    """A catalog to import into (category DRINK, unit can) and a user of every role, by role value."""
    with in_tenant(tenant_a):
        services.category_create(actor=None, parent=None, code="DRINK", name="饮料")
        services.unit_ensure(code="can", name="罐")
        hq = dealers.headquarters_ensure(name="HQ")
        dealer = dealers.dealer_create(actor=None, parent=hq, code="SH-1", legal_name="上海经销商")
        users = {}
        for role in Role:
            if role == Role.OWNER:
                users[role.value] = User.objects.get(email="owner@acme.test")
                continue
            users[role.value] = user_create(actor=None, email=f"{role.value}@acme.test", password=DEFAULT_PASSWORD,
                                            role=role, dealer=dealer if role.value.startswith("dealer") else None)
        yield users


def api(people, role: str | None) -> Browser:
    if role is None:
        return Browser()
    token, _created = Token.objects.get_or_create(user=people[role])
    return Browser(HTTP_AUTHORIZATION=f"Token {token.key}")


def upload(text: str, name: str = "catalog.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def sign_in(people, role: str) -> Browser:
    browser = Browser()
    assert browser.post("/accounts/login/", {"username": people[role].email, "password": DEFAULT_PASSWORD}
                        ).status_code == 302
    return browser


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, *[r.value for r in Role]])
def test_every_role_against_the_import_api(people, role):
    response = api(people, role).post("/api/v1/catalog/import/", {"file": upload(GOOD)})
    expected = 401 if role is None else (200 if CATALOG_EDIT in MATRIX[role] else 403)
    assert response.status_code == expected, response.content
    assert Sku.objects.count() == (2 if expected == 200 else 0)


@pytest.mark.parametrize("role", [None, *[r.value for r in Role]])
def test_every_role_against_the_export_api(people, role):
    response = api(people, role).get("/api/v1/catalog/export/", {"format": "csv"})
    expected = 401 if role is None else (200 if CATALOG_EDIT in MATRIX[role] else 403)
    assert response.status_code == expected


def test_the_import_api_answers_counts_then_unchanged(people):
    client = api(people, "admin")
    first = client.post("/api/v1/catalog/import/", {"file": upload(GOOD)})
    assert first.status_code == 200
    assert first.json() == {"applied": True, "rows": 2, "created": 2, "updated": 0, "unchanged": 0,
                            "products_created": 1, "products_updated": 0, "series_created": 0}
    again = client.post("/api/v1/catalog/import/", {"file": upload(GOOD)}).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_the_import_api_refuses_a_bad_file_with_every_row_error(people):
    response = api(people, "owner").post("/api/v1/catalog/import/", {"file": upload(BAD)})
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"], body["rows"]) == (
        "import_invalid", "The file has errors; nothing was imported.", 3)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (3, "category_code"), (4, "sku_code")]
    assert set(body["errors"][0]) == {"row", "field", "message"}
    assert not Product.objects.exists()


def test_the_import_api_refuses_a_missing_file_and_the_export_a_bad_format(people):
    client = api(people, "owner")
    missing = client.post("/api/v1/catalog/import/", {})
    assert missing.status_code == 400 and missing.json()["code"] == "invalid" and "file" in missing.json()["fields"]
    bad_format = client.get("/api/v1/catalog/export/", {"format": "pdf"})
    assert bad_format.status_code == 400 and "format" in bad_format.json()["fields"]
    assert client.get("/api/v1/catalog/import/").status_code == 405


def test_the_export_api_sends_xlsx_in_the_import_columns(people):
    api(people, "owner").post("/api/v1/catalog/import/", {"file": upload(GOOD)})
    response = api(people, "owner").get("/api/v1/catalog/export/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="catalog-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS and [row[8] for row in rows[1:]] == ["RB-250", "RB-355"]


# --- console --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    ("owner", 200), ("admin", 200), ("analyst", 403), ("sales_rep", 403), ("warehouse", 403), ("dealer_buyer", 403),
])
def test_the_import_page_is_for_catalog_editors(people, role, status):
    browser = sign_in(people, role)
    response = browser.get("/console/catalog/import/")
    assert response.status_code == status
    if status == 200:
        assert "Import the catalog" in response.content.decode()
    assert browser.get("/console/catalog/export/?format=csv").status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(people):
    for url in ("/console/catalog/import/", "/console/catalog/export/?format=csv"):
        response = Browser().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_a_good_upload_through_the_page_shows_the_counts(people):
    response = sign_in(people, "admin").post("/console/catalog/import/", {"file": upload(GOOD)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Catalog imported" in body and '<td class="num" id="count-created">2</td>' in body
    assert sorted(Sku.objects.values_list("code", flat=True)) == ["RB-250", "RB-355"]


def test_a_bad_upload_through_the_page_lists_the_rows_and_imports_nothing(people):
    response = sign_in(people, "owner").post("/console/catalog/import/", {"file": upload(BAD)})
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert '<td class="num">3</td><td><code>category_code</code></td>' in body
    assert '<td class="num">4</td><td><code>sku_code</code></td>' in body
    assert not Product.objects.exists()


def test_the_page_refuses_other_files_as_a_field_error(people):
    response = sign_in(people, "owner").post("/console/catalog/import/", {"file": upload("x", name="catalog.pdf")})
    assert set(response.context["form"].errors) == {"file"}


def test_the_page_downloads_the_export_and_the_template(people):
    browser = sign_in(people, "owner")
    browser.post("/console/catalog/import/", {"file": upload(GOOD)})
    export = browser.get("/console/catalog/export/?format=csv")
    assert export.status_code == 200 and export["Content-Type"] == "text/csv; charset=utf-8"
    assert "RB-355" in export.content.decode("utf-8-sig")
    template = browser.get("/console/catalog/export/?format=xlsx&template=1")
    rows = list(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert rows == [tuple(COLUMNS)]
    assert browser.get("/console/catalog/export/?format=pdf").status_code == 400
