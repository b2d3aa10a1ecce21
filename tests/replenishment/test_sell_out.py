"""Sell-out import: a good file and a good API batch are written; a file or batch with any bad row writes nothing
and answers 400 naming each row; hostile bytes are a 4xx, never a 500; a day sent again replaces it."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.replenishment.models import SellOutRecord
from tests.factories.accounts import UserFactory
from tests.replenishment.conftest import signed_in, token


def _upload(client, name: str, data: bytes, url: str = "/replenishment/manage/"):
    return client.post(url, {"action": "sell_out", "file": SimpleUploadedFile(name, data)})


def test_good_file_then_the_same_day_again(shop, now):
    client = signed_in(shop, shop.buyer)
    csv = f"date,sku,quantity,on_hand\n2026-06-08,{shop.sku.code},12,30\n2026-06-09,{shop.sku.code},8,\n".encode()
    assert _upload(client, "pos.csv", csv).status_code == 302
    assert sorted(SellOutRecord.objects.values_list("date", "quantity", "on_hand")) == [
        (now.date().replace(day=8), 12, 30), (now.date().replace(day=9), 8, None)]
    again = f"日期,商品编码,销量\n2026-06-09,{shop.sku.code},9\n".encode()  # Chinese headers, the same day
    assert _upload(client, "pos.csv", again).status_code == 302
    assert SellOutRecord.objects.get(date=now.date().replace(day=9)).quantity == 9


def test_bad_rows_write_nothing_and_are_named(shop, now):
    client = signed_in(shop, shop.buyer)
    auth = token(shop.buyer)
    csv = (f"date,sku,quantity\n2026-06-08,{shop.sku.code},12\n2026-13-01,{shop.sku.code},1\n"
           f"2026-06-08,NOPE,1\n2026-06-07,{shop.sku.code},-4\n").encode()
    response = client.post("/api/v1/replenishment/sell-out/", {"file": SimpleUploadedFile("pos.csv", csv)}, **auth)
    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == ["rows.3.date", "rows.4.sku", "rows.5.quantity"]
    page = _upload(client, "pos.csv", csv)
    assert page.status_code == 400 and SellOutRecord.objects.count() == 0
    batch = [{"date": "2026-06-08", "sku": shop.sku.code, "quantity": 3},
             {"date": "2026-06-08", "sku": shop.sku.code, "quantity": 4},  # the same day twice
             {"date": "2026-06-09", "sku": shop.sku.code, "quantity": 1, "colour": "red"}]
    response = client.post("/api/v1/replenishment/sell-out/", {"records": batch}, content_type="application/json",
                           **auth)
    assert response.status_code == 400 and "records.3.colour" in response.json()["fields"]
    response = client.post("/api/v1/replenishment/sell-out/", {"records": batch[:2]},
                           content_type="application/json", **auth)
    assert response.status_code == 400 and list(response.json()["fields"]) == ["records.2.date"]
    assert SellOutRecord.objects.count() == 0
    response = client.post("/api/v1/replenishment/sell-out/", {"records": batch[:1]},
                           content_type="application/json", **auth)
    assert (response.status_code, response.json()) == (201, {"rows": 1})


def test_hostile_bytes_are_a_4xx(shop, now):
    client = signed_in(shop, shop.buyer)
    auth = token(shop.buyer)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 50_000_000)
    for name, data in (("pos.xlsx", b"\x00\xff" * 500), ("pos.csv", b"\xff\xfe\x00\x00garbage\x00"),
                       ("pos.exe", b"MZ"), ("pos.xlsx", bomb.getvalue()), ("pos.csv", b"")):
        response = client.post("/api/v1/replenishment/sell-out/", {"file": SimpleUploadedFile(name, data)}, **auth)
        assert 400 <= response.status_code < 500, (name, response.status_code)
        assert 400 <= _upload(client, name, data).status_code < 500
    assert SellOutRecord.objects.count() == 0


def test_the_brand_integration_key_sends_a_dealers_sell_out(shop, now):
    from django.core.cache import cache

    from tenant_apps.integrations.services import api_key_create

    cache.clear()  # rate counters of earlier tests
    owner = UserFactory(email="owner-key@acme.test", role="owner")
    _key, text = api_key_create(actor=owner, name="POS", scopes=["sellout:write"])
    _other, other_text = api_key_create(actor=owner, name="ERP", scopes=["prices:write"])
    client = signed_in(shop, owner)
    body = {"dealer": shop.dealer.code, "records": [{"date": "2026-06-09", "sku": shop.sku.code, "quantity": 7}]}
    scoped = {"HTTP_AUTHORIZATION": f"Bearer {other_text}"}
    response = client.post("/api/v1/integrations/sell-out/", body, content_type="application/json", **scoped)
    assert response.status_code == 403 and SellOutRecord.objects.count() == 0
    auth = {"HTTP_AUTHORIZATION": f"Bearer {text}"}
    bad = {"dealer": shop.dealer.code, "records": [{"date": "2026-06-09", "sku": "NOPE", "quantity": 7}]}
    response = client.post("/api/v1/integrations/sell-out/", bad, content_type="application/json", **auth)
    assert response.status_code == 400 and "records.1.sku" in response.json()["fields"]
    response = client.post("/api/v1/integrations/sell-out/", {**body, "dealer": "NOBODY"},
                           content_type="application/json", **auth)
    assert response.status_code == 404
    response = client.post("/api/v1/integrations/sell-out/", body, content_type="application/json", **auth)
    assert (response.status_code, response.json()) == (201, {"rows": 1})
    assert list(SellOutRecord.objects.values_list("dealer_id", "quantity", "source")) == [(shop.dealer.pk, 7, "api")]
