"""Bulk upserts of dealers, SKUs and prices with a key: the file imports' validation and writes, all or nothing
with errors by row and field, an Idempotency-Key per API key (replay, 422 on another body, 24 h), the scope,
the rate, the audit, hostile input (a 400, never a 500) and query counts that do not grow with the batch."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog.models import Sku
from tenant_apps.dealers.models import Dealer, DealerAddress, DealerContact, Node
from tenant_apps.fulfillment.models import Shipment
from tenant_apps.fulfillment.services import order_allocate
from tenant_apps.pricing.models import PriceEntry
from tenant_apps.pricing.transfer import COLUMNS as PRICE_COLUMNS
from tenant_apps.pricing.transfer import prices_import
from tests.factories.ordering import OrderFactory
from tests.integrations.conftest import key_client

PRICES = "/api/v1/integrations/prices/bulk/"
DEALERS = "/api/v1/integrations/dealers/bulk/"
SKUS = "/api/v1/integrations/skus/bulk/"
WRITE = ["prices:write", "dealers:write", "catalog:write", "shipments:write"]


def _post(client, path, rows, key="k-1", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, {"rows": rows}, content_type="application/json", **headers, **extra)


def _prices():
    return dict(PriceEntry.objects.values_list("sku__code", "price").filter(min_quantity=1, unit__code="CAN"))


def _price(sku, price, **more):
    return {"list_code": "BASE", "sku_code": sku, "unit_code": "CAN", "price": price, **more}


def test_prices_upsert_counts_and_a_repeat_is_answered_without_writing(store, make_key):
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    rows = [_price("RB-250", "5.00"), _price("RB-330", 6.5), _price("RB-250", "4.80", min_quantity=24)]
    first = _post(client, PRICES, rows, key="erp-1")
    assert first.status_code == 200, first.json()
    assert first.json() == {"rows": 3, "created": 1, "updated": 1, "unchanged": 1}
    assert _prices() == {"RB-250": Decimal("5.0000"), "RB-330": Decimal("6.5000")}
    imports = AuditEntry.objects.filter(action="pricing.price_list.imported").count()

    again = _post(client, PRICES, rows, key="erp-1")
    assert again.status_code == 200 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert AuditEntry.objects.filter(action="pricing.price_list.imported").count() == imports

    other = _post(client, PRICES, [_price("RB-330", "7.00")], key="erp-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert _prices()["RB-330"] == Decimal("6.5000")

    _other_key, other_secret = make_key(scopes=WRITE, name="WMS")  # the same text is another key's own
    assert _post(key_client(other_secret), PRICES, [_price("RB-330", "7.00")], key="erp-1").json()["updated"] == 1
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):  # expired: a new call
        late = _post(client, PRICES, [_price("RB-330", "7.50")], key="erp-1")
    assert late.status_code == 200 and late.json()["updated"] == 1 and _prices()["RB-330"] == Decimal("7.5000")


def test_a_bad_row_writes_nothing_and_every_problem_is_named_by_row_and_field(store, make_key):
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    rows = [
        _price("RB-250", "9.00"),  # good, but nothing is written
        _price("NOPE", "1.00"),  # unknown SKU
        _price("RB-330", "-3"),  # negative price
        _price("RB-330", "1e30"),  # too large
        _price("RB-330", "1.00", min_quantity=99999999999999999999),  # a quantity beyond the column
        {"list_code": "BASE", "unit_code": "CAN"},  # missing sku and price
        _price("RB-250", "9.10"),  # same list, SKU, unit and quantity as row 1
        _price("RB-250\u200b", "1.00"),  # a zero-width space: not the SKU's code
        _price("RB-250", "1.00", min_quantity=-1),
    ]
    response = _post(client, PRICES, rows)
    body = response.json()
    assert response.status_code == 400 and body["code"] == "rows_invalid", body
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "sku_code"), (2, "price"), (3, "price"), (4, "min_quantity"), (5, "sku_code"), (5, "price"),
        (6, "sku_code"), (7, "sku_code"), (8, "min_quantity")]
    assert "row 1" in body["fields"]["rows.7.sku_code"][0] and body["errors"][0]["row"] == 2
    assert body["error_count"] == 9
    assert _prices() == {"RB-250": Decimal("5.0000"), "RB-330": Decimal("6.0000")}
    # the key was not used up by a refused batch: the fixed one goes through with it
    fixed = _post(client, PRICES, [_price("RB-250", "9.00")])
    assert fixed.status_code == 200 and _prices()["RB-250"] == Decimal("9.0000")


def test_the_api_and_the_file_import_say_the_same_of_the_same_row(store, make_key):
    _key, secret = make_key(scopes=WRITE)
    api = _post(key_client(secret), PRICES, [_price("RB-250", "abc")]).json()["errors"]
    line = "BASE,RB-250,CAN,1,abc"
    file = prices_import(actor=None, file=(",".join(PRICE_COLUMNS) + "\n" + line + "\n").encode(),
                         filename="p.csv")
    assert [(e["field"], e["message"]) for e in api] == [(e.field, e.message) for e in file.errors]


@pytest.mark.parametrize("value", [["5.00"], {"p": 1}, True])
def test_wrong_types_are_row_errors(store, make_key, value):
    _key, secret = make_key(scopes=WRITE)
    response = _post(key_client(secret), PRICES, [_price("RB-250", "1"), _price("RB-330", value)])
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "price")]
    assert _prices()["RB-330"] == Decimal("6.0000")


def test_odd_input_is_a_400_never_a_500(store, make_key):
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    odd = [
        [_price("RB-250", "1", extra="x")],  # unknown field
        ["not an object"],
        [_price("\ud800", "1")],  # a lone surrogate PostgreSQL cannot store
        [{**_price("RB-250", "1"), "sku\x00": "1"}],  # NUL in a field's name
        [_price("x" * 2000, "1")],
        [_price("RB-250", "\u202e5.00")],  # right-to-left override before the number
    ]
    for rows in odd:
        response = _post(client, PRICES, rows)
        assert response.status_code == 400 and response.json()["code"] == "rows_invalid", (rows, response.content)
    for body in ({"rows": []}, {"rows": "x"}, {"rows": {"a": 1}}, {}):
        response = client.post(PRICES, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 400 and "rows" in response.json()["fields"]
    assert client.post(PRICES, "[1]", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert client.post(PRICES, "{", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert _prices() == {"RB-250": Decimal("5.0000"), "RB-330": Decimal("6.0000")}


def test_without_a_key_over_the_limit_or_without_the_scope_nothing_is_written(store, make_key):
    _key, secret = make_key(scopes=["orders:read", "catalog:write"])
    client = key_client(secret)
    missing = _post(client, SKUS, [{"product_code": "RB", "sku_code": "RB-250"}], key=None)
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_missing"
    too_many = _post(client, SKUS, [{"product_code": "RB", "sku_code": f"S{n}"} for n in range(1001)])
    assert too_many.status_code == 413 and too_many.json()["code"] == "batch_too_large"
    denied = _post(client, PRICES, [_price("RB-250", "1")])
    assert denied.status_code == 403 and denied.json()["code"] == "scope_missing"
    assert _post(client, DEALERS, [{"code": "X"}]).json()["code"] == "scope_missing"
    assert _prices()["RB-250"] == Decimal("5.0000") and not Dealer.objects.filter(code="X").exists()
    calls = AuditEntry.objects.filter(action="integrations.apikey.called").order_by("-id")[:4]
    assert [call.after["status"] for call in calls] == [403, 403, 413, 400]


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(store, make_key, settings):
    settings.INTEGRATIONS_BULK_MAX_BYTES = 2000
    _key, secret = make_key(scopes=WRITE)
    response = _post(key_client(secret), PRICES, [_price("RB-250", "1", currency="x" * 900)] * 3)
    assert response.status_code == 413 and response.json()["code"] == "batch_too_large"
    assert _prices()["RB-250"] == Decimal("5.0000")


def test_the_rate_applies(store, make_key):
    _key, secret = make_key(scopes=WRITE, rate_per_minute=2)
    client = key_client(secret)
    assert [_post(client, PRICES, [_price("RB-250", "1")], key=f"r{n}").status_code for n in range(3)] == [
        200, 200, 429]


def test_dealers_are_created_and_updated_by_code(store, make_key):
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    rows = [
        {"code": "SH-1", "name": "上海一号", "status": "suspended", "territories": "SH;EAST",
         "contact_name": "李经理", "contact_phone": "13900000000", "bank_account": "6222 0000 1111 2222",
         "billing_territory": "SH", "billing_line": "浦东 1 号", "billing_recipient": "财务部",
         "billing_phone": "021-1"},  # an update: other fields kept
        {"code": "SH-9", "legal_name": "上海九号有限公司", "parent_code": "SH-1", "tier": "A", "status": "active",
         "territories": "SH"},
    ]
    response = _post(client, DEALERS, rows)
    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0}
    old, new = Dealer.objects.select_related("node__parent", "tier").get(code="SH-1"), Dealer.objects.select_related(
        "node__parent").get(code="SH-9")
    assert (old.name, old.legal_name, old.status, old.tier.code) == ("上海一号", "上海经销商", "suspended", "A")
    assert sorted(old.territories.values_list("code", flat=True)) == ["EAST", "SH"]
    assert Node.objects.get(pk=old.node_id).name == "上海一号"
    assert list(DealerContact.objects.filter(dealer=old).values_list("name", "phone", "is_primary")) == [
        ("李经理", "13900000000", True)]
    assert (old.bank_account, old.bank_account_last4) == ("6222 0000 1111 2222", "2222")
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM dealers_dealer WHERE id = %s", [old.pk])
        assert cursor.fetchone()[0].startswith("v1:")  # encrypted by the bulk update too
    assert list(DealerAddress.objects.filter(dealer=old, kind="billing").values_list(
        "territory__code", "line", "recipient", "phone")) == [("SH", "浦东 1 号", "财务部", "021-1")]
    assert new.node.parent.code == "SH-1" and new.node.path == f"{old.node.path}.{new.node_id}"
    updated = AuditEntry.objects.get(action="dealers.dealer.updated", target_id=str(old.pk))
    assert updated.before["status"] == "active" and updated.after["status"] == "suspended"
    assert updated.after["bank_account"] == "**** 2222" and "6222" not in str(updated.after)
    assert updated.actor_label.startswith("API key ERP")
    assert AuditEntry.objects.filter(action="dealers.dealer.status_changed", target_id=str(old.pk)).exists()

    again = _post(client, DEALERS, [{"code": "SH-1", "name": "上海一号"}], key="k-2")
    assert again.json() == {"rows": 1, "created": 0, "updated": 0, "unchanged": 1}


def test_dealer_rows_keep_the_file_rules_and_refuse_a_move(store, make_key):
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    rows = [
        {"code": "SH-1", "parent_code": "NOPE"},  # no such node (and a move)
        {"code": "SH-1", "status": "prospect"},  # the same code again
        {"code": "NEW-1", "legal_name": "新", "parent_code": "HQ", "tax_number": "123"},
        {"code": "NEW 2", "legal_name": "新", "parent_code": "HQ"},
        {"code": "NEW-3", "legal_name": "", "parent_code": "HQ", "contact_email": "not-an-email",
         "contact_name": "王"},
    ]
    body = _post(client, DEALERS, rows).json()
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (0, "parent_code"), (0, "parent_code"), (1, "code"), (2, "tax_number"), (3, "code"), (4, "legal_name"),
        (4, "name"), (4, "contact_email")]
    illegal = _post(client, DEALERS, [{"code": "SH-1", "status": "prospect"}], key="k-2").json()
    assert illegal["fields"] == {"rows.1.status": ["A dealer cannot go from Active to Prospect."]}
    assert not Dealer.objects.filter(code__startswith="NEW").exists()
    assert Dealer.objects.get(code="SH-1").status == "active"


def test_skus_are_created_and_updated_as_the_catalog_import_does(store, make_key):
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    rows = [
        {"product_code": "RB", "sku_code": "RB-250", "sku_name": "红牛 250ml 新"},  # update, the rest kept
        {"product_code": "RB", "sku_code": "RB-500", "sku_name": "红牛 500ml", "base_unit": "CAN",
         "min_order_qty": 6, "order_step": 6},
    ]
    response = _post(client, SKUS, rows)
    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0, "products_created": 0,
                               "products_updated": 0, "series_created": 0}
    skus = {sku.code: sku for sku in Sku.objects.filter(product__code="RB")}
    assert skus["RB-250"].name == "红牛 250ml 新" and skus["RB-250"].base_unit.code == "CAN"
    assert (skus["RB-500"].min_order_qty, skus["RB-500"].order_step) == (6, 6)

    bad = _post(client, SKUS, [{"product_code": "RB", "sku_code": "RB-600", "sku_name": "x", "base_unit": "KG"},
                               {"product_code": "RB", "sku_code": "RB-700", "sku_name": "y", "base_unit": "CAN",
                                "min_order_qty": 0, "barcode": "123"}], key="k-2").json()
    assert [(e["index"], e["field"]) for e in bad["errors"]] == [
        (0, "base_unit"), (1, "barcode"), (1, "min_order_qty")]
    assert not Sku.objects.filter(code__in=["RB-600", "RB-700"]).exists()


def _skus(store, count: int) -> list[str]:
    codes = [f"Q-{n:04d}" for n in range(count)]
    Sku.objects.bulk_create([Sku(product=store.sku.product, code=code, name=code, base_unit=store.can,
                                 search_text=code.lower()) for code in codes])
    return codes


def _queries(count_queries, client, path, rows, key) -> int:
    with count_queries() as queries:
        response = _post(client, path, rows, key=key)
    assert response.status_code == 200, response.json()
    return len(queries.sql)


def test_query_counts_do_not_grow_with_the_batch(store, make_key, count_queries):
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    codes = _skus(store, 200)
    _post(client, PRICES, [_price("RB-250", "1")], key="warm-up")  # last_used_at, the plan's features
    prices = [_queries(count_queries, client, PRICES, [_price(code, "1.00") for code in codes[:size]], f"p{size}")
              for size in (10, 200)]
    skus = [_queries(count_queries, client, SKUS, [{"product_code": "RB", "sku_code": f"{size}-{n}",
                                                    "sku_name": "n", "base_unit": "CAN"} for n in range(size)],
                     f"s{size}") for size in (10, 200)]
    dealers = [_queries(count_queries, client, DEALERS, [
        {"code": f"B{size}-{n}", "legal_name": "经销商", "parent_code": "HQ", "territories": "SH",
         "contact_name": "王"} for n in range(size)], f"d{size}") for size in (10, 200)]
    updates = [_queries(count_queries, client, DEALERS, [
        {"code": f"B{size}-{n}", "name": "改名", "status": "active", "contact_phone": "1"} for n in range(size)],
        f"u{size}") for size in (10, 200)]
    assert (prices[0], skus[0], dealers[0], updates[0]) == (prices[1], skus[1], dealers[1], updates[1])
    assert max(prices + skus + dealers + updates) <= 30  # measured 22 to 27, the call's own audit included
    assert Dealer.objects.filter(code__startswith="B200-", name="改名", status="active").count() == 200


def test_shipment_confirm_refuses_the_same_key_with_another_body(store, make_key):
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 5)])
    order_allocate(actor=store.owner, order=order)
    _key, secret = make_key(scopes=WRITE)
    client = key_client(secret)
    body = {"order_number": order.number, "warehouse": store.east.code, "tracking_number": "SF1"}
    confirm = "/api/v1/integrations/shipments/confirm/"
    assert client.post(confirm, {**body, "order_number": "NOPE"}, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="s-1").status_code == 400  # refused: the key stays free
    first = client.post(confirm, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == 201, first.json()
    other = client.post(confirm, {**body, "tracking_number": "SF2"}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="s-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert list(Shipment.objects.filter(order=order).values_list("tracking_number", flat=True)) == ["SF1"]
