"""Filling the cart in bulk: quick order by code list, CSV/XLSX upload (all or nothing, errors per line or
row), order templates and reorder."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import Workbook

from tenant_apps.ordering import quick
from tenant_apps.ordering.models import CartLine, OrderTemplate
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.ordering.test_pages import make_people, signed_in


def _cart(store):
    with schema_context(store.tenant.schema_name):  # a request through the client leaves on the public schema
        return sorted((line.sku.code, line.unit.code, line.quantity)
                      for line in CartLine.objects.filter(cart__dealer=store.dealer).select_related("sku", "unit"))


def _in(store):
    return schema_context(store.tenant.schema_name)


def test_pasted_lines_in_every_usual_shape_go_in_the_cart(store):
    added = quick.cart_quick_add(actor=store.buyer, dealer=store.dealer, text=(
        "RB-250 x 48\n\n rb-330,24 \nRB-250，2，箱\nRB-330＊6\nRB-250 x2 CASE"))
    assert (added.created, added.updated) == (3, 0)
    assert _cart(store) == [("RB-250", "CAN", 48), ("RB-250", "CASE", 4), ("RB-330", "CAN", 30)]
    again = quick.cart_quick_add(actor=store.buyer, dealer=store.dealer, text="RB-250 2")
    assert (again.created, again.updated) == (0, 1) and ("RB-250", "CAN", 50) in _cart(store)


def test_every_bad_line_is_named_and_nothing_is_added(store):
    store.water.min_order_qty = 12
    store.water.save(update_fields=["min_order_qty"])
    with pytest.raises(quick.QuickOrderInvalid) as invalid:
        quick.cart_quick_add(actor=store.buyer, dealer=store.dealer, text=(
            "RB-250 x 48\nNOPE-1 x 3\nRB-250 x many\nRB-250\nRB-330 x 5\nRB-250 2 托盘"))
    assert [(e.row, e.field) for e in invalid.value.errors] == [
        (2, "sku"), (3, "quantity"), (4, "quantity"), (5, "quantity"), (6, "unit")]
    messages = {e.row: e.message for e in invalid.value.errors}
    assert "NOPE-1" in messages[2] and "minimum order is 12" in messages[5] and "罐, 箱" in messages[6]
    assert invalid.value.fields["lines.2.sku"] and invalid.value.status == 400
    assert _cart(store) == []


def test_the_quick_order_page_lists_errors_per_line_and_keeps_the_text(store):
    client = signed_in(store.buyer)
    page = client.post("/cart/quick/", {"text": "RB-250 x 48\nNOPE-1 x 3"})
    body = page.content.decode()
    assert page.status_code == 400
    assert 'data-line="2"' in body and "Line 2" in body and "NOPE-1 x 3</textarea>" in body
    assert _cart(store) == []
    done = client.post("/cart/quick/", {"text": "RB-250 x 48"})
    assert done.status_code == 302 and done["Location"] == "/cart/"
    assert _cart(store) == [("RB-250", "CAN", 48)]


def test_the_examples_are_the_dealers_own_products_and_work_as_shown(store):
    """The quick order page and the example upload file show lines of the brand's own catalog that the dealer can
    order as they stand (its minimum and step met): pasted or uploaded back, they go in the cart."""
    import html
    import re

    with _in(store):
        store.sku.min_order_qty, store.sku.order_step = 24, 24  # RB-250: whole cases of 24 cans
        store.sku.save(update_fields=["min_order_qty", "order_step"])
    client = signed_in(store.buyer)
    shown = html.unescape(re.search(r'id="quick-examples">(.*?)</pre>', client.get("/cart/quick/").content.decode(),
                                    re.S).group(1))
    assert shown.splitlines() == ["RB-250 x 24", "RB-250,1,CASE", "RB-330 1"]
    assert client.post("/cart/quick/", {"text": shown}).status_code == 302
    assert _cart(store) == [("RB-250", "CAN", 24), ("RB-250", "CASE", 1), ("RB-330", "CAN", 1)]
    with _in(store):
        CartLine.objects.filter(cart__dealer=store.dealer).delete()
    example = client.get("/cart/upload/order.csv")
    assert example.status_code == 200
    done = client.post("/cart/upload/", {"file": SimpleUploadedFile("order.csv", example.content)})
    assert done.status_code == 302, done.content.decode()[-500:]
    assert _cart(store) == [("RB-250", "CAN", 24), ("RB-250", "CASE", 1), ("RB-330", "CAN", 1)]


def test_a_dealer_who_sees_no_product_yet_gets_generic_examples(store):
    with _in(store):
        from tenant_apps.catalog.models import Sku

        Sku.objects.update(status="discontinued")
        assert quick.example_lines(store.dealer) == list(quick.GENERIC_EXAMPLES)


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_upload_is_all_or_nothing_with_each_bad_row_named(store):
    client = signed_in(store.buyer)
    bad = "商品编码,数量,单位\nRB-250,48,\nNOPE,1,\nRB-330,0,\n".encode()
    page = client.post("/cart/upload/", {"file": SimpleUploadedFile("order.csv", bad, content_type="text/csv")})
    body = page.content.decode()
    assert page.status_code == 400 and 'data-row="3"' in body and 'data-row="4"' in body and 'data-row="2"' not in body
    assert _cart(store) == []
    good = _xlsx([["sku", "quantity", "unit"], ["RB-250", 2, "CASE"], ["RB-330", 10, None]])
    done = client.post("/cart/upload/", {"file": SimpleUploadedFile("order.xlsx", good)})
    assert done.status_code == 302
    assert _cart(store) == [("RB-250", "CASE", 2), ("RB-330", "CAN", 10)]


def test_an_unreadable_upload_says_why(store):
    page = signed_in(store.buyer).post("/cart/upload/", {"file": SimpleUploadedFile("order.pdf", b"%PDF")})
    assert page.status_code == 400 and "not a CSV or XLSX file" in page.content.decode()
    header_only = signed_in(store.buyer).post("/cart/upload/", {
        "file": SimpleUploadedFile("order.csv", b"price,qty\n1,2\n")})
    assert header_only.status_code == 400 and "Unknown column" in header_only.content.decode()


def test_save_the_cart_as_a_template_and_load_it_later(store):
    store.fill((store.sku, store.case, 2), (store.water, store.can, 10))
    client = signed_in(store.buyer)
    assert client.post("/cart/templates/", {"name": "每周补货"}).status_code == 302
    with _in(store):
        template = OrderTemplate.objects.get(dealer=store.dealer)
        assert [(line.sku_id, line.quantity) for line in template.lines.all()] == [
            (store.sku.pk, 2), (store.water.pk, 10)]
    clash = client.post("/cart/templates/", {"name": "每周补货"})
    assert clash.status_code == 400 and "already have a template" in clash.content.decode()
    with _in(store):
        quick.cart_quick_add(actor=store.buyer, dealer=store.dealer, text="RB-330 x 5")
    assert client.post("/cart/templates/", {"name": "每周补货", "replace": "1"}).status_code == 302
    with _in(store):
        assert [line.quantity for line in OrderTemplate.objects.get(pk=template.pk).lines.all()] == [2, 15]
        CartLine.objects.filter(cart__dealer=store.dealer).delete()
    loaded = client.post(f"/cart/templates/{template.pk}/load/")
    assert loaded["Location"] == "/cart/"
    assert _cart(store) == [("RB-250", "CASE", 2), ("RB-330", "CAN", 15)]
    assert "每周补货" in client.get("/cart/templates/").content.decode()


def test_templates_of_another_dealer_are_not_found(store):
    people = make_people(store)
    store.fill((store.water, store.can, 10))
    template = quick.template_save(actor=store.buyer, dealer=store.dealer, name="mine")
    other = signed_in(people.other_buyer)
    assert other.post(f"/cart/templates/{template.pk}/load/").status_code == 404
    assert other.post(f"/cart/templates/{template.pk}/delete/").status_code == 404
    with _in(store):
        assert OrderTemplate.objects.filter(pk=template.pk).exists()


def test_reorder_puts_the_lines_back_and_names_what_is_gone(store):
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[
        SubmitLine(store.sku.pk, store.case.pk, 1), SubmitLine(store.water.pk, None, 6)]).order
    store.water.status = "discontinued"
    store.water.save(update_fields=["status"])
    client = signed_in(store.buyer)
    done = client.post(f"/orders/{order.pk}/reorder/", follow=True)
    assert "RB-330: no longer available" in done.content.decode()
    assert _cart(store) == [("RB-250", "CASE", 1)]


def test_the_product_page_has_add_to_cart_forms_for_buyers_only(store):
    url = f"/catalog/products/{store.sku.product_id}/"
    page = signed_in(store.buyer).get(url).content.decode()
    assert page.count('class="add-to-cart"') == 2 and "箱 (24 罐)" in page
    added = signed_in(store.buyer).post("/cart/add/", {"sku": store.sku.pk, "unit": store.case.pk, "quantity": 1,
                                                      "next": url})
    assert added["Location"] == url and _cart(store) == [("RB-250", "CASE", 1)]
    assert 'class="add-to-cart"' not in signed_in("owner@acme.test").get(url).content.decode()
