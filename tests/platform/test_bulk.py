"""tenant_apps.core.bulk writes values as the fields prepare them: an encrypted field is never written in clear."""

from tenant_apps.core import bulk, crypto
from tenant_apps.dealers.models import Dealer
from tenant_apps.ordering.models import OrderEvent


def test_an_encrypted_field_goes_through_its_encryption_and_plain_fields_as_they_are():
    params: list = []
    bulk._source(Dealer, [Dealer(code="D1", legal_name="经销商", bank_account="6222020200112233445")], params)
    columns = dict(zip(bulk._shape(Dealer, False)[1].replace('"', "").split(", "), params, strict=True))
    [stored] = columns["bank_account"]
    assert "6222020200112233445" not in str(stored)
    assert crypto.decrypt(stored) == "6222020200112233445"
    assert columns["code"] == ["D1"]


def test_json_is_adapted_for_the_database():
    params: list = []
    bulk._source(OrderEvent, [OrderEvent(order_id=1, kind="note", data={"a": 1})], params)
    columns = dict(zip(bulk._shape(OrderEvent, False)[1].replace('"', "").split(", "), params, strict=True))
    [data] = columns["data"]
    assert not isinstance(data, dict)  # an adapter that psycopg2 renders as JSON text
