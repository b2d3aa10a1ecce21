"""Who may call what on the API: every role in `Role` and anonymous against every endpoint and method of
/api/v1/ on a brand's host, the expected status computed from MATRIX (tenant_apps/accounts/permissions.py)
and the capabilities each endpoint declares; denied calls change nothing. A route missing from ENDPOINTS
(or from the few exempt below, with their reason) fails `test_every_route_and_method_of_the_api_is_in_the_matrix`.

The objects the endpoints act on (orders in each state, shipments, returns, promotions, price lists, a
workflow...) are built once for the whole matrix by `make_world`, through the services, in a transaction
that rolls back when the matrix is done; each call runs in its own savepoint on top of it. Then the data
scopes: outside it is a 404."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.permissions import (
    APPROVALS_CONFIGURE,
    AUDIT_VIEW,
    CART_EDIT,
    CATALOG_EDIT,
    CATALOG_VIEW,
    COMPANY_ADDRESSES,
    COMPANY_USERS,
    COMPANY_VIEW,
    DEALER_ROLES,
    DEALERS_CREATE,
    DEALERS_EDIT,
    DEALERS_EXPORT,
    DEALERS_IMPORT,
    DEALERS_STATUS,
    DEALERS_VIEW,
    FULFILLMENT_SHIP,
    INVENTORY_EDIT,
    INVENTORY_SYNC,
    INVENTORY_VIEW,
    MATRIX,
    NETWORK_EDIT,
    ORDERS_APPROVE,
    ORDERS_MANAGE,
    ORDERS_VIEW,
    ORDERS_VIEW_OWN,
    PRICING_EDIT,
    PRICING_VIEW,
    PROMOTIONS_EDIT,
    PROMOTIONS_VIEW,
    QUALIFICATIONS_EDIT,
    RETURNS_DECIDE,
    SETTINGS_EDIT,
    USERS_VIEW,
    Role,
)
from tenant_apps.accounts.services import user_create
from tenant_apps.approvals import services as approvals
from tenant_apps.approvals.models import ApprovalWorkflow, OrderApproval
from tenant_apps.approvals.services import APPROVER_ROLES, StepSpec
from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Category, Product, Sku
from tenant_apps.dealers import services
from tenant_apps.dealers.models import (
    Dealer,
    DealerAddress,
    DealerContact,
    Node,
    Qualification,
    QualificationType,
    Territory,
    Tier,
)
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.fulfillment.models import Carrier, ReturnRequest, Shipment, TrackingEvent
from tenant_apps.inventory import services as inventory
from tenant_apps.inventory.models import Stock, StockMovement, Warehouse
from tenant_apps.ordering import quick
from tenant_apps.ordering import services as ordering
from tenant_apps.ordering.lifecycle import order_transition
from tenant_apps.ordering.models import CartLine, Order, OrderStatus, OrderTemplate
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import PriceEntry, PriceList, ProtectionWindow, ResalePrice
from tenant_apps.promotions import services as promotions
from tenant_apps.promotions.models import Coupon, Promotion
from tenants.models import Tenant
from tests.conftest import host_client
from tests.dealers.conftest import HOST_A, make_net
from tests.factories import DEFAULT_PASSWORD

API = "/api/v1"
READ_DEALER = (DEALERS_VIEW, COMPANY_VIEW)
SHIPMENT_READ = (ORDERS_VIEW, COMPANY_VIEW)  # brand staff in scope; the dealer's own staff
ORDER_READ = (ORDERS_VIEW, ORDERS_VIEW_OWN)
IMPORT_CSV = "code,legal_name,parent_code\r\nIMP-001,导入经销商有限公司,EAST\r\n".encode()
CATALOG_CSV = ("product_code,product_name,category_code,sku_code,sku_name,base_unit\r\n"
               "P-IMP,导入产品,DRINK,IMP-250,导入产品 250ml,CAN\r\n").encode()
CART_CSV = b"sku,quantity,unit\r\nRB-330,2,\r\n"
WEBHOOK_SECRET = "matrix-webhook-secret-0123456789"
START = datetime(2026, 1, 1, tzinfo=UTC)
ACTORS = [None, *Role]
OUTSIDERS = ["regional_manager-of-south", "sales_rep-of-canton", "dealer_owner-of-canton"]


def user_of(token_key: str):
    return Token.objects.select_related("user").get(key=token_key).user


# --- the world the matrix acts on -----------------------------------------------------------------


def make_world() -> SimpleNamespace:
    """In the current schema: the dealer network of `make_net` with Pudong (SH-002) active and ordering, one
    user (and API token) per role whose scope holds Pudong, a catalog, prices, stock in two warehouses,
    Pudong's orders in every state an endpoint needs, a shipment picking and one shipped, returns requested
    and approved, promotions draft and published, a cart line and an order template, and an approval
    workflow holding one order."""
    net = make_net()
    pudong = services.dealer_status_change(actor=None, dealer=net.pudong, to="active", reason="matrix")
    services.qualification_add(actor=None, dealer=pudong, type=net.licence, number="JY0001",
                               valid_to=date(2099, 12, 31))
    services.address_add(actor=None, dealer=pudong, kind="shipping", recipient="王经理", phone="13800000000",
                         territory=net.pudong_area, line="世纪大道 1 号", is_default=True)
    users, tokens = {}, {}
    for role in Role:
        extra = {"scope_node": net.east} if role == Role.REGIONAL_MANAGER else \
            {"dealer": pudong} if role in DEALER_ROLES else {}
        users[role] = user_create(actor=None, email=f"matrix-{role}@api.test", password=DEFAULT_PASSWORD,
                                  role=role, **extra)
        tokens[role] = Token.objects.create(user=users[role]).key
    services.dealer_update(actor=None, dealer=pudong, sales_rep=users[Role.SALES_REP])
    # people whose scope does not hold Pudong: a regional manager of the South, Canton's sales rep and owner
    outsiders = {}
    for name, role, extra in [(OUTSIDERS[0], Role.REGIONAL_MANAGER, {"scope_node": net.south}),
                              (OUTSIDERS[1], Role.SALES_REP, {}),
                              (OUTSIDERS[2], Role.DEALER_OWNER, {"dealer": net.canton})]:
        user = user_create(actor=None, email=f"outside-{role}@api.test", password=DEFAULT_PASSWORD, role=role,
                           **extra)
        outsiders[name] = (role, Token.objects.create(user=user).key)
    services.dealer_update(actor=None, dealer=net.canton, sales_rep=user_of(outsiders[OUTSIDERS[1]][1]))
    buyer, owner, warehouse_user = users[Role.DEALER_BUYER], users[Role.OWNER], users[Role.WAREHOUSE]

    can = catalog.unit_ensure(code="CAN", name="罐")
    case = catalog.unit_ensure(code="CASE", name="箱")
    drinks = catalog.category_create(actor=None, parent=None, code="DRINK", name="饮料")
    product = catalog.product_create(actor=None, category=drinks, code="RB", name="红牛", status="on_sale")
    sku = catalog.sku_create(actor=None, product=product, code="RB-250", name="红牛 250ml", base_unit=can,
                             units=[(case, 24, "")])
    water = catalog.sku_create(actor=None, product=product, code="RB-330", name="红牛 330ml", base_unit=can)
    base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base", status="active")
    entry = pricing.price_entry_set(actor=None, price_list=base, sku=sku, unit=can, price="5.00")
    pricing.price_entry_set(actor=None, price_list=base, sku=water, unit=can, price="6.00")
    window = pricing.protection_window_create(actor=None, name="春节保价", starts_on=date(2026, 1, 1),
                                              ends_on=date(2026, 2, 28), skus=[sku])
    east = inventory.warehouse_create(actor=None, code="E", name="上海仓", territories=[net.sh])
    west = inventory.warehouse_create(actor=None, code="W", name="广州仓", territories=[net.gd])
    for item in (sku, water):
        inventory.stock_receive(actor=None, sku_id=item.pk, warehouse_id=east.pk, quantity=100)
        inventory.stock_receive(actor=None, sku_id=item.pk, warehouse_id=west.pk, quantity=50)
    carrier = fulfillment.carrier_save(actor=None, carrier=Carrier.objects.get(code="sf"), name="顺丰速运",
                                       webhook_secret=WEBHOOK_SECRET,
                                       tracking_url_template="https://track.example.com/?no={number}")

    def approved(*lines) -> Order:
        order = order_submit(actor=buyer, dealer=pudong, lines=[SubmitLine(s.pk, None, q) for s, q in lines]).order
        if order.status != OrderStatus.APPROVED:
            order_transition(actor=owner, order=order, action="approve")
        return order

    waiting = approved((water, 3))  # approved, not allocated yet: allocate, cancel, reorder
    split = approved((sku, 120))  # 100 reserved in Shanghai, 20 in Guangzhou
    fulfillment.order_allocate(actor=warehouse_user, order=split)
    picking = fulfillment.shipment_create(actor=warehouse_user, order=split, warehouse_id=east.pk)
    shipped = approved((water, 10))
    fulfillment.order_allocate(actor=warehouse_user, order=shipped)
    sent = fulfillment.shipment_create(actor=warehouse_user, order=shipped, warehouse_id=east.pk)
    fulfillment.shipment_ship(actor=warehouse_user, shipment=sent, carrier=carrier, tracking_number="SF0001")
    shipped_line = shipped.lines.get()
    requested = fulfillment.return_request_create(actor=buyer, order=shipped, reason_code="damaged",
                                                  lines={shipped_line.pk: 2})
    accepted = fulfillment.return_request_create(actor=buyer, order=shipped, reason_code="surplus",
                                                 lines={shipped_line.pk: 2})
    fulfillment.return_decide(actor=owner, rma=accepted, approve=True)

    draft = promotions.promotion_create(actor=None, code="DRAFT", name="草稿满减", kind="percent",
                                        rule={"percent": "5"}, starts_at=START)
    live = promotions.promotion_create(actor=None, code="LIVE", name="九五折", kind="percent",
                                       rule={"percent": "5"}, starts_at=START, coupon_required=True)
    promotions.coupon_create(actor=None, promotion=live, code="LIVE5", total_limit=100)
    promotions.promotion_publish(actor=None, promotion=live)

    cart_line = ordering.cart_line_set(actor=buyer, dealer=pudong, sku_id=water.pk, quantity=2)
    template = quick.template_save(actor=buyer, dealer=pudong, name="常用")

    # from here on, Pudong's orders wait for one HQ step that every role able to approve may decide
    workflow = approvals.workflow_create(actor=owner, name="总部审批", steps=[
        StepSpec(name="总部", approver_roles=list(APPROVER_ROLES), scope="hq")])
    pending = order_submit(actor=buyer, dealer=pudong, lines=[SubmitLine(water.pk, None, 1)]).order
    for order in (waiting, split, shipped, pending):
        order.refresh_from_db()
    assert (waiting.status, pending.status, split.status, shipped.status) == (OrderStatus.APPROVED,
        OrderStatus.IN_APPROVAL, OrderStatus.ALLOCATED, OrderStatus.SHIPPED)

    ids = {
        "pudong": pudong.pk, "pudong_node": pudong.node_id, "east": net.east.pk, "drinks": drinks.pk,
        "product": product.pk, "sku": sku.pk, "water": water.pk, "wh_east": east.pk, "wh_west": west.pk,
        "base": base.pk, "entry": entry.pk, "window": window.pk, "draft": draft.pk, "live": live.pk,
        "waiting": waiting.pk, "split": split.pk, "shipped": shipped.pk, "shipped_line": shipped_line.pk,
        "pending": pending.pk, "picking": picking.pk, "sent": sent.pk, "requested": requested.pk,
        "accepted": accepted.pk, "cart_line": cart_line.pk, "template": template.pk, "workflow": workflow.pk,
    }
    return SimpleNamespace(net=net, pudong=pudong, users=users, tokens=tokens, outsiders=outsiders, ids=ids, sku=sku, water=water,
                           east=east, base=base, entry=entry, draft=draft, live=live, waiting=waiting,
                           split=split, shipped=shipped, pending=pending, picking=picking, sent=sent,
                           requested=requested, accepted=accepted, template=template, workflow=workflow)


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    """`make_world` in tenant A, once for the class, in a transaction rolled back after its last test (each
    test's own transaction is a savepoint inside it: pytest-django supports tests wrapped this way)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        outer._from_testcase = True  # like TestCase's own atomic: services may open durable blocks inside
        try:
            tenant = Tenant.objects.get(slug="acme")
            with schema_context(tenant.schema_name), translation.override("en"):
                made = make_world()
            made.schema = tenant.schema_name
            connection.set_schema_to_public()
            yield made
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()


# --- the endpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    route: str  # URL name (tenant_apps/*/api urls)
    method: str
    path: str  # formatted with the world's ids: {pudong}, {split}, {draft}...
    capabilities: tuple[str, ...]  # any one of them grants the call
    success: int = 200
    body: Any = None  # JSON; strings "{name}" become the world's ids
    send: Callable | None = None  # (client, path, world) -> response, for uploads and signed webhooks
    state: Callable | None = None  # world -> a value a successful call changes and a denied one leaves alone
    # Where the status is not "a capability -> success, else 403 (anonymous 401)": actor -> status, each
    # with its reason where the row is defined.
    exceptions: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.method}-{self.route}"


def _count(model, **filters):
    return lambda w: model.objects.filter(**filters).count()


def _status_of(model, name):
    return lambda w: model.objects.get(pk=w.ids[name]).status


def _upload(filename: str, content: bytes, content_type: str = "text/csv"):
    def send(client, path, w):
        return client.post(path, {"file": SimpleUploadedFile(filename, content, content_type=content_type)})
    return send


def _carrier_event(client, path, w):
    """A tracking event signed with the carrier's secret: the webhook's own authentication."""
    body = json.dumps({"event_id": "EV-1", "tracking_number": "SF0001", "status": "in_transit",
                       "location": "上海"}).encode()
    timestamp = str(int(time.time()))
    return client.post(path, body, content_type="application/json",
                       HTTP_X_CARRIER_SIGNATURE=fulfillment.webhook_signature(WEBHOOK_SECRET, timestamp, body),
                       HTTP_X_CARRIER_TIMESTAMP=timestamp)


# Support staff hold orders.approve, but an approval step never names them (APPROVER_ROLES leaves them
# out): the decision itself answers 403 "not your step", and nothing changes.
NOT_AN_APPROVER = {Role.SUPPORT: 403}
# The webhook has no session or token authentication: the signature is its credential, so every caller
# with a good signature gets 200 (a bad one: 401, tests/fulfillment/test_api.py).
ANYONE = {actor: 200 for actor in ACTORS}

ENDPOINTS = [
    # --- dealer network ---------------------------------------------------------------------------
    Endpoint("dealer-list", "GET", "/dealers/", (DEALERS_VIEW,)),
    Endpoint("dealer-detail", "GET", "/dealers/{pudong}/", READ_DEALER),
    Endpoint("dealer-addresses", "GET", "/dealers/{pudong}/addresses/", READ_DEALER),
    Endpoint("dealer-contacts", "GET", "/dealers/{pudong}/contacts/", READ_DEALER),
    Endpoint("dealer-qualifications", "GET", "/dealers/{pudong}/qualifications/", READ_DEALER),
    Endpoint("dealer-blockers", "GET", "/dealers/{pudong}/blockers/", READ_DEALER),
    Endpoint("dealer-export", "GET", "/dealers/export/?format=csv", (DEALERS_EXPORT,)),
    Endpoint("node-list", "GET", "/network/nodes/", (DEALERS_VIEW,)),
    Endpoint("tier-list", "GET", "/tiers/", (DEALERS_VIEW,)),
    Endpoint("territory-list", "GET", "/territories/", (DEALERS_VIEW, COMPANY_ADDRESSES)),
    Endpoint("qualification-type-list", "GET", "/qualification-types/", (DEALERS_VIEW,)),
    Endpoint("my-company", "GET", "/me/company/", (COMPANY_VIEW,)),
    Endpoint("dealer-list", "POST", "/dealers/", (DEALERS_CREATE,), 201,
             {"parent": "{east}", "code": "NEW-001", "legal_name": "新经销商有限公司"}, state=_count(Dealer)),
    Endpoint("dealer-detail", "PATCH", "/dealers/{pudong}/", (DEALERS_EDIT,), 200, {"name": "浦东新名"},
             state=lambda w: Dealer.objects.get(pk=w.pudong.pk).name),
    Endpoint("dealer-status", "POST", "/dealers/{pudong}/status/", (DEALERS_STATUS,), 200,
             {"to": "suspended", "reason": "overdue"}, state=lambda w: Dealer.objects.get(pk=w.pudong.pk).status),
    Endpoint("dealer-addresses", "POST", "/dealers/{pudong}/addresses/", (DEALERS_EDIT, COMPANY_ADDRESSES), 201,
             {"kind": "shipping", "recipient": "张三", "phone": "13800000000", "territory": "310115",
              "line": "世纪大道 2 号"}, state=_count(DealerAddress)),
    Endpoint("dealer-contacts", "POST", "/dealers/{pudong}/contacts/", (DEALERS_EDIT,), 201,
             {"name": "李四", "phone": "13900000000"}, state=_count(DealerContact)),
    Endpoint("dealer-qualifications", "POST", "/dealers/{pudong}/qualifications/", (QUALIFICATIONS_EDIT,), 201,
             {"type": "FOOD", "number": "JY14401060001234", "valid_to": "2099-12-31"}, state=_count(Qualification)),
    Endpoint("dealer-import", "POST", "/dealers/import/", (DEALERS_IMPORT,), 201,
             send=_upload("dealers.csv", IMPORT_CSV), state=_count(Dealer)),
    Endpoint("node-list", "POST", "/network/nodes/", (NETWORK_EDIT,), 201,
             {"parent": "{east}", "name": "上海片区", "code": "EAST-SH"}, state=_count(Node)),
    Endpoint("node-move", "POST", "/network/nodes/{pudong_node}/move/", (NETWORK_EDIT,), 200,
             {"parent": "{east}"}, state=lambda w: Node.objects.get(pk=w.pudong.node_id).path),
    Endpoint("tier-list", "POST", "/tiers/", (SETTINGS_EDIT,), 201, {"code": "B", "name": "银牌", "rank": 2},
             state=_count(Tier)),
    Endpoint("territory-list", "POST", "/territories/", (SETTINGS_EDIT,), 201,
             {"code": "EAST_CHINA", "name": "华东片区", "parent": "CN"}, state=_count(Territory)),
    Endpoint("qualification-type-list", "POST", "/qualification-types/", (SETTINGS_EDIT,), 201,
             {"code": "BIZ", "name": "营业执照"}, state=_count(QualificationType)),
    # --- inventory --------------------------------------------------------------------------------
    Endpoint("warehouse-list", "GET", "/warehouses/", (INVENTORY_VIEW,)),
    Endpoint("warehouse-list", "POST", "/warehouses/", (INVENTORY_EDIT,), 201, {"code": "N", "name": "新仓"},
             state=_count(Warehouse)),
    Endpoint("stock-list", "GET", "/stock/", (INVENTORY_VIEW,)),
    Endpoint("stock-movements", "GET", "/stock/movements/", (INVENTORY_VIEW,)),
    Endpoint("stock-receipts", "POST", "/stock/receipts/", (INVENTORY_EDIT,), 201,
             {"sku": "{sku}", "warehouse": "{wh_east}", "quantity": 5}, state=_count(StockMovement)),
    Endpoint("stock-adjustments", "POST", "/stock/adjustments/", (INVENTORY_EDIT,), 201,
             {"sku": "{water}", "warehouse": "{wh_west}", "delta": -1, "reason": "破损"},
             state=_count(StockMovement)),
    Endpoint("stock-transfers", "POST", "/stock/transfers/", (INVENTORY_EDIT,), 201,
             {"sku": "{water}", "warehouse": "{wh_west}", "to_warehouse": "{wh_east}", "quantity": 1},
             state=_count(StockMovement)),
    Endpoint("stock-sync", "POST", "/stock/sync/", (INVENTORY_SYNC,), 200,
             {"sync_id": "ERP-1", "warehouse": "W", "levels": [{"sku": "RB-330", "on_hand": 70}]},
             state=lambda w: list(Stock.objects.order_by("pk").values_list("on_hand", flat=True))),
    # --- catalog ----------------------------------------------------------------------------------
    Endpoint("catalog-category-list", "GET", "/catalog/categories/", (CATALOG_VIEW,)),
    Endpoint("catalog-category-list", "POST", "/catalog/categories/", (CATALOG_EDIT,), 201,
             {"code": "SNACK", "name": "零食"}, state=_count(Category)),
    Endpoint("catalog-product-list", "GET", "/catalog/products/", (CATALOG_EDIT,)),  # dealers browse SKUs
    Endpoint("catalog-product-list", "POST", "/catalog/products/", (CATALOG_EDIT,), 201,
             {"category": "{drinks}", "code": "DP", "name": "东鹏特饮"}, state=_count(Product)),
    Endpoint("catalog-sku-list", "GET", "/catalog/skus/", (CATALOG_VIEW,)),
    Endpoint("catalog-sku-list", "POST", "/catalog/skus/", (CATALOG_EDIT,), 201,
             {"product": "{product}", "code": "RB-500", "name": "红牛 500ml", "base_unit": "CAN"},
             state=_count(Sku)),
    Endpoint("catalog-import", "POST", "/catalog/import/", (CATALOG_EDIT,), 200,
             send=_upload("catalog.csv", CATALOG_CSV), state=_count(Sku)),
    Endpoint("catalog-export", "GET", "/catalog/export/?format=csv", (CATALOG_EDIT,)),
    # --- pricing ----------------------------------------------------------------------------------
    # Dealer staff quote for their own company (catalog.view), brand staff for a dealer in scope.
    Endpoint("quote", "POST", "/quote/", (PRICING_VIEW, CATALOG_VIEW), 200,
             {"dealer_id": "{pudong}", "lines": [{"sku_id": "{sku}", "unit": "CASE", "quantity": 2}]}),
    Endpoint("pricing-list-list", "GET", "/pricing/lists/", (PRICING_VIEW,)),
    Endpoint("pricing-list-list", "POST", "/pricing/lists/", (PRICING_EDIT,), 201,
             {"code": "NEW", "name": "新价目表", "kind": "base"}, state=_count(PriceList)),
    Endpoint("pricing-list-detail", "GET", "/pricing/lists/{base}/", (PRICING_VIEW,)),
    Endpoint("pricing-list-detail", "PATCH", "/pricing/lists/{base}/", (PRICING_EDIT,), 200,
             {"name": "基础价 2026"}, state=lambda w: PriceList.objects.get(pk=w.base.pk).name),
    Endpoint("pricing-list-set-status", "POST", "/pricing/lists/{base}/status/", (PRICING_EDIT,), 200,
             {"status": "inactive"}, state=_status_of(PriceList, "base")),
    Endpoint("pricing-entry-list", "GET", "/pricing/entries/", (PRICING_VIEW,)),
    Endpoint("pricing-entry-list", "POST", "/pricing/entries/", (PRICING_EDIT,), 201,
             {"price_list": "{base}", "sku": "{sku}", "unit": "CASE", "price": "110.00"}, state=_count(PriceEntry)),
    Endpoint("pricing-entry-detail", "PATCH", "/pricing/entries/{entry}/", (PRICING_EDIT,), 200,
             {"price": "4.80"}, state=lambda w: PriceEntry.objects.get(pk=w.entry.pk).price),
    Endpoint("pricing-entry-detail", "DELETE", "/pricing/entries/{entry}/", (PRICING_EDIT,), 204,
             state=_count(PriceEntry)),
    Endpoint("pricing-protection-list", "GET", "/pricing/protections/", (PRICING_VIEW,)),
    Endpoint("pricing-protection-list", "POST", "/pricing/protections/", (PRICING_EDIT,), 201,
             {"name": "五一保价", "starts_on": "2099-05-01", "ends_on": "2099-05-07", "skus": ["{water}"]},
             state=_count(ProtectionWindow)),
    Endpoint("pricing-protection-detail", "GET", "/pricing/protections/{window}/", (PRICING_VIEW,)),
    Endpoint("pricing-compensation-list", "GET", "/pricing/compensations/", (PRICING_VIEW,)),
    Endpoint("pricing-resale-price-list", "GET", "/pricing/resale-prices/", (PRICING_VIEW,)),
    Endpoint("pricing-resale-price-list", "POST", "/pricing/resale-prices/", (PRICING_EDIT,), 201,
             {"sku": "{sku}", "price": "6.50"}, state=_count(ResalePrice)),
    # --- promotions -------------------------------------------------------------------------------
    Endpoint("promotion-list", "GET", "/promotions/", (PROMOTIONS_VIEW,)),
    Endpoint("promotion-list", "POST", "/promotions/", (PROMOTIONS_EDIT,), 201,
             {"code": "NEW", "name": "满减", "kind": "percent", "rule": {"percent": "3"},
              "starts_at": "2026-01-01T00:00:00Z"}, state=_count(Promotion)),
    # dealer staff: their own company's; brand staff: ?dealer= in their scope
    Endpoint("promotion-current", "GET", "/promotions/current/?dealer={pudong}", (CATALOG_VIEW, PROMOTIONS_VIEW)),
    Endpoint("promotion-detail", "GET", "/promotions/{draft}/", (PROMOTIONS_VIEW,)),
    Endpoint("promotion-detail", "PATCH", "/promotions/{draft}/", (PROMOTIONS_EDIT,), 200, {"name": "新名字"},
             state=lambda w: Promotion.objects.get(pk=w.draft.pk).name),
    Endpoint("promotion-coupons", "GET", "/promotions/{live}/coupons/", (PROMOTIONS_VIEW,)),
    Endpoint("promotion-coupons", "POST", "/promotions/{live}/coupons/", (PROMOTIONS_EDIT,), 201,
             {"code": "SPRING"}, state=_count(Coupon)),
    Endpoint("promotion-coupons-generate", "POST", "/promotions/{live}/coupons/generate/", (PROMOTIONS_EDIT,),
             201, {"count": 3, "prefix": "GEN"}, state=_count(Coupon)),
    Endpoint("promotion-publish", "POST", "/promotions/{draft}/publish/", (PROMOTIONS_EDIT,), 200, {},
             state=_status_of(Promotion, "draft")),
    Endpoint("promotion-unpublish", "POST", "/promotions/{live}/unpublish/", (PROMOTIONS_EDIT,), 200,
             {"reason": "预算用完"}, state=_status_of(Promotion, "live")),
    # --- cart, templates and orders (the cart is a dealer's: brand staff hold no cart.edit) ----------
    Endpoint("cart", "GET", "/cart/", (CART_EDIT,)),
    Endpoint("cart", "DELETE", "/cart/", (CART_EDIT,), state=_count(CartLine)),
    Endpoint("cart-lines", "POST", "/cart/lines/", (CART_EDIT,), 200, {"sku": "{sku}", "quantity": 24},
             state=_count(CartLine)),
    Endpoint("cart-line", "PUT", "/cart/lines/{cart_line}/", (CART_EDIT,), 200, {"quantity": 5},
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    Endpoint("cart-line", "DELETE", "/cart/lines/{cart_line}/", (CART_EDIT,), state=_count(CartLine)),
    Endpoint("cart-coupons", "PUT", "/cart/coupons/", (CART_EDIT,), 200, {"coupon_codes": ["LIVE5"]},
             state=lambda w: ordering.cart_quote(dealer=w.pudong).cart.coupon_codes),
    Endpoint("cart-quick", "POST", "/cart/quick/", (CART_EDIT,), 200, {"text": "RB-250 x 48"},
             state=_count(CartLine)),
    Endpoint("cart-upload", "POST", "/cart/upload/", (CART_EDIT,), 200, send=_upload("order.csv", CART_CSV),
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    Endpoint("order-templates", "GET", "/order-templates/", (CART_EDIT,)),
    Endpoint("order-templates", "POST", "/order-templates/", (CART_EDIT,), 201, {"name": "月度补货"},
             state=_count(OrderTemplate)),
    Endpoint("order-template", "GET", "/order-templates/{template}/", (CART_EDIT,)),
    Endpoint("order-template", "DELETE", "/order-templates/{template}/", (CART_EDIT,), 204,
             state=_count(OrderTemplate)),
    Endpoint("order-template-load", "POST", "/order-templates/{template}/load/", (CART_EDIT,), 200,
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    Endpoint("orders", "GET", "/orders/", ORDER_READ),
    Endpoint("orders", "POST", "/orders/", (CART_EDIT,), 201, {"lines": [{"sku": "{water}", "quantity": 1}]},
             state=_count(Order)),
    Endpoint("order", "GET", "/orders/{shipped}/", ORDER_READ),
    # Brand staff cancel with orders.manage, the dealer's buyers with cart.edit (until it is allocated).
    Endpoint("order-cancel", "POST", "/orders/{waiting}/cancel/", (ORDERS_MANAGE, CART_EDIT), 200,
             {"reason": "下错了"}, state=_status_of(Order, "waiting")),
    Endpoint("order-reorder", "POST", "/orders/{shipped}/reorder/", (CART_EDIT,), 200,
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    # Brand staff change an order with orders.manage, the dealer's buyers with cart.edit (before allocation).
    Endpoint("order-revise", "POST", "/orders/{waiting}/revise/", (ORDERS_MANAGE, CART_EDIT), 200,
             {"lines": [{"sku": "{water}", "quantity": 1}]},
             state=lambda w: Order.objects.get(pk=w.ids["waiting"]).revision),
    # --- approvals --------------------------------------------------------------------------------
    Endpoint("approval-inbox", "GET", "/approvals/inbox/", (ORDERS_APPROVE,)),
    # --- audit ------------------------------------------------------------------------------------
    Endpoint("audit-entry-list", "GET", "/audit/entries/", (AUDIT_VIEW,)),
    # one result per order: support's is "not your step", still a 200 that changes nothing
    Endpoint("approval-bulk-approve", "POST", "/approvals/bulk-approve/", (ORDERS_APPROVE,), 200,
             {"orders": ["{pending}"]}),
    Endpoint("order-decision-approve", "POST", "/orders/{pending}/approve/", (ORDERS_APPROVE,), 200, {},
             state=_count(OrderApproval, status="pending"), exceptions=NOT_AN_APPROVER),
    Endpoint("order-decision-reject", "POST", "/orders/{pending}/reject/", (ORDERS_APPROVE,), 200,
             {"reason": "价格不对"}, state=_status_of(Order, "pending"), exceptions=NOT_AN_APPROVER),
    Endpoint("order-decision-send-back", "POST", "/orders/{pending}/send-back/", (ORDERS_APPROVE,), 200,
             {"reason": "请改数量"}, state=_status_of(Order, "pending"), exceptions=NOT_AN_APPROVER),
    Endpoint("approval-workflow-list", "GET", "/approval-workflows/", (APPROVALS_CONFIGURE,)),
    Endpoint("approval-workflow-list", "POST", "/approval-workflows/", (APPROVALS_CONFIGURE,), 201,
             {"name": "大单财务审批", "min_total": "50000", "priority": 10,
              "steps": [{"name": "财务", "approver_roles": ["finance"]}]},
             state=_count(ApprovalWorkflow)),
    Endpoint("approval-workflow-detail", "GET", "/approval-workflows/{workflow}/", (APPROVALS_CONFIGURE,)),
    Endpoint("approval-workflow-detail", "PATCH", "/approval-workflows/{workflow}/", (APPROVALS_CONFIGURE,), 200,
             {"name": "总部终审"}, state=lambda w: ApprovalWorkflow.objects.get(pk=w.workflow.pk).name),
    Endpoint("approval-workflow-detail", "DELETE", "/approval-workflows/{workflow}/", (APPROVALS_CONFIGURE,),
             204, state=_count(ApprovalWorkflow)),
    # --- fulfilment -------------------------------------------------------------------------------
    Endpoint("shipment-list", "GET", "/shipments/", SHIPMENT_READ),
    Endpoint("shipment-list", "POST", "/shipments/", (FULFILLMENT_SHIP,), 201,
             {"order": "{split}", "warehouse": "{wh_west}"}, state=_count(Shipment)),
    Endpoint("shipment-detail", "GET", "/shipments/{sent}/", SHIPMENT_READ),
    Endpoint("shipment-ship", "POST", "/shipments/{picking}/ship/", (FULFILLMENT_SHIP,), 200,
             {"carrier": "sf", "tracking_number": "SF0002"}, state=_status_of(Shipment, "picking")),
    Endpoint("shipment-cancel", "POST", "/shipments/{picking}/cancel/", (FULFILLMENT_SHIP,), 204,
             state=_count(Shipment)),
    Endpoint("shipment-tracking", "GET", "/shipments/{sent}/tracking/", SHIPMENT_READ),
    Endpoint("shipment-tracking", "POST", "/shipments/{sent}/tracking/", (FULFILLMENT_SHIP,), 201,
             {"status": "in_transit", "location": "杭州"}, state=_count(TrackingEvent)),
    Endpoint("carrier-webhook", "POST", "/carriers/sf/webhook/", (), 200, send=_carrier_event,
             state=_count(TrackingEvent), exceptions=ANYONE),
    Endpoint("carrier-list", "GET", "/carriers/", (FULFILLMENT_SHIP, SETTINGS_EDIT)),
    Endpoint("carrier-list", "POST", "/carriers/", (SETTINGS_EDIT,), 201, {"code": "deppon", "name": "德邦快递"},
             state=_count(Carrier)),
    Endpoint("fulfillment-order-allocate", "POST", "/fulfillment/orders/{waiting}/allocate/", (FULFILLMENT_SHIP,),
             200, state=_status_of(Order, "waiting")),
    Endpoint("fulfillment-order-picking", "GET", "/fulfillment/orders/{split}/picking/", (FULFILLMENT_SHIP,)),
    Endpoint("fulfillment-order-confirm-receipt", "POST", "/fulfillment/orders/{shipped}/confirm-receipt/",
             (CART_EDIT,), 200, state=_status_of(Order, "shipped")),
    Endpoint("return-list", "GET", "/returns/", SHIPMENT_READ),
    Endpoint("return-list", "POST", "/returns/", (CART_EDIT,), 201,
             {"order": "{shipped}", "reason_code": "wrong_item", "lines": [{"line": "{shipped_line}", "quantity": 1}]},
             state=_count(ReturnRequest)),
    Endpoint("return-detail", "GET", "/returns/{requested}/", SHIPMENT_READ),
    Endpoint("return-approve", "POST", "/returns/{requested}/approve/", (RETURNS_DECIDE,), 200, {"note": "同意"},
             state=_status_of(ReturnRequest, "requested")),
    Endpoint("return-reject", "POST", "/returns/{requested}/reject/", (RETURNS_DECIDE,), 200, {"note": "无破损"},
             state=_status_of(ReturnRequest, "requested")),
    Endpoint("return-receive", "POST", "/returns/{accepted}/receive/", (FULFILLMENT_SHIP,), 200, {},
             state=_status_of(ReturnRequest, "accepted")),
    # --- people -----------------------------------------------------------------------------------
    Endpoint("api-users", "GET", "/users/", (USERS_VIEW, COMPANY_USERS)),  # a dealer owner sees their staff
    Endpoint("api-invitations", "GET", "/invitations/", (USERS_VIEW, COMPANY_USERS)),
]

# Routes of /api/v1/ without a row, and why.
EXEMPT = {
    # inviting: which roles an inviter may hand out is the invitation service's rule (a 400 per role, not a
    # 403), tested in tests/accounts/test_access.py; accepting takes the invitation's token, not a role
    ("api-invitations", "POST"), ("api-invitation-revoke", "POST"), ("api-invitation-accept", "POST"),
    # the signed-in user's own account and sign-in (dj-rest-auth, /me/): no capability, any signed-in user
    ("api-me", "GET"), ("rest_login", "POST"), ("rest_logout", "GET"), ("rest_logout", "POST"),
    ("rest_user_details", "GET"), ("rest_user_details", "PATCH"), ("rest_user_details", "PUT"),
    ("rest_password_change", "POST"), ("rest_password_reset", "POST"), ("rest_password_reset_confirm", "POST"),
}


# Endpoints acting on one of Pudong's objects (the dealer, its node, its orders, shipments, returns, cart
# line and template): to someone holding the capability but whose scope does not hold Pudong, the object
# does not exist (404, never a 403 and never a hit). Without the capability: 403 first.
OUTSIDE = {key: 404 for key in [
    "GET-dealer-detail", "PATCH-dealer-detail", "POST-dealer-status", "GET-dealer-addresses",
    "POST-dealer-addresses", "GET-dealer-contacts", "POST-dealer-contacts", "GET-dealer-qualifications",
    "POST-dealer-qualifications", "GET-dealer-blockers", "POST-node-move", "POST-quote",
    "PUT-cart-line", "DELETE-cart-line", "GET-order-template", "DELETE-order-template",
    "POST-order-template-load", "GET-order", "POST-order-cancel", "POST-order-reorder", "POST-order-revise",
    "POST-order-decision-approve", "POST-order-decision-reject", "POST-order-decision-send-back",
    "POST-shipment-list", "GET-shipment-detail", "POST-shipment-ship", "POST-shipment-cancel",
    "GET-shipment-tracking", "POST-shipment-tracking", "POST-fulfillment-order-allocate",
    "GET-fulfillment-order-picking", "POST-fulfillment-order-confirm-receipt", "POST-return-list",
    "GET-return-detail", "POST-return-approve", "POST-return-reject", "POST-return-receive",
]} | {
    # dealer staff always get their own company's promotions (the ?dealer= is for brand staff)
    "GET-promotion-current": {OUTSIDERS[0]: 404, OUTSIDERS[1]: 404, OUTSIDERS[2]: 200},
    # one result per order: Pudong's order is "not found" for them, and nothing is approved
    "POST-approval-bulk-approve": 200,
}


def expected_status(actor: str | None, endpoint: Endpoint) -> int:
    if actor in endpoint.exceptions:
        return endpoint.exceptions[actor]
    if actor is None:
        return 401
    return endpoint.success if set(endpoint.capabilities) & MATRIX[actor] else 403


def _fill(value, ids: dict):
    if isinstance(value, str):
        return ids[value[1:-1]] if value.startswith("{") and value.endswith("}") else value
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def call(client, endpoint: Endpoint, w):
    path = API + endpoint.path.format(**w.ids)
    if endpoint.send:
        return endpoint.send(client, path, w)
    if endpoint.method in ("GET", "DELETE"):
        return getattr(client, endpoint.method.lower())(path)
    return getattr(client, endpoint.method.lower())(path, _fill(endpoint.body or {}, w.ids),
                                                    content_type="application/json")


def _api_routes() -> set[tuple[str, str]]:
    """(URL name, method) of every view under /api/v1/ of a brand's host."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    routed = set()
    for route, pattern in walk(get_resolver("dms.urls_tenant").url_patterns):
        if not route.startswith("api/v1/"):
            continue
        view = pattern.callback
        if getattr(view, "actions", None):
            methods = set(view.actions)
        else:
            cls = getattr(view, "view_class", None) or view.cls
            methods = {m for m in cls.http_method_names if hasattr(cls, m)} - {"options", "head"}
        routed |= {(pattern.name, method.upper()) for method in methods if method != "head"}
    return routed


def test_every_route_and_method_of_the_api_is_in_the_matrix():
    keys = [(endpoint.route, endpoint.method) for endpoint in ENDPOINTS]
    assert len(keys) == len(set(keys))  # one row each
    assert set(keys) | EXEMPT == _api_routes()
    assert not set(keys) & EXEMPT


def test_each_endpoint_is_granted_to_some_role_and_every_write_is_refused_to_some_role():
    for endpoint in ENDPOINTS:
        outcomes = {expected_status(role, endpoint) for role in Role}
        assert endpoint.success in outcomes, endpoint
        assert endpoint.state is None or 403 in outcomes or endpoint.exceptions == ANYONE, endpoint


class TestEveryRoleOnEveryEndpoint:
    """One class so that the world is built once for all its calls (a class-scoped fixture)."""

    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
    @pytest.mark.parametrize("actor", ACTORS, ids=lambda role: role or "anonymous")
    def test_access_matrix(self, actor, endpoint, world, db):
        client = host_client(HOST_A, HTTP_AUTHORIZATION=f"Token {world.tokens[actor]}") if actor else \
            host_client(HOST_A)
        with schema_context(world.schema):
            before = endpoint.state(world) if endpoint.state else None
            audit_before = AuditEntry.objects.count()

        response = call(client, endpoint, world)

        expected = expected_status(actor, endpoint)
        assert response.status_code == expected, response.content[:300]
        if expected == 401:
            assert response.json()["code"] == "not_authenticated"
            assert response["WWW-Authenticate"] == "Token"
        elif expected == 403:
            assert response.json()["code"] in ("permission_denied", "not_your_step")
        with schema_context(world.schema):
            after = endpoint.state(world) if endpoint.state else None
            audit_after = AuditEntry.objects.count()
        if expected >= 400:
            assert (after, audit_after) == (before, audit_before)
        elif endpoint.state:
            assert after != before


    @pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.key in OUTSIDE], ids=lambda e: e.key)
    @pytest.mark.parametrize("outsider", OUTSIDERS)
    def test_outside_the_scope_is_a_404(self, outsider, endpoint, world, db):
        role, token = world.outsiders[outsider]
        client = host_client(HOST_A, HTTP_AUTHORIZATION=f"Token {token}")
        with schema_context(world.schema):
            before = endpoint.state(world) if endpoint.state else None
            audit_before = AuditEntry.objects.count()

        response = call(client, endpoint, world)

        outside = OUTSIDE[endpoint.key]
        expected = outside.get(outsider, 404) if isinstance(outside, dict) else outside
        if not set(endpoint.capabilities) & MATRIX[role]:
            expected = 403
        assert response.status_code == expected, response.content[:300]
        if expected == 404:
            assert response.json()["code"].endswith("not_found")  # "not_found" or "order_not_found"...
        with schema_context(world.schema):
            assert endpoint.state(world) == before if endpoint.state else True
            assert AuditEntry.objects.count() == audit_before

    @pytest.mark.parametrize("route", ["dealer-list", "node-list", "orders", "shipment-list", "return-list",
                                       "approval-inbox", "api-users"])
    @pytest.mark.parametrize("outsider", OUTSIDERS)
    def test_lists_show_an_outsider_nothing_of_pudong(self, outsider, route, world, db):
        endpoint = next(e for e in ENDPOINTS if (e.route, e.method) == (route, "GET"))
        role, token = world.outsiders[outsider]
        response = call(host_client(HOST_A, HTTP_AUTHORIZATION=f"Token {token}"), endpoint, world)
        if not set(endpoint.capabilities) & MATRIX[role]:
            assert response.status_code == 403
            return
        assert response.status_code == 200
        text = response.content.decode()
        with schema_context(world.schema):
            numbers = list(Order.objects.filter(dealer=world.pudong).values_list("number", flat=True))
        assert len(numbers) == 4
        assert [marker for marker in ["SH-002", "matrix-dealer_", *numbers] if marker in text] == []


def test_pricing_of_a_dealer_outside_the_scope_does_not_exist(net, api_client, in_a):
    """A dealer's own price list, protection window and the entries of that list are read in the reader's
    data scope, like the dealer itself; brand-wide ones are read by everyone with pricing.view."""
    with in_a():
        can = catalog.unit_ensure(code="CAN", name="罐")
        drinks = catalog.category_create(actor=None, parent=None, code="DRINK", name="饮料")
        product = catalog.product_create(actor=None, category=drinks, code="RB", name="红牛")
        sku = catalog.sku_create(actor=None, product=product, code="RB-250", name="红牛 250ml", base_unit=can)
        base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base")
        contract = pricing.price_list_create(actor=None, code="C-PD", name="浦东合同价", kind="dealer",
                                             dealer=net.pudong)
        pricing.price_entry_set(actor=None, price_list=base, sku=sku, unit=can, price="5.00")
        entry = pricing.price_entry_set(actor=None, price_list=contract, sku=sku, unit=can, price="4.50")
        window = pricing.protection_window_create(actor=None, name="浦东保价", dealer=net.pudong,
                                                  starts_on=date(2099, 1, 1), ends_on=date(2099, 1, 31))
    east, south = (api_client(Role.REGIONAL_MANAGER, scope_node=node) for node in (net.east, net.south))
    # the base lists (the brand's, and the one sign-up made) are everyone's; the contract only the east's
    assert [row["code"] for row in east.get(f"{API}/pricing/lists/").json()["results"]] == ["BASE", "DEFAULT", "C-PD"]
    assert [row["code"] for row in south.get(f"{API}/pricing/lists/").json()["results"]] == ["BASE", "DEFAULT"]
    assert [row["price"] for row in south.get(f"{API}/pricing/entries/").json()["results"]] == ["5.0000"]
    assert south.get(f"{API}/pricing/protections/").json()["count"] == 0
    # (no role with a partial scope holds pricing.edit: the writes are refused before any lookup)
    refused = [south.get(f"{API}/pricing/lists/{contract.pk}/"), south.get(f"{API}/pricing/protections/{window.pk}/")]
    assert [(r.status_code, r.json()["code"]) for r in refused] == [(404, "not_found")] * 2
    assert east.get(f"{API}/pricing/lists/{contract.pk}/").json()["dealer"] == net.pudong.pk
    assert east.get(f"{API}/pricing/protections/{window.pk}/").status_code == 200
    assert [row["price"] for row in east.get(f"{API}/pricing/entries/", {"sku": entry.sku_id}).json()["results"]] \
        == ["5.0000", "4.5000"]


# --- data scope: outside it is a 404, never a 403 and never a hit ---------------------------------


def test_regional_manager_of_east_never_reaches_a_dealer_of_south(net, api_client, in_a):
    manager = api_client(Role.REGIONAL_MANAGER, scope_node=net.east)
    listed = manager.get(f"{API}/dealers/")
    assert [d["code"] for d in listed.json()["results"]] == ["SH-001", "SH-002"]
    canton = f"{API}/dealers/{net.canton.pk}"
    guesses = [
        manager.get(f"{canton}/"),
        manager.patch(f"{canton}/", {"name": "改名"}, content_type="application/json"),
        manager.post(f"{canton}/status/", {"to": "active"}, content_type="application/json"),
        manager.get(f"{canton}/addresses/"),
        manager.post(f"{canton}/addresses/", {"recipient": "王五", "phone": "1", "territory": "440000",
                                             "line": "天河路 1 号"}, content_type="application/json"),
        manager.get(f"{canton}/contacts/"),
        manager.get(f"{canton}/qualifications/"),
        manager.get(f"{canton}/blockers/"),
    ]
    assert [(r.status_code, r.json()["code"]) for r in guesses] == [(404, "dealer_not_found")] * 8
    with in_a():
        canton_now = Dealer.objects.get(pk=net.canton.pk)
        assert (canton_now.name, canton_now.status, canton_now.addresses.count()) == ("广州经销商", "prospect", 0)
        assert AuditEntry.objects.filter(target_id=str(net.canton.pk)).count() == 1  # its creation only


def test_regional_manager_cannot_create_or_move_outside_their_subtree(net, api_client, in_a):
    manager = api_client(Role.REGIONAL_MANAGER, scope_node=net.east)
    created = manager.post(f"{API}/dealers/", {"parent": net.south.pk, "code": "GD-009", "legal_name": "越界"},
                           content_type="application/json")
    assert created.status_code == 400
    assert created.json()["fields"] == {"parent": ["No such place in the network."]}
    moved_out = manager.post(f"{API}/network/nodes/{net.agent.node_id}/move/", {"parent": net.south.pk},
                             content_type="application/json")
    assert (moved_out.status_code, moved_out.json()["fields"]) == (400, {"parent": ["No such place in the network."]})
    moved_in = manager.post(f"{API}/network/nodes/{net.canton.node_id}/move/", {"parent": net.east.pk},
                            content_type="application/json")
    assert (moved_in.status_code, moved_in.json()["code"]) == (404, "node_not_found")
    nodes = manager.get(f"{API}/network/nodes/").json()["results"]
    assert [n["code"] for n in nodes] == ["EAST", "SH-001", "SH-002"]
    with in_a():
        assert not Dealer.objects.filter(code="GD-009").exists()
        assert Node.objects.get(pk=net.agent.node_id).path == net.agent.node.path
        assert Node.objects.get(pk=net.canton.node_id).path == net.canton.node.path


def test_the_under_filter_narrows_a_scope_and_never_widens_it(net, api_client):
    manager = api_client(Role.REGIONAL_MANAGER, scope_node=net.east)
    below_agent = manager.get(f"{API}/dealers/", {"under": net.agent.node_id})
    assert [d["code"] for d in below_agent.json()["results"]] == ["SH-001", "SH-002"]
    below_pudong = manager.get(f"{API}/dealers/", {"under": net.pudong.node_id})
    assert [d["code"] for d in below_pudong.json()["results"]] == ["SH-002"]
    for outside in (net.south.pk, net.hq.pk, net.canton.node_id):
        refused = manager.get(f"{API}/dealers/", {"under": outside})
        assert refused.status_code == 400
        assert refused.json() == {"code": "invalid", "detail": "The request has invalid fields.",
                                  "fields": {"under": ["No such place in the network."]}}


def test_a_sales_rep_sees_only_their_assigned_dealers(net, api_client, in_a):
    rep = api_client(Role.SALES_REP)
    with in_a():
        services.dealer_update(actor=None, dealer=net.canton, sales_rep=rep.user)
    assert [d["code"] for d in rep.get(f"{API}/dealers/").json()["results"]] == ["GD-001"]
    assert rep.get(f"{API}/dealers/{net.canton.pk}/").status_code == 200
    for other in (net.agent, net.pudong):
        assert rep.get(f"{API}/dealers/{other.pk}/").status_code == 404
        assert rep.patch(f"{API}/dealers/{other.pk}/", {"name": "x"}, content_type="application/json").status_code == 404
    assert rep.get(f"{API}/dealers/", {"under": net.east.pk}).status_code == 400
    assert [n["code"] for n in rep.get(f"{API}/network/nodes/").json()["results"]] == ["GD-001"]


@pytest.mark.parametrize(("role", "adding_elsewhere"), [
    (Role.DEALER_OWNER, 404), (Role.DEALER_BUYER, 404), (Role.DEALER_FINANCE, 403),  # finance may not add
])
def test_dealer_staff_reach_only_their_own_company(role, adding_elsewhere, net, api_client, in_a):
    staff = api_client(role, dealer=net.pudong)
    assert staff.get(f"{API}/me/company/").json()["code"] == "SH-002"
    assert staff.get(f"{API}/dealers/{net.pudong.pk}/").json()["code"] == "SH-002"
    for other in (net.agent, net.canton):
        for path in ("", "addresses/", "contacts/", "qualifications/", "blockers/"):
            response = staff.get(f"{API}/dealers/{other.pk}/{path}")
            assert (response.status_code, response.json()["code"]) == (404, "dealer_not_found")
        added = staff.post(f"{API}/dealers/{other.pk}/addresses/", {
            "recipient": "张三", "phone": "13800000000", "territory": "310000", "line": "南京路 1 号",
        }, content_type="application/json")
        assert added.status_code == adding_elsewhere
    with in_a():
        assert DealerAddress.objects.count() == 0


def test_my_company_is_a_404_for_dealer_staff_without_a_dealer(net, api_client):
    orphan = api_client(Role.DEALER_OWNER)
    response = orphan.get(f"{API}/me/company/")
    assert (response.status_code, response.json()["code"]) == (404, "dealer_not_found")


def test_a_regional_manager_without_a_scope_sees_nothing(net, api_client):
    manager = api_client(Role.REGIONAL_MANAGER)
    assert manager.get(f"{API}/dealers/").json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert manager.get(f"{API}/network/nodes/").json()["count"] == 0
    assert manager.get(f"{API}/dealers/{net.pudong.pk}/").status_code == 404
