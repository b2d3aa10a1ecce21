"""The OpenAPI schema says what the API answers (found by the fuzz run, tests/platform/test_api_fuzz.py): each
host documents its own API, lists documented as paginated are paginated, fields that may be null say so."""

from __future__ import annotations

import pytest

from tests.conftest import host_client


@pytest.fixture(scope="module")
def schemas(django_db_blocker, django_db_setup):
    with django_db_blocker.unblock():
        return {host: host_client(host).get("/api/schema/", {"format": "json"}).json()
                for host in ("acme.localhost", "localhost")}


def _ref(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _response(schema: dict, path: str, method: str, status: str) -> dict:
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return _ref(schema, content["$ref"]) if "$ref" in content else content


def test_the_platform_host_documents_its_own_api_not_the_brand_api(schemas):
    platform, brand = set(schemas["localhost"]["paths"]), set(schemas["acme.localhost"]["paths"])

    assert "/api/v1/signup/" in platform and "/api/v1/signup/" not in brand
    assert "/api/v1/cart/" in brand and "/api/v1/cart/" not in platform
    assert not {path for path in platform if path.startswith(("/api/v1/orders", "/api/v1/dealers"))}


def test_bulk_approve_answers_one_object_not_a_page(schemas):
    body = _response(schemas["acme.localhost"], "/api/v1/approvals/bulk-approve/", "post", "200")

    assert set(body["required"]) == {"results", "approved"}
    assert "count" not in body["properties"]


def test_current_promotions_are_a_plain_list(schemas):
    body = _response(schemas["acme.localhost"], "/api/v1/promotions/current/", "get", "200")

    assert body["type"] == "array"


def test_a_users_dealer_may_be_null(schemas):
    user = schemas["acme.localhost"]["components"]["schemas"]["User"]

    assert user["properties"]["dealer"].get("nullable") is True


@pytest.mark.parametrize("path", ["/api/v1/dealers/import/", "/api/v1/catalog/import/"])
def test_an_import_refused_before_reading_rows_is_documented(schemas, path):
    body = _response(schemas["acme.localhost"], path, "post", "400")

    assert set(body["required"]) == {"code", "detail"}
    assert {"rows", "errors", "fields"} <= set(body["properties"])


def test_a_dealers_bank_account_is_documented_as_left_out_for_some_users(schemas):
    dealer = schemas["acme.localhost"]["components"]["schemas"]["DealerOutput"]

    assert "bank_account" in dealer["properties"] and "bank_account" not in dealer["required"]
