"""Documents: an order's confirmation (订单确认单) and a shipment's delivery note (送货单), as printable pages and
PDF, in zh-Hans and en with exact figures; who may open them (console: brand staff in their scope; storefront: the
dealer's own staff), 404 outside the scope; the links on the order and shipment pages; constant queries."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from pypdf import PdfReader

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import FULFILLMENT_SHIP, MATRIX, ORDERS_VIEW
from tenant_apps.dealers import services as dealers
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.reporting.documents.pdf import delivery_note_pdf, order_confirmation_pdf
from tenant_apps.reporting.documents.selectors import delivery_note, order_confirmation
from tests.factories import UserFactory
from tests.factories.catalog import SkuFactory
from tests.factories.fulfillment import carrier as carrier_set_up
from tests.factories.fulfillment import ship_everything
from tests.factories.inventory import stock_receive
from tests.factories.pricing import PriceEntryFactory
from tests.factories.promotions import PromotionFactory


class Browser(Client):
    """Tenant A's host, signed in as `user` (None: anonymous), in `language`; puts the test's connection back on
    the schema it was on after each request (a request leaves it on the public schema)."""

    def __init__(self, user=None, language: str = "en"):
        super().__init__(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE=language)
        self.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # before the user's own preference
        if user is not None:
            self.force_login(user)

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


def page(user, path: str, language: str = "en") -> str:
    response = Browser(user, language).get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def pdf_text(content: bytes) -> str:
    return "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def docs(store):
    """The store's dealer SH-1 (上海经销商, tax number set) orders 30 cans of 红牛 250ml (5.00) and 10 of 330ml
    (6.00) under a published 5 % off promotion (春季促销): 210.00 - 10.50 = 199.50. The warehouse ships it from
    上海仓 with SF. Around it: another dealer with its buyer, regional managers in and outside the dealer's part
    of the network."""
    owner = User.objects.get(email="owner@acme.test")
    dealers.dealer_update(actor=None, dealer=store.dealer, tax_number="91310000MA1K000001")
    PromotionFactory(actor=owner, code="SPRING", name="春季促销", published=True)
    hq = dealers.headquarters_ensure(name="HQ")
    south = dealers.region_create(actor=None, parent=hq, name="华南", code="R-SOUTH")
    other = dealers.dealer_create(actor=None, parent=south, code="GZ-1", legal_name="广州经销商", status="active",
                                  territories=[store.shanghai])
    dealers.address_add(actor=None, dealer=other, kind="shipping", recipient="李", phone="13900000000",
                        territory=store.shanghai, line="广州 2 号", is_default=True)
    other_buyer = UserFactory(email="buyer@gz.test", role="dealer_buyer", dealer=other, full_name="")
    order = order_submit(actor=store.buyer, dealer=store.dealer, note="请下午送货",
                         lines=[SubmitLine(store.sku.pk, store.can.pk, 30),
                                SubmitLine(store.water.pk, None, 10)]).order
    warehouse = UserFactory(email="wh@acme.test", role="warehouse", full_name="")
    fulfillment.order_allocate(actor=warehouse, order=order)
    sf = carrier_set_up(actor=owner)
    shipment, = ship_everything(order, SimpleNamespace(warehouse=warehouse), carrier=sf)
    return SimpleNamespace(
        store=store, order=order, shipment=shipment, owner=owner, warehouse=warehouse, other=other,
        other_buyer=other_buyer, buyer=store.buyer,
        analyst=UserFactory(email="analyst@acme.test", role="analyst", full_name=""),
        rm_in=UserFactory(email="rm.hq@acme.test", role="regional_manager", scope_node=hq, full_name=""),
        rm_out=UserFactory(email="rm.south@acme.test", role="regional_manager", scope_node=south, full_name=""),
    )


def test_the_order_adds_up_as_the_documents_say(docs):
    order = Order.objects.get(pk=docs.order.pk)
    assert (order.subtotal, order.discount_total, order.total) == (Decimal("210.00"), Decimal("10.50"),
                                                                   Decimal("199.50"))
    assert [p["name"] for p in order.breakdown["promotions"]] == ["春季促销"]


def test_the_confirmation_page_in_english(docs):
    order = docs.order
    html = page(docs.owner, f"/console/reports/documents/orders/{order.pk}/confirmation/")
    assert f'<span id="doc-number">{order.number}</span>' in html
    assert "Order confirmation" in html
    assert '<dd id="doc-dealer">上海经销商</dd>' in html
    assert '<dd id="doc-tax-number">91310000MA1K000001</dd>' in html
    assert "SH-1" in html and "王经理 13800000000" in html and "浦东新区 1 号" in html
    assert '<td class="num" data-label="Unit price">CN¥5.00</td>' in html
    assert '<td class="num" data-label="Gross">CN¥150.00</td>' in html
    assert '<td class="num" data-label="Discount">−&nbsp;CN¥7.50</td>' in html
    assert '<td class="num" data-label="Net">CN¥142.50</td>' in html
    assert '<td class="num" data-label="Net">CN¥57.00</td>' in html
    assert "春季促销" in html and "−&nbsp;CN¥10.50" in html
    assert '<td class="num" id="doc-subtotal">CN¥210.00</td>' in html
    assert '<td class="num" id="doc-discount">−&nbsp;CN¥10.50</td>' in html
    assert '<strong id="doc-total">CN¥199.50</strong>' in html
    assert '<p id="doc-note">请下午送货</p>' in html
    assert '<dd id="doc-status">Allocated</dd>' not in html  # shipped in full: the order moved on
    assert '<dd id="doc-status">Shipped</dd>' in html
    assert "reporting/documents.css" in html
    assert f'href="/console/reports/documents/orders/{order.pk}/confirmation.pdf"' in html


def test_the_confirmation_page_in_chinese(docs):
    order = docs.order
    html = page(docs.buyer, f"/account/reports/documents/orders/{order.pk}/confirmation/", language="zh-hans")
    assert "订单确认单" in html and "税号" in html and "收货地址" in html
    assert '<td class="num" data-label="单价">¥5.00</td>' in html
    assert '<td class="num" data-label="折后金额">¥142.50</td>' in html
    assert '<strong id="doc-total">¥199.50</strong>' in html
    assert '<dd id="doc-status">已发货</dd>' in html
    assert f'href="/account/reports/documents/orders/{order.pk}/confirmation.pdf"' in html
    assert f'href="/orders/{order.pk}/"' in html  # back to the dealer's order page


def test_the_delivery_note_page_in_both_languages(docs):
    shipment = docs.shipment
    html = page(docs.warehouse, f"/console/reports/documents/shipments/{shipment.pk}/delivery-note/")
    assert f'<span id="doc-number">{shipment.number}</span>' in html
    assert f'<dd id="doc-order">{docs.order.number}</dd>' in html
    assert '<dd id="doc-warehouse">上海仓 (E)</dd>' in html
    assert '<dd id="doc-carrier">顺丰速运</dd>' in html
    assert f'<dd id="doc-tracking">SF{shipment.pk:08d}</dd>' in html
    assert '<dd id="doc-dealer">上海经销商 (SH-1)</dd>' in html
    assert 'data-label="Quantity shipped">30 罐</td>' in html
    assert 'data-label="Quantity shipped">10 罐</td>' in html
    assert "Received by (signature)" in html and "Date received" in html
    assert "CN¥" not in html  # no prices on a delivery note
    zh = page(docs.buyer, f"/account/reports/documents/shipments/{shipment.pk}/delivery-note/", language="zh-hans")
    assert "送货单" in zh and "收货人（签字）" in zh and "收货日期" in zh and "发货数量" in zh
    assert 'data-label="发货数量">30 罐</td>' in zh
    assert "¥" not in zh


def test_the_confirmation_pdf_has_the_chinese_dealer_and_the_figures(docs):
    order = docs.order
    response = Browser(docs.buyer, "zh-hans").get(f"/account/reports/documents/orders/{order.pk}/confirmation.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{order.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "上海经销商" in text and "91310000MA1K000001" in text
    assert "订单确认单" in text and order.number in text
    assert "春季促销" in text and "¥142.50" in text and "¥199.50" in text and "请下午送货" in text
    english = Browser(docs.owner).get(f"/console/reports/documents/orders/{order.pk}/confirmation.pdf")
    english_text = pdf_text(english.content)
    assert "Order confirmation" in english_text and "上海经销商" in english_text and "CN¥199.50" in english_text


def test_the_delivery_note_pdf(docs):
    shipment = docs.shipment
    response = Browser(docs.warehouse, "zh-hans").get(
        f"/console/reports/documents/shipments/{shipment.pk}/delivery-note.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "送货单" in text and shipment.number in text and "上海经销商" in text and "顺丰速运" in text
    assert "收货人（签字）" in text and "30 罐" in text
    assert "¥" not in text


def test_without_a_font_file_the_pdf_uses_the_built_in_cid_font(docs, tmp_path):
    missing = str(tmp_path / "missing.ttc")
    content = order_confirmation_pdf(order_confirmation(docs.order), font_path=missing)
    assert content.startswith(b"%PDF") and b"STSong-Light" in content
    assert "上海经销商" in pdf_text(content) and "CN¥199.50" in pdf_text(content)
    assert delivery_note_pdf(delivery_note(docs.shipment), font_path=missing).startswith(b"%PDF")


CONFIRMATION = "/console/reports/documents/orders/{order}/confirmation/"
CONFIRMATION_PDF = "/console/reports/documents/orders/{order}/confirmation.pdf"
NOTE = "/console/reports/documents/shipments/{shipment}/delivery-note/"
NOTE_PDF = "/console/reports/documents/shipments/{shipment}/delivery-note.pdf"
MY_CONFIRMATION = "/account/reports/documents/orders/{order}/confirmation/"
MY_CONFIRMATION_PDF = "/account/reports/documents/orders/{order}/confirmation.pdf"
MY_NOTE = "/account/reports/documents/shipments/{shipment}/delivery-note/"
MY_NOTE_PDF = "/account/reports/documents/shipments/{shipment}/delivery-note.pdf"
CONSOLE = [CONFIRMATION, CONFIRMATION_PDF, NOTE, NOTE_PDF]
STOREFRONT = [MY_CONFIRMATION, MY_CONFIRMATION_PDF, MY_NOTE, MY_NOTE_PDF]


@pytest.mark.parametrize(("who", "console", "storefront"), [
    ("owner", 200, 403), ("warehouse", 200, 403), ("analyst", 200, 403), ("rm_in", 200, 403),
    ("rm_out", 404, 403), ("buyer", 403, 200), ("other_buyer", 403, 404),
])
def test_who_opens_the_documents(docs, who, console, storefront):
    browser = Browser(getattr(docs, who))
    ids = {"order": docs.order.pk, "shipment": docs.shipment.pk}
    assert [browser.get(url.format(**ids)).status_code for url in CONSOLE] == [console] * 4
    assert [browser.get(url.format(**ids)).status_code for url in STOREFRONT] == [storefront] * 4


def test_anonymous_is_sent_to_sign_in(docs):
    ids = {"order": docs.order.pk, "shipment": docs.shipment.pk}
    for url in CONSOLE + STOREFRONT:
        response = Browser().get(url.format(**ids))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_unknown_and_hostile_ids_are_404(docs):
    for url in CONSOLE:
        assert Browser(docs.owner).get(url.format(order=99999999999999999999, shipment=0)).status_code == 404
    for url in STOREFRONT:
        assert Browser(docs.buyer).get(url.format(order=999999, shipment=999999)).status_code == 404


def test_every_role_that_ships_reads_orders():
    """The console's delivery note asks for orders.view: every role that ships holds it, so it opens for them."""
    assert [role for role, capabilities in MATRIX.items()
            if FULFILLMENT_SHIP in capabilities and ORDERS_VIEW not in capabilities] == []


def test_links_on_the_order_and_shipment_pages(docs):
    order, shipment = docs.order, docs.shipment
    confirmation = f'href="/console/reports/documents/orders/{order.pk}/confirmation/"'
    note = f'href="/console/reports/documents/shipments/{shipment.pk}/delivery-note/"'
    console_order = page(docs.owner, f"/console/orders/{order.pk}/")
    assert confirmation in console_order and "Print confirmation" in console_order
    assert f'href="/console/reports/documents/orders/{order.pk}/confirmation.pdf"' in console_order
    fulfilment = page(docs.warehouse, f"/console/fulfillment/orders/{order.pk}/")
    assert note in fulfilment and f'href="/console/reports/documents/shipments/{shipment.pk}/delivery-note.pdf"' \
        in fulfilment
    assert note in page(docs.warehouse, "/console/fulfillment/shipments/")
    my_order = page(docs.buyer, f"/orders/{order.pk}/")
    assert f'href="/account/reports/documents/orders/{order.pk}/confirmation/"' in my_order
    assert f'href="/account/reports/documents/shipments/{shipment.pk}/delivery-note/"' in my_order
    assert f'href="/account/reports/documents/shipments/{shipment.pk}/delivery-note.pdf"' in my_order
    my_tracking = page(docs.buyer, f"/shipments/orders/{order.pk}/")
    assert f'href="/account/reports/documents/shipments/{shipment.pk}/delivery-note/"' in my_tracking


def _order_of(docs, skus) -> Order:
    return order_submit(actor=docs.buyer, dealer=docs.store.dealer,
                        lines=[SubmitLine(sku.pk, None, 2) for sku in skus]).order


def test_the_confirmation_page_runs_constant_queries(docs, count_queries):
    store = docs.store
    skus = [store.sku, store.water]
    for n in range(18):
        sku = SkuFactory(product=store.sku.product, code=f"RB-X{n:02d}", name=f"红牛 {n}", base_unit=store.can)
        PriceEntryFactory(price_list=store.base, sku=sku, unit=store.can, price="3.00")
        stock_receive(sku=sku, warehouse=store.east, quantity=10)
        skus.append(sku)
    few, many = _order_of(docs, skus[:2]), _order_of(docs, skus)
    browser = Browser(docs.owner)
    browser.get(CONFIRMATION.format(order=few.pk))
    with count_queries() as two_lines:
        assert browser.get(CONFIRMATION.format(order=few.pk)).content.decode().count("<tr data-sku=") == 2
    with count_queries() as twenty_lines:
        assert browser.get(CONFIRMATION.format(order=many.pk)).content.decode().count("<tr data-sku=") == 20
    assert len(twenty_lines.sql) == len(two_lines.sql)
