"""tenant_apps.core.bulk writes values as the fields prepare them (an encrypted field is never written in clear),
and its array literals bring every value back as it went in."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection

from tenant_apps.core import bulk, crypto
from tenant_apps.dealers.models import Dealer
from tenant_apps.ordering.models import OrderEvent


def _columns(model, rows) -> dict:
    names = bulk._shape(model, rows[0].pk is not None)[1].replace('"', "").split(", ")
    return dict(zip(names, bulk.column_values(model, rows), strict=True))


def test_an_encrypted_field_goes_through_its_encryption_and_plain_fields_as_they_are():
    columns = _columns(Dealer, [Dealer(code="D1", legal_name="经销商", bank_account="6222020200112233445")])
    [stored] = columns["bank_account"]
    assert "6222020200112233445" not in str(stored)
    assert crypto.decrypt(stored) == "6222020200112233445"
    assert columns["code"] == ["D1"]
    assert "6222020200112233445" not in bulk.pg_array(columns["bank_account"])


def test_json_is_adapted_for_the_database():
    [data] = _columns(OrderEvent, [OrderEvent(order_id=1, kind="note", data={"a": 1})])["data"]
    assert not isinstance(data, dict)  # an adapter that psycopg2 renders as JSON text
    assert bulk.pg_array([data]) == '{"{\\"a\\": 1}"}'


@pytest.mark.parametrize(("values", "db_type"), [
    ([1, None, -7, 2**40], "bigint"),
    (["plain", 'quote " and back\\slash', "comma, {brace}", "NULL", "", "单引号'", None, "  spaced  "], "text"),
    ([Decimal("1.5000"), Decimal("-0.01"), Decimal("12345678901234.5678"), None], "numeric"),
    ([True, False, None], "boolean"),
    ([datetime(2026, 12, 3, 8, 30, 15, 123456, tzinfo=UTC), None], "timestamptz"),
    ([date(2026, 2, 28)], "date"),
])
def test_array_literals_read_back_exactly(db, values, db_type):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{db_type}[]", [bulk.pg_array(values)])
        assert cursor.fetchone()[0] == values


def test_json_elements_read_back_as_the_same_documents(db):
    documents = [{"name": '满 2000 减 100 "x"', "n": [1, 2.5, None]}, [], {"back\\slash": "{}"}]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_json(%s::jsonb[])::text", [bulk.pg_array(documents)])
        assert json.loads(cursor.fetchone()[0]) == documents


def test_array_columns_travel_as_text_and_read_back(tenant_a, in_tenant):
    from tenant_apps.promotions.models import Promotion

    with in_tenant(tenant_a):
        bulk.insert_together([
            Promotion(code="ARR-1", name="a", kind="percent", rule={"percent": "5"},
                      starts_at=datetime(2026, 1, 1, tzinfo=UTC), scope_sku_ids=[3, 1, 2], scope_tier_ids=[]),
            Promotion(code="ARR-2", name='b "q"', kind="percent", rule={}, starts_at=datetime(2026, 1, 1, tzinfo=UTC),
                      scope_dealer_ids=[7])])
        rows = list(Promotion.objects.filter(code__startswith="ARR-").order_by("code").values_list(
            "name", "rule", "scope_sku_ids", "scope_tier_ids", "scope_dealer_ids"))
    assert rows == [("a", {"percent": "5"}, [3, 1, 2], [], []), ('b "q"', {}, [], [], [7])]
