"""The API's endpoints and the world they act on, for the access tests of tests/access.

`ENDPOINTS` holds one row per (URL name, method) of /api/v1/ on a brand's host: the capabilities that grant
it (tenant_apps/accounts/permissions.py), the status of a granted call, its body, and `state` (a value a
granted write changes). The URL comes from `reverse()` with the world's object named by `at`, so a route
that moves keeps its row; a route without a row (or without its object in the world) fails
tests/access/test_matrix.py, never skips.

`make_world` builds, through the factories (tests/factories), everything the endpoints act on: the dealer
network of `tests.factories.dealers.network` with Pudong (SH-002) active and ordering, one user (and API
token) per role whose scope holds Pudong, people whose scope does not, a catalog, prices, stock in two
warehouses, Pudong's orders in every state an endpoint needs, shipments, returns, promotions, a cart line,
an order template and an approval workflow holding one order."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import (
    APPROVALS_CONFIGURE,
    AUDIT_VIEW,
    CART_EDIT,
    CATALOG_EDIT,
    CATALOG_VIEW,
    COMPANY_ADDRESSES,
    COMPANY_USERS,
    COMPANY_VIEW,
    CONSOLE,
    DEALER_ROLES,
    DEALERS_CREATE,
    DEALERS_EDIT,
    DEALERS_EXPORT,
    DEALERS_IMPORT,
    DEALERS_STATUS,
    DEALERS_VIEW,
    FINANCE_EDIT,
    FINANCE_PAY,
    FINANCE_VIEW,
    FINANCE_VIEW_OWN,
    FULFILLMENT_SHIP,
    INVENTORY_EDIT,
    INVENTORY_SYNC,
    INVENTORY_VIEW,
    MATRIX,
    NETWORK_EDIT,
    ORDERS_APPROVE,
    ORDERS_APPROVE_OWN,
    ORDERS_MANAGE,
    ORDERS_PLACE_FOR,
    ORDERS_VIEW,
    ORDERS_VIEW_OWN,
    PRICING_EDIT,
    PRICING_VIEW,
    PROMOTIONS_EDIT,
    PROMOTIONS_VIEW,
    QUALIFICATIONS_EDIT,
    RECEIVABLES_VIEW,
    RETURNS_DECIDE,
    SETTINGS_EDIT,
    SUPPLIER_FINANCE,
    SUPPLIER_INVENTORY,
    SUPPLIER_MATRIX,
    SUPPLIER_ORDERS,
    SUPPLIER_PRICING,
    SUPPLIERS_MANAGE,
    USERS_VIEW,
    Role,
)
from tenant_apps.approvals.models import ApprovalWorkflow, OrderApproval
from tenant_apps.catalog.models import Category, Product, Sku
from tenant_apps.dealers import people as dealer_people
from tenant_apps.dealers import services as dealers
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
from tenant_apps.finance import services as finance
from tenant_apps.finance import services_invoices as invoices
from tenant_apps.finance import services_rebates as rebates
from tenant_apps.finance import services_receivables as receivables
from tenant_apps.finance.bank import selectors as bank_selectors
from tenant_apps.finance.bank import services as bank
from tenant_apps.finance.models import (
    Adjustment,
    BankMatch,
    BankStatementLine,
    BlockLift,
    DealerSettlement,
    DealerTaxProfile,
    FinanceSettings,
    InvoiceRequest,
    LedgerEntry,
    Payment,
    RebateLine,
    RebateRule,
    RebateRun,
    Remittance,
    Statement,
    StatementDispute,
    StatementImport,
    SupplierTerms,
)
from tenant_apps.finance.services_statements import statement_dispute, statements_generate
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.fulfillment.models import Carrier, ReturnRequest, Shipment, TrackingEvent
from tenant_apps.inventory.models import SafetyStock, Stock, StockMovement, Warehouse
from tenant_apps.inventory.services import safety_stock_set
from tenant_apps.ordering import on_behalf
from tenant_apps.ordering import services as ordering
from tenant_apps.ordering.models import CartLine, Order, OrderStatus, OrderTemplate
from tenant_apps.ordering.submission import SubmitLine
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import PriceEntry, PriceList, ProtectionCompensation, ProtectionWindow, ResalePrice
from tenant_apps.promotions import services as promotions
from tenant_apps.promotions.models import Coupon, Promotion
from tenant_apps.recommendations.models import RecommendationSettings
from tenant_apps.replenishment.models import DealerSafetyStock, SellOutRecord
from tests.factories import UserFactory, token_for
from tests.factories.approvals import WorkflowFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, SkuFactory, unit
from tests.factories.dealers import address, network
from tests.factories.fulfillment import carrier as carrier_set_up
from tests.factories.fulfillment import shipped as shipped_from
from tests.factories.inventory import WarehouseFactory
from tests.factories.ordering import OrderFactory, cart_line, order_template
from tests.factories.pricing import PriceEntryFactory, PriceListFactory, ProtectionWindowFactory
from tests.factories.promotions import CouponFactory, PromotionFactory

URLCONF = "dms.urls_tenant"
SIGNED_IN = "(signed in)"  # no capability: any signed-in user of the host
READ_DEALER = (DEALERS_VIEW, COMPANY_VIEW)
SHIPMENT_READ = (ORDERS_VIEW, COMPANY_VIEW)  # brand staff in scope; the dealer's own staff
ORDER_READ = (ORDERS_VIEW, ORDERS_VIEW_OWN)
FINANCE_READ = (FINANCE_VIEW, FINANCE_VIEW_OWN)  # brand finance in scope; the dealer's own owner and finance
IMPORT_CSV = "code,legal_name,parent_code\r\nIMP-001,导入经销商有限公司,EAST\r\n".encode()
CATALOG_CSV = ("product_code,product_name,category_code,sku_code,sku_name,base_unit\r\n"
               "P-IMP,导入产品,DRINK,IMP-250,导入产品 250ml,CAN\r\n").encode()
CART_CSV = b"sku,quantity,unit\r\nRB-330,2,\r\n"
STATEMENT_CSV = ("交易日期,贷方发生额,对方户名,附言,交易流水号\r\n2026-12-01,300.00,浦东经销商,货款 DSH-002,M-1\r\n"
                 "2026-12-01,50.00,浦东经销商,货款 DSH-002,M-2\r\n").encode()
NEW_STATEMENT_CSV = "交易日期,贷方发生额,对方户名,附言,交易流水号\r\n2026-12-02,9.00,某人,利息,M-3\r\n".encode()
WEBHOOK_SECRET = "matrix-webhook-secret-0123456789"
SELL_OUT = {"date": (date.today() - timedelta(days=1)).isoformat(), "sku": "RB-250", "quantity": 3, "on_hand": 20}
START = datetime(2026, 1, 1, tzinfo=UTC)
ACTORS = [None, *Role]
OUTSIDERS = ["regional_manager-of-south", "sales_rep-of-canton", "dealer_owner-of-canton"]


# --- the world the endpoints act on ------------------------------------------------------------------


def make_world(tag: str = "matrix", webhook_secret: str = WEBHOOK_SECRET) -> SimpleNamespace:
    """In the current schema (see the module's docstring); `tag` names the users' mail addresses."""
    net = network()
    pudong = dealers.dealer_status_change(actor=None, dealer=net.pudong, to="active", reason="matrix")
    dealers.qualification_add(actor=None, dealer=pudong, type=net.licence, number="JY0001",
                              valid_to=date(2099, 12, 31))
    address(dealer=pudong, territory=net.pudong_area, line="世纪大道 1 号")
    users, tokens = {}, {}
    for role in Role:
        extra = {"scope_node": net.east} if role == Role.REGIONAL_MANAGER else \
            {"dealer": pudong} if role in DEALER_ROLES else {}
        users[role] = UserFactory(email=f"{tag}-{role}@api.test", full_name="", role=role, **extra)
        tokens[role] = token_for(users[role])
    dealers.dealer_update(actor=None, dealer=pudong, sales_rep=users[Role.SALES_REP])
    # people whose scope does not hold Pudong: a regional manager of the South, Canton's sales rep and owner
    outsiders = {}
    for name, role, extra in [(OUTSIDERS[0], Role.REGIONAL_MANAGER, {"scope_node": net.south}),
                              (OUTSIDERS[1], Role.SALES_REP, {}),
                              (OUTSIDERS[2], Role.DEALER_OWNER, {"dealer": net.canton})]:
        user = UserFactory(email=f"outside-{role}@{tag}.test", full_name="", role=role, **extra)
        outsiders[name] = (role, token_for(user))
        if role == Role.SALES_REP:
            dealers.dealer_update(actor=None, dealer=net.canton, sales_rep=user)
    buyer, owner, warehouse_user = users[Role.DEALER_BUYER], users[Role.OWNER], users[Role.WAREHOUSE]

    can, case = unit("CAN", "罐"), unit("CASE", "箱")
    drinks = CategoryFactory(code="DRINK", name="饮料")
    product = ProductFactory(category=drinks, code="RB", name="红牛")
    sku = SkuFactory(product=product, code="RB-250", name="红牛 250ml", base_unit=can, units=[(case, 24, "")])
    water = SkuFactory(product=product, code="RB-330", name="红牛 330ml", base_unit=can)
    base = PriceListFactory(code="BASE", name="基础价")
    entry = PriceEntryFactory(price_list=base, sku=sku, unit=can, price="5.00")
    PriceEntryFactory(price_list=base, sku=water, unit=can, price="6.00")
    window = ProtectionWindowFactory(name="春节保价", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 28),
                                     skus=[sku])
    east = WarehouseFactory(code="E", name="上海仓", territories=[net.sh], stock={sku: 100, water: 100})
    west = WarehouseFactory(code="W", name="广州仓", territories=[net.gd], stock={sku: 50, water: 50})
    carrier = carrier_set_up(webhook_secret=webhook_secret)

    def approved(*lines) -> Order:
        return OrderFactory(actor=buyer, dealer=pudong, lines=lines, approve_as=owner)

    waiting = approved((water, 3))  # approved, not allocated yet: allocate, cancel, reorder
    split = approved((sku, 120))  # 100 reserved in Shanghai, 20 in Guangzhou
    fulfillment.order_allocate(actor=warehouse_user, order=split)
    picking = fulfillment.shipment_create(actor=warehouse_user, order=split, warehouse_id=east.pk)
    shipped = approved((water, 10))
    fulfillment.order_allocate(actor=warehouse_user, order=shipped)
    sent = shipped_from(order=shipped, warehouse=east, actor=warehouse_user, carrier=carrier,
                        tracking_number="SF0001")
    shipped_line = shipped.lines.get()
    requested = fulfillment.return_request_create(actor=buyer, order=shipped, reason_code="damaged",
                                                  lines={shipped_line.pk: 2})
    accepted = fulfillment.return_request_create(actor=buyer, order=shipped, reason_code="surplus",
                                                 lines={shipped_line.pk: 2})
    fulfillment.return_decide(actor=owner, rma=accepted, approve=True)

    draft = PromotionFactory(code="DRAFT", name="草稿满减", starts_at=START)
    live = PromotionFactory(code="LIVE", name="九五折", starts_at=START, coupon_required=True)
    CouponFactory(promotion=live, code="LIVE5", total_limit=100)
    live = promotions.promotion_publish(actor=None, promotion=live)

    account = finance.top_up_record(actor=owner, dealer=pudong, amount="1000.00", reference="BANK-1").account
    # above the brand's threshold (10,000): waits for approval; asked by no one, so anyone may approve it
    adjustment = finance.adjustment_request(actor=None, dealer=pudong, amount="20000.00", reason="matrix")
    # rebates: a rule with a run under review holding Pudong's line, and a rule without runs
    rule = rebates.rebate_rule_create(actor=None, name="季度返利", period="quarter", mode="whole",
                                      tiers=[{"threshold": "0", "rate": "1"}], active_from=date(2025, 1, 1))
    free_rule = rebates.rebate_rule_create(actor=None, name="月度返利", period="month", mode="excess",
                                           tiers=[{"threshold": "100", "rate": "2"}], active_from=date(2025, 1, 1))
    run = rebates.rebate_run_compute(actor=None, rule=rule, period_start=date(2025, 1, 1))
    rebate_line = RebateLine.objects.create(run=run, dealer=pudong, basis="1000.00", rate="1", amount="10.00")
    # invoices: Pudong's tax details and a request waiting to be issued
    invoices.tax_profile_set(actor=None, dealer=pudong, kind="ordinary", title="浦东经销商",
                             tax_id="9144030071526726XG", email="fapiao@pudong.test")
    invoice = invoices.invoice_request_create(actor=None, dealer=pudong, subject="order", reference=shipped.number,
                                              amount="60.00")
    # price protection owed to Pudong, to be booked (finance credits it)
    purchase = pricing.purchase_record(dealer=pudong, sku_id=sku.pk, unit_id=can.pk, quantity=10, unit_price="5.00",
                                       bought_at=START, reference="SO-PP")
    compensation = ProtectionCompensation.objects.create(
        window=window, purchase=purchase, dealer=pudong, sku=sku, unit=can, quantity=10, price_before="5.00",
        price_after="4.50", amount="5.00", currency=purchase.currency)
    receivables.block_lift(actor=owner, dealer=pudong, reason="matrix")  # an active lift for DELETE to end
    # statements of the month, issued as the daily task would after its end: CNY waits for the dealer, USD has
    # a dispute waiting for finance
    finance.top_up_record(actor=owner, dealer=pudong, amount="5.00", currency="USD", reference="BANK-USD")
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(days=40)):
        issued = {s.currency: s for s in statements_generate(actor=None).created}
    statement, disputed = issued["CNY"], issued["USD"]
    dispute = statement_dispute(actor=users[Role.DEALER_FINANCE], statement=disputed,
                                line_ids=[disputed.lines.get().pk], comment="金额不对")[0]
    remittance = bank.remittance_record(actor=None, dealer=pudong, amount="300.00", paid_on=date.today(),
                                        payer_name="浦东经销商", remark="DSH-002")
    bank.bank_mappings_ensure()
    bank_statement, _run = bank.statement_import(actor=None, file=STATEMENT_CSV, filename="matrix.csv",
                                                 mapping=bank_selectors.mapping_get(code="generic"))
    bank_line, paid_line = bank_statement.lines.order_by("amount")
    bank_match = bank.bank_line_confirm(actor=None, line=bank_line)  # the 50.00: matched, for the reversal
    bank_line = paid_line  # the 300.00: open, suggested to Pudong with its transfer record
    # an online payment still waiting for its provider (the world connects none: tests/finance/test_payments.py
    # pays through the fake Stripe)
    payment = Payment.objects.create(dealer=pudong, currency=account.currency, amount="30.00", purpose="top_up",
                                     provider="stripe", provider_ref="pi_matrix", idempotency_key=f"pay-{tag}")
    line = cart_line(buyer=buyer, dealer=pudong, sku=water, quantity=2)
    template = order_template(buyer=buyer, dealer=pudong, name="常用")
    # a buyer whose owner set an internal approval limit, and their order waiting for the owner (dealers.people)
    limited = UserFactory(email=f"{tag}-limited@api.test", full_name="", role=Role.DEALER_BUYER, dealer=pudong)
    limited = dealer_people.person_rights_set(actor=users[Role.DEALER_OWNER], user_id=limited.pk, order=True,
                                              see_prices=True, pay=False, approve=False, approval_limit="0.01")
    held = OrderFactory(actor=limited, dealer=pudong, lines=[(water, 1)])

    # Pudong supplies a sub-dealer of its own (S2B2B), with its own price list and warehouse, and an order placed with
    # it. The world's plan lacks multi-tier distribution (POST /suppliers/ answers 402 here), so the designation is
    # made past the plan's check: tests/dealers/test_suppliers.py checks the plan.
    with mock.patch("tenant_apps.dealers.services.feature_check"):
        dealers.supplier_designate(actor=None, dealer=pudong)
    sub = dealers.dealer_create(actor=None, parent=pudong.node, code="SH-003", legal_name="浦东下级", status="active",
                                supplier=pudong.node, territories=[net.pudong_area])
    dealers.qualification_add(actor=None, dealer=sub, type=net.licence, number="JY0003", valid_to=date(2099, 12, 31))
    address(dealer=sub, territory=net.pudong_area, line="世纪大道 3 号")
    sub_buyer = UserFactory(email=f"{tag}-sub-buyer@api.test", full_name="", role=Role.DEALER_BUYER, dealer=sub)
    pudong_prices = PriceListFactory(code="PD-BASE", name="浦东价", owner=pudong.node)
    PriceEntryFactory(price_list=pudong_prices, sku=sku, unit=can, price="5.50")
    pudong_draft = PromotionFactory(code="PD-DRAFT", name="浦东草稿", starts_at=START, owner=pudong.node)
    pudong_live = PromotionFactory(code="PD-LIVE", name="浦东九九折", starts_at=START, owner=pudong.node,
                                   rule={"percent": "1"}, skus=[water], published=True)
    pudong_wh = WarehouseFactory(code="PD", name="浦东仓", owner=pudong.node, stock={sku: 20})
    sold = OrderFactory(actor=sub_buyer, dealer=sub, lines=[(sku, 2)])
    safety_stock_set(actor=None, owner=pudong.node, sku_id=sku.pk, quantity=500)  # its demand roll-up suggests some

    # from here on, Pudong's orders wait for one HQ step that every role able to approve may decide
    workflow = WorkflowFactory(actor=owner, name="总部审批")
    pending = OrderFactory(actor=buyer, dealer=pudong, lines=[(water, 1)])
    for order in (waiting, split, shipped, pending):
        order.refresh_from_db()
    assert (waiting.status, pending.status, split.status, shipped.status) == (OrderStatus.APPROVED,
        OrderStatus.IN_APPROVAL, OrderStatus.ALLOCATED, OrderStatus.SHIPPED)
    # an order Pudong's sales rep placed for it, waiting for Pudong to confirm it (the brand's setting, on for it)
    ordering.ordering_settings_update(actor=None, confirm_on_behalf=True)
    awaiting = on_behalf.order_submit_for(actor=users[Role.SALES_REP], dealer=pudong,
                                          lines=[SubmitLine(water.pk, None, 1)]).order
    ordering.ordering_settings_update(actor=None, confirm_on_behalf=False)
    assert awaiting.status == OrderStatus.AWAITING_DEALER

    ids = {
        "pudong": pudong.pk, "pudong_node": pudong.node_id, "east": net.east.pk, "drinks": drinks.pk,
        "product": product.pk, "sku": sku.pk, "water": water.pk, "wh_east": east.pk, "wh_west": west.pk,
        "base": base.pk, "entry": entry.pk, "window": window.pk, "draft": draft.pk, "live": live.pk,
        "waiting": waiting.pk, "split": split.pk, "shipped": shipped.pk, "shipped_line": shipped_line.pk,
        "pending": pending.pk, "awaiting": awaiting.pk, "picking": picking.pk, "sent": sent.pk,
        "requested": requested.pk,
        "accepted": accepted.pk, "cart_line": line.pk, "template": template.pk, "workflow": workflow.pk,
        "carrier": carrier.code, "account": account.pk, "adjustment": adjustment.pk,
        "rebate_rule": rule.pk, "rebate_rule_free": free_rule.pk, "rebate_run": run.pk, "rebate_line": rebate_line.pk,
        "invoice": invoice.pk, "compensation": compensation.pk,
        "statement": statement.pk,
        "statement_line": statement.lines.first().pk, "disputed": disputed.pk, "dispute": dispute.pk,
        "remittance": remittance.pk, "bank_statement": bank_statement.pk, "bank_line": bank_line.pk,
        "bank_match": bank_match.pk,
        "payment": payment.pk,
        "canton": net.canton.pk, "sub": sub.pk, "pudong_prices": pudong_prices.pk, "pudong_wh": pudong_wh.pk,
        "sold": sold.pk, "pudong_draft": pudong_draft.pk, "pudong_live": pudong_live.pk,
        "limited": limited.pk, "held": held.pk,
    }
    return SimpleNamespace(net=net, pudong=pudong, users=users, tokens=tokens, outsiders=outsiders, ids=ids,
                           schema=connection.schema_name, webhook_secret=webhook_secret)


# --- the endpoints -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    route: str  # URL name (tenant_apps/*/api urls)
    method: str
    at: str  # the world's object the URL names ("pudong", "split"...: a key of the world's ids), or ""
    capabilities: tuple[str, ...]  # any one of them grants the call
    success: int = 200
    body: Any = None  # JSON; strings "{name}" become the world's ids
    send: Callable | None = None  # (client, path, world) -> response, for uploads and signed webhooks
    state: Callable | None = None  # world -> a value a granted write changes
    # Where the status is not "a capability -> success, else 403 (anonymous 401)": actor -> status, each
    # with its reason where the row is defined.
    exceptions: dict = field(default_factory=dict)
    query: str = ""  # "dealer={pudong}": formatted with the world's ids

    @property
    def key(self) -> str:
        return f"{self.method}-{self.route}"


def _count(model, **filters):
    return lambda w: model.objects.filter(**filters).count()


def _status_of(model, name):
    return lambda w: model.objects.get(pk=w.ids[name]).status


def _field_of(model, name, attribute):
    return lambda w: getattr(model.objects.get(pk=w.ids[name]), attribute)


def _upload(filename: str, content: bytes, content_type: str = "text/csv"):
    def send(client, path, w):
        return client.post(path, {"file": SimpleUploadedFile(filename, content, content_type=content_type)})
    return send


def _remittance(client, path, w):
    return client.post(path, {"amount": "88.00", "paid_on": date.today().isoformat(), "payer_name": "浦东经销商",
                              "remark": "DSH-002"})


def _carrier_event(client, path, w):
    """A tracking event signed with the carrier's secret: the webhook's own authentication."""
    body = json.dumps({"event_id": "EV-1", "tracking_number": "SF0001", "status": "in_transit",
                       "location": "上海"}).encode()
    timestamp = str(int(time.time()))
    return client.post(path, body, content_type="application/json",
                       HTTP_X_CARRIER_SIGNATURE=fulfillment.webhook_signature(w.webhook_secret, timestamp, body),
                       HTTP_X_CARRIER_TIMESTAMP=timestamp)


# Support staff hold orders.approve, but an approval step never names them (APPROVER_ROLES leaves them
# out): the decision itself answers 403 "not your step", and nothing changes.
NOT_AN_APPROVER = {Role.SUPPORT: 403}
# The webhook has no session or token authentication: the signature is its credential, so every caller
# with a good signature gets 200 (a bad one: 401, tests/fulfillment/test_api.py).
ANYONE = {actor: 200 for actor in ACTORS}

ENDPOINTS = [
    # --- dealer network ---------------------------------------------------------------------------
    Endpoint("dealer-list", "GET", "", (DEALERS_VIEW,)),
    Endpoint("dealer-detail", "GET", "pudong", READ_DEALER),
    Endpoint("dealer-addresses", "GET", "pudong", READ_DEALER),
    Endpoint("dealer-contacts", "GET", "pudong", READ_DEALER),
    Endpoint("dealer-qualifications", "GET", "pudong", READ_DEALER),
    Endpoint("dealer-blockers", "GET", "pudong", READ_DEALER),
    Endpoint("dealer-export", "GET", "", (DEALERS_EXPORT,), query="format=csv"),
    Endpoint("node-list", "GET", "", (DEALERS_VIEW,)),
    Endpoint("tier-list", "GET", "", (DEALERS_VIEW,)),
    Endpoint("territory-list", "GET", "", (DEALERS_VIEW, COMPANY_ADDRESSES)),
    Endpoint("qualification-type-list", "GET", "", (DEALERS_VIEW,)),
    Endpoint("my-company", "GET", "", (COMPANY_VIEW,)),
    Endpoint("my-company-people", "GET", "", (COMPANY_USERS,)),
    Endpoint("my-company-person", "PATCH", "limited", (COMPANY_USERS,), 200, {"see_prices": False},
             state=lambda w: User.objects.get(pk=w.ids["limited"]).may_see_prices),
    Endpoint("dealer-list", "POST", "", (DEALERS_CREATE,), 201,
             {"parent": "{east}", "code": "NEW-001", "legal_name": "新经销商有限公司"}, state=_count(Dealer)),
    Endpoint("dealer-detail", "PATCH", "pudong", (DEALERS_EDIT,), 200, {"name": "浦东新名"},
             state=_field_of(Dealer, "pudong", "name")),
    Endpoint("dealer-status", "POST", "pudong", (DEALERS_STATUS,), 200,
             {"to": "suspended", "reason": "overdue"}, state=_status_of(Dealer, "pudong")),
    Endpoint("dealer-addresses", "POST", "pudong", (DEALERS_EDIT, COMPANY_ADDRESSES), 201,
             {"kind": "shipping", "recipient": "张三", "phone": "13800000000", "territory": "310115",
              "line": "世纪大道 2 号"}, state=_count(DealerAddress)),
    Endpoint("dealer-contacts", "POST", "pudong", (DEALERS_EDIT,), 201,
             {"name": "李四", "phone": "13900000000"}, state=_count(DealerContact)),
    Endpoint("dealer-qualifications", "POST", "pudong", (QUALIFICATIONS_EDIT,), 201,
             {"type": "FOOD", "number": "JY14401060001234", "valid_to": "2099-12-31"}, state=_count(Qualification)),
    Endpoint("dealer-import", "POST", "", (DEALERS_IMPORT,), 201,
             send=_upload("dealers.csv", IMPORT_CSV), state=_count(Dealer)),
    Endpoint("node-list", "POST", "", (NETWORK_EDIT,), 201,
             {"parent": "{east}", "name": "上海片区", "code": "EAST-SH"}, state=_count(Node)),
    Endpoint("node-move", "POST", "pudong_node", (NETWORK_EDIT,), 200,
             {"parent": "{east}"}, state=_field_of(Node, "pudong_node", "path")),
    Endpoint("tier-list", "POST", "", (SETTINGS_EDIT,), 201, {"code": "B", "name": "银牌", "rank": 2},
             state=_count(Tier)),
    Endpoint("territory-list", "POST", "", (SETTINGS_EDIT,), 201,
             {"code": "EAST_CHINA", "name": "华东片区", "parent": "CN"}, state=_count(Territory)),
    Endpoint("qualification-type-list", "POST", "", (SETTINGS_EDIT,), 201,
             {"code": "BIZ", "name": "营业执照"}, state=_count(QualificationType)),
    # --- inventory --------------------------------------------------------------------------------
    Endpoint("warehouse-list", "GET", "", (INVENTORY_VIEW,)),
    Endpoint("warehouse-list", "POST", "", (INVENTORY_EDIT,), 201, {"code": "N", "name": "新仓"},
             state=_count(Warehouse)),
    Endpoint("stock-list", "GET", "", (INVENTORY_VIEW,)),
    Endpoint("stock-movements", "GET", "", (INVENTORY_VIEW,)),
    Endpoint("stock-receipts", "POST", "", (INVENTORY_EDIT,), 201,
             {"sku": "{sku}", "warehouse": "{wh_east}", "quantity": 5}, state=_count(StockMovement)),
    Endpoint("stock-adjustments", "POST", "", (INVENTORY_EDIT,), 201,
             {"sku": "{water}", "warehouse": "{wh_west}", "delta": -1, "reason": "破损"},
             state=_count(StockMovement)),
    Endpoint("stock-transfers", "POST", "", (INVENTORY_EDIT,), 201,
             {"sku": "{water}", "warehouse": "{wh_west}", "to_warehouse": "{wh_east}", "quantity": 1},
             state=_count(StockMovement)),
    Endpoint("stock-sync", "POST", "", (INVENTORY_SYNC,), 200,
             {"sync_id": "ERP-1", "warehouse": "W", "levels": [{"sku": "RB-330", "on_hand": 70}]},
             state=lambda w: list(Stock.objects.order_by("pk").values_list("on_hand", flat=True))),
    # --- demand forecasts (read-only) ---------------------------------------------------------------
    Endpoint("forecast-accuracy-list", "GET", "", (INVENTORY_VIEW,)),
    Endpoint("forecast-weekly-list", "GET", "", (INVENTORY_VIEW,)),
    # --- catalog ----------------------------------------------------------------------------------
    Endpoint("catalog-category-list", "GET", "", (CATALOG_VIEW,)),
    Endpoint("catalog-category-list", "POST", "", (CATALOG_EDIT,), 201,
             {"code": "SNACK", "name": "零食"}, state=_count(Category)),
    Endpoint("catalog-product-list", "GET", "", (CATALOG_EDIT,)),  # dealers browse SKUs
    Endpoint("catalog-product-list", "POST", "", (CATALOG_EDIT,), 201,
             {"category": "{drinks}", "code": "DP", "name": "东鹏特饮"}, state=_count(Product)),
    Endpoint("catalog-sku-list", "GET", "", (CATALOG_VIEW,)),
    Endpoint("catalog-sku-list", "POST", "", (CATALOG_EDIT,), 201,
             {"product": "{product}", "code": "RB-500", "name": "红牛 500ml", "base_unit": "CAN"},
             state=_count(Sku)),
    Endpoint("catalog-import", "POST", "", (CATALOG_EDIT,), 200,
             send=_upload("catalog.csv", CATALOG_CSV), state=_count(Sku)),
    Endpoint("catalog-export", "GET", "", (CATALOG_EDIT,), query="format=csv"),
    # --- pricing ----------------------------------------------------------------------------------
    # Dealer staff quote for their own company (catalog.view), brand staff for a dealer in scope.
    Endpoint("quote", "POST", "", (PRICING_VIEW, CATALOG_VIEW), 200,
             {"dealer_id": "{pudong}", "lines": [{"sku_id": "{sku}", "unit": "CASE", "quantity": 2}]}),
    Endpoint("pricing-list-list", "GET", "", (PRICING_VIEW,)),
    Endpoint("pricing-list-list", "POST", "", (PRICING_EDIT,), 201,
             {"code": "NEW", "name": "新价目表", "kind": "base"}, state=_count(PriceList)),
    Endpoint("pricing-list-detail", "GET", "base", (PRICING_VIEW,)),
    Endpoint("pricing-list-detail", "PATCH", "base", (PRICING_EDIT,), 200,
             {"name": "基础价 2026"}, state=_field_of(PriceList, "base", "name")),
    Endpoint("pricing-list-set-status", "POST", "base", (PRICING_EDIT,), 200,
             {"status": "inactive"}, state=_status_of(PriceList, "base")),
    Endpoint("pricing-entry-list", "GET", "", (PRICING_VIEW,)),
    Endpoint("pricing-entry-list", "POST", "", (PRICING_EDIT,), 201,
             {"price_list": "{base}", "sku": "{sku}", "unit": "CASE", "price": "110.00"}, state=_count(PriceEntry)),
    Endpoint("pricing-entry-detail", "PATCH", "entry", (PRICING_EDIT,), 200,
             {"price": "4.80"}, state=_field_of(PriceEntry, "entry", "price")),
    Endpoint("pricing-entry-detail", "DELETE", "entry", (PRICING_EDIT,), 204,
             state=_count(PriceEntry)),
    Endpoint("pricing-protection-list", "GET", "", (PRICING_VIEW,)),
    Endpoint("pricing-protection-list", "POST", "", (PRICING_EDIT,), 201,
             {"name": "五一保价", "starts_on": "2099-05-01", "ends_on": "2099-05-07", "skus": ["{water}"]},
             state=_count(ProtectionWindow)),
    Endpoint("pricing-protection-detail", "GET", "window", (PRICING_VIEW,)),
    Endpoint("pricing-compensation-list", "GET", "", (PRICING_VIEW,)),
    Endpoint("pricing-compensation-book", "POST", "compensation", (FINANCE_EDIT,), 200,
             state=_status_of(ProtectionCompensation, "compensation")),
    Endpoint("pricing-resale-price-list", "GET", "", (PRICING_VIEW,)),
    Endpoint("pricing-resale-price-list", "POST", "", (PRICING_EDIT,), 201,
             {"sku": "{sku}", "price": "6.50"}, state=_count(ResalePrice)),
    # --- promotions -------------------------------------------------------------------------------
    Endpoint("promotion-list", "GET", "", (PROMOTIONS_VIEW,)),
    Endpoint("promotion-list", "POST", "", (PROMOTIONS_EDIT,), 201,
             {"code": "NEW", "name": "满减", "kind": "percent", "rule": {"percent": "3"},
              "starts_at": "2026-01-01T00:00:00Z"}, state=_count(Promotion)),
    # dealer staff: their own company's; brand staff: ?dealer= in their scope
    Endpoint("promotion-current", "GET", "", (CATALOG_VIEW, PROMOTIONS_VIEW), query="dealer={pudong}"),
    # --- recommendations: dealer staff their own company's blocks; brand staff ?dealer= in their scope ---
    Endpoint("recommendations", "GET", "", (CATALOG_VIEW,), query="dealer={pudong}"),
    Endpoint("recommendation-settings", "GET", "", (CONSOLE,)),
    Endpoint("recommendation-settings", "PATCH", "", (SETTINGS_EDIT,), 200, {"new": False},
             state=lambda w: list(RecommendationSettings.objects.values_list("new", flat=True))),
    Endpoint("promotion-detail", "GET", "draft", (PROMOTIONS_VIEW,)),
    Endpoint("promotion-detail", "PATCH", "draft", (PROMOTIONS_EDIT,), 200, {"name": "新名字"},
             state=_field_of(Promotion, "draft", "name")),
    Endpoint("promotion-coupons", "GET", "live", (PROMOTIONS_VIEW,)),
    Endpoint("promotion-coupons", "POST", "live", (PROMOTIONS_EDIT,), 201,
             {"code": "SPRING"}, state=_count(Coupon)),
    Endpoint("promotion-coupons-generate", "POST", "live", (PROMOTIONS_EDIT,),
             201, {"count": 3, "prefix": "GEN"}, state=_count(Coupon)),
    Endpoint("promotion-publish", "POST", "draft", (PROMOTIONS_EDIT,), 200, {},
             state=_status_of(Promotion, "draft")),
    Endpoint("promotion-unpublish", "POST", "live", (PROMOTIONS_EDIT,), 200,
             {"reason": "预算用完"}, state=_status_of(Promotion, "live")),
    # --- cart, templates and orders (the cart is a dealer's: brand staff hold no cart.edit) ----------
    Endpoint("cart", "GET", "", (CART_EDIT,)),
    Endpoint("cart", "DELETE", "", (CART_EDIT,), state=_count(CartLine)),
    Endpoint("cart-lines", "POST", "", (CART_EDIT,), 200, {"sku": "{sku}", "quantity": 24},
             state=_count(CartLine)),
    Endpoint("cart-line", "PUT", "cart_line", (CART_EDIT,), 200, {"quantity": 5},
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    Endpoint("cart-line", "DELETE", "cart_line", (CART_EDIT,), state=_count(CartLine)),
    Endpoint("cart-coupons", "PUT", "", (CART_EDIT,), 200, {"coupon_codes": ["LIVE5"]},
             state=lambda w: ordering.cart_quote(dealer=w.pudong).cart.coupon_codes),
    Endpoint("cart-quick", "POST", "", (CART_EDIT,), 200, {"text": "RB-250 x 48"},
             state=_count(CartLine)),
    Endpoint("cart-upload", "POST", "", (CART_EDIT,), 200, send=_upload("order.csv", CART_CSV),
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    Endpoint("order-templates", "GET", "", (CART_EDIT,)),
    Endpoint("order-templates", "POST", "", (CART_EDIT,), 201, {"name": "月度补货"},
             state=_count(OrderTemplate)),
    Endpoint("order-template", "GET", "template", (CART_EDIT,)),
    Endpoint("order-template", "DELETE", "template", (CART_EDIT,), 204,
             state=_count(OrderTemplate)),
    Endpoint("order-template-load", "POST", "template", (CART_EDIT,), 200,
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    Endpoint("orders", "GET", "", ORDER_READ),
    Endpoint("orders", "POST", "", (CART_EDIT,), 201, {"lines": [{"sku": "{water}", "quantity": 1}]},
             state=_count(Order)),
    Endpoint("order", "GET", "shipped", ORDER_READ),
    # Brand staff cancel with orders.manage, the dealer's buyers with cart.edit (until it is allocated).
    Endpoint("order-cancel", "POST", "waiting", (ORDERS_MANAGE, CART_EDIT), 200,
             {"reason": "下错了"}, state=_status_of(Order, "waiting")),
    Endpoint("order-reorder", "POST", "shipped", (CART_EDIT,), 200,
             state=lambda w: list(CartLine.objects.values_list("quantity", flat=True))),
    # Brand staff change an order with orders.manage, the dealer's buyers with cart.edit (before allocation).
    Endpoint("order-internal-approve", "POST", "held", (ORDERS_APPROVE_OWN,), 200, {},
             state=_status_of(Order, "held")),
    Endpoint("order-internal-decline", "POST", "held", (ORDERS_APPROVE_OWN,), 200, {"reason": "太多了"},
             state=_status_of(Order, "held")),
    Endpoint("order-revise", "POST", "waiting", (ORDERS_MANAGE, CART_EDIT), 200,
             {"lines": [{"sku": "{water}", "quantity": 1}]},
             state=_field_of(Order, "waiting", "revision")),
    # 代客下单: brand staff with orders.place_for order for Pudong (in their scope); its owner and buyers confirm or
    # decline what was placed for it
    Endpoint("dealer-orders-place", "POST", "pudong", (ORDERS_PLACE_FOR,), 201,
             {"lines": [{"sku": "{water}", "quantity": 1}]}, state=_count(Order)),
    Endpoint("order-confirm", "POST", "awaiting", (CART_EDIT,), 200, state=_status_of(Order, "awaiting")),
    Endpoint("order-decline", "POST", "awaiting", (CART_EDIT,), 200, {"reason": "不需要"},
             state=_status_of(Order, "awaiting")),
    # --- approvals --------------------------------------------------------------------------------
    Endpoint("approval-inbox", "GET", "", (ORDERS_APPROVE,)),
    # --- audit ------------------------------------------------------------------------------------
    Endpoint("audit-entry-list", "GET", "", (AUDIT_VIEW,)),
    # one result per order: support's is "not your step", still a 200 that changes nothing
    Endpoint("approval-bulk-approve", "POST", "", (ORDERS_APPROVE,), 200,
             {"orders": ["{pending}"]}),
    Endpoint("order-decision-approve", "POST", "pending", (ORDERS_APPROVE,), 200, {},
             state=_count(OrderApproval, status="pending"), exceptions=NOT_AN_APPROVER),
    Endpoint("order-decision-reject", "POST", "pending", (ORDERS_APPROVE,), 200,
             {"reason": "价格不对"}, state=_status_of(Order, "pending"), exceptions=NOT_AN_APPROVER),
    Endpoint("order-decision-send-back", "POST", "pending", (ORDERS_APPROVE,), 200,
             {"reason": "请改数量"}, state=_status_of(Order, "pending"), exceptions=NOT_AN_APPROVER),
    Endpoint("approval-workflow-list", "GET", "", (APPROVALS_CONFIGURE,)),
    Endpoint("approval-workflow-list", "POST", "", (APPROVALS_CONFIGURE,), 201,
             {"name": "大单财务审批", "min_total": "50000", "priority": 10,
              "steps": [{"name": "财务", "approver_roles": ["finance"]}]},
             state=_count(ApprovalWorkflow)),
    Endpoint("approval-workflow-detail", "GET", "workflow", (APPROVALS_CONFIGURE,)),
    Endpoint("approval-workflow-detail", "PATCH", "workflow", (APPROVALS_CONFIGURE,), 200,
             {"name": "总部终审"}, state=_field_of(ApprovalWorkflow, "workflow", "name")),
    Endpoint("approval-workflow-detail", "DELETE", "workflow", (APPROVALS_CONFIGURE,),
             204, state=_count(ApprovalWorkflow)),
    # --- fulfilment -------------------------------------------------------------------------------
    Endpoint("shipment-list", "GET", "", SHIPMENT_READ),
    Endpoint("shipment-list", "POST", "", (FULFILLMENT_SHIP,), 201,
             {"order": "{split}", "warehouse": "{wh_west}"}, state=_count(Shipment)),
    Endpoint("shipment-detail", "GET", "sent", SHIPMENT_READ),
    Endpoint("shipment-ship", "POST", "picking", (FULFILLMENT_SHIP,), 200,
             {"carrier": "sf", "tracking_number": "SF0002"}, state=_status_of(Shipment, "picking")),
    Endpoint("shipment-cancel", "POST", "picking", (FULFILLMENT_SHIP,), 204,
             state=_count(Shipment)),
    Endpoint("shipment-tracking", "GET", "sent", SHIPMENT_READ),
    Endpoint("shipment-tracking", "POST", "sent", (FULFILLMENT_SHIP,), 201,
             {"status": "in_transit", "location": "杭州"}, state=_count(TrackingEvent)),
    Endpoint("carrier-webhook", "POST", "carrier", (), 200, send=_carrier_event,
             state=_count(TrackingEvent), exceptions=ANYONE),
    Endpoint("carrier-list", "GET", "", (FULFILLMENT_SHIP, SETTINGS_EDIT)),
    Endpoint("carrier-list", "POST", "", (SETTINGS_EDIT,), 201, {"code": "deppon", "name": "德邦快递"},
             state=_count(Carrier)),
    Endpoint("fulfillment-order-allocate", "POST", "waiting", (FULFILLMENT_SHIP,),
             200, state=_status_of(Order, "waiting")),
    Endpoint("fulfillment-order-picking", "GET", "split", (FULFILLMENT_SHIP,)),
    Endpoint("fulfillment-order-confirm-receipt", "POST", "shipped",
             (CART_EDIT,), 200, state=_status_of(Order, "shipped")),
    Endpoint("return-list", "GET", "", SHIPMENT_READ),
    Endpoint("return-list", "POST", "", (CART_EDIT,), 201,
             {"order": "{shipped}", "reason_code": "wrong_item", "lines": [{"line": "{shipped_line}", "quantity": 1}]},
             state=_count(ReturnRequest)),
    Endpoint("return-detail", "GET", "requested", SHIPMENT_READ),
    Endpoint("return-approve", "POST", "requested", (RETURNS_DECIDE,), 200, {"note": "同意"},
             state=_status_of(ReturnRequest, "requested")),
    Endpoint("return-reject", "POST", "requested", (RETURNS_DECIDE,), 200, {"note": "无破损"},
             state=_status_of(ReturnRequest, "requested")),
    Endpoint("return-receive", "POST", "accepted", (FULFILLMENT_SHIP,), 200, {},
             state=_status_of(ReturnRequest, "accepted")),
    # --- finance ----------------------------------------------------------------------------------
    Endpoint("finance-account-list", "GET", "", FINANCE_READ),
    Endpoint("finance-account-ledger", "GET", "account", FINANCE_READ),
    Endpoint("finance-top-up-list", "POST", "", (FINANCE_EDIT,), 201,
             {"dealer": "{pudong}", "amount": "50.00", "reference": "BANK-2"}, state=_count(LedgerEntry)),
    Endpoint("finance-adjustment-list", "GET", "", (FINANCE_EDIT,)),
    Endpoint("finance-adjustment-list", "POST", "", (FINANCE_EDIT,), 201,
             {"dealer": "{pudong}", "amount": "-5.00", "reason": "运费差额"}, state=_count(Adjustment)),
    Endpoint("finance-adjustment-approve", "POST", "adjustment", (FINANCE_EDIT,), 200,
             state=_status_of(Adjustment, "adjustment")),
    Endpoint("finance-settings", "GET", "", (FINANCE_VIEW,)),
    Endpoint("finance-settings", "PUT", "", (FINANCE_EDIT,), 200, {"terms_days": 45},
             state=lambda w: list(FinanceSettings.objects.values_list("terms_days", flat=True))),
    Endpoint("finance-dealer-settlement", "GET", "pudong", (FINANCE_VIEW,)),
    Endpoint("finance-dealer-settlement", "PUT", "pudong", (FINANCE_EDIT,), 200,
             {"mode": "credit", "credit_limit": "5000.00", "terms_days": 30},
             state=lambda w: list(DealerSettlement.objects.values_list("mode", flat=True))),
    # rebates: brand finance reads and edits rules, reviews and approves runs
    Endpoint("finance-rebate-rule-list", "GET", "", (FINANCE_VIEW,)),
    Endpoint("finance-rebate-rule-list", "POST", "", (FINANCE_EDIT,), 201,
             {"name": "年度返利", "period": "year", "mode": "whole", "active_from": "2026-01-01",
              "tiers": [{"threshold": "1000000.00", "rate": "2"}]}, state=_count(RebateRule)),
    Endpoint("finance-rebate-rule-detail", "GET", "rebate_rule", (FINANCE_VIEW,)),
    Endpoint("finance-rebate-rule-detail", "PUT", "rebate_rule", (FINANCE_EDIT,), 200,
             {"name": "季度返利（新）", "period": "quarter", "mode": "excess", "active_from": "2025-01-01",
              "tiers": [{"threshold": "0", "rate": "1.5"}]}, state=_field_of(RebateRule, "rebate_rule", "name")),
    Endpoint("finance-rebate-rule-detail", "DELETE", "rebate_rule_free", (FINANCE_EDIT,), 204,
             state=_count(RebateRule)),
    Endpoint("finance-rebate-run-list", "GET", "", (FINANCE_VIEW,)),
    Endpoint("finance-rebate-run-list", "POST", "", (FINANCE_EDIT,), 201,
             {"rule": "{rebate_rule_free}", "period_start": "2025-06-15"}, state=_count(RebateRun)),
    Endpoint("finance-rebate-run-detail", "GET", "rebate_run", (FINANCE_VIEW,)),
    Endpoint("finance-rebate-run-approve", "POST", "rebate_run", (FINANCE_EDIT,), 200,
             state=_status_of(RebateRun, "rebate_run")),
    Endpoint("finance-rebate-line-exclude", "POST", "rebate_line", (FINANCE_EDIT,), 200,
             {"excluded": True, "reason": "窜货"}, state=_field_of(RebateLine, "rebate_line", "excluded")),
    # invoices: the dealer's own finance people and brand finance keep the tax details and ask; brand finance issues
    Endpoint("finance-tax-profile", "GET", "pudong", FINANCE_READ),
    Endpoint("finance-tax-profile", "PUT", "pudong", (FINANCE_EDIT, FINANCE_PAY), 200,
             {"kind": "ordinary", "title": "浦东经销商有限公司", "tax_id": "91350100M000100Y43",
              "email": "fapiao@pudong.test"}, state=lambda w: list(DealerTaxProfile.objects.values_list("title",
                                                                                                     flat=True))),
    Endpoint("finance-invoice-list", "GET", "", FINANCE_READ),
    Endpoint("finance-invoice-list", "POST", "", (FINANCE_EDIT, FINANCE_PAY), 201,
             {"dealer": "{pudong}", "subject": "statement", "reference": "ST-202611-001", "amount": "60.00"},
             state=_count(InvoiceRequest)),
    Endpoint("finance-invoice-detail", "GET", "invoice", FINANCE_READ),
    Endpoint("finance-invoice-issue", "POST", "invoice", (FINANCE_EDIT,), 200,
             state=_status_of(InvoiceRequest, "invoice")),
    Endpoint("finance-invoice-cancel", "POST", "invoice", (FINANCE_EDIT, FINANCE_PAY), 200,
             state=_status_of(InvoiceRequest, "invoice")),
    Endpoint("finance-receivable-list", "GET", "", (*FINANCE_READ, RECEIVABLES_VIEW)),
    Endpoint("finance-receivable-ageing", "GET", "", (FINANCE_VIEW, RECEIVABLES_VIEW)),
    Endpoint("finance-dealer-block-lift", "GET", "pudong", (FINANCE_VIEW, RECEIVABLES_VIEW)),
    Endpoint("finance-dealer-block-lift", "POST", "pudong", (FINANCE_EDIT,), 201, {"reason": "承诺月底付款"},
             state=_count(BlockLift)),
    Endpoint("finance-dealer-block-lift", "DELETE", "pudong", (FINANCE_EDIT,), 200, {"reason": "matrix"},
             state=_count(BlockLift, ended_at__isnull=True)),
    Endpoint("finance-terms", "GET", "", (FINANCE_VIEW, RECEIVABLES_VIEW)),
    Endpoint("finance-terms", "PUT", "", (FINANCE_EDIT,), 200, {"terms_kind": "monthly", "cutoff_day": 25},
             state=lambda w: list(FinanceSettings.objects.values_list("terms_kind", flat=True))),
    Endpoint("finance-dealer-terms", "GET", "pudong", (FINANCE_VIEW, RECEIVABLES_VIEW)),
    Endpoint("finance-dealer-terms", "PUT", "pudong", (FINANCE_EDIT,), 200, {"terms_kind": "monthly"},
             state=lambda w: list(DealerSettlement.objects.values_list("terms_kind", flat=True))),
    Endpoint("finance-statement-list", "GET", "", FINANCE_READ),
    Endpoint("finance-statement-detail", "GET", "statement", FINANCE_READ),
    Endpoint("finance-statement-pdf", "GET", "statement", FINANCE_READ),
    Endpoint("finance-statement-xlsx", "GET", "statement", FINANCE_READ),
    Endpoint("finance-statement-confirm", "POST", "statement", (FINANCE_PAY,), 200,
             state=_status_of(Statement, "statement")),
    Endpoint("finance-statement-dispute", "POST", "statement", (FINANCE_PAY,), 201,
             {"lines": ["{statement_line}"], "comment": "数量不对"}, state=_count(StatementDispute)),
    Endpoint("finance-statement-resolve", "POST", "disputed", (FINANCE_EDIT,), 200,
             {"dispute": "{dispute}", "reply": "已核对"}, state=_status_of(Statement, "disputed")),
    # a period before anything happened: issues nothing, but only finance may ask
    Endpoint("finance-statement-generate", "POST", "", (FINANCE_EDIT,), 201, {"period": "2025-01"}),
    Endpoint("finance-remittance-list", "GET", "", FINANCE_READ),
    Endpoint("finance-remittance-list", "POST", "", (FINANCE_PAY,), 201, send=_remittance,
             state=_count(Remittance)),
    Endpoint("finance-remittance-detail", "GET", "remittance", FINANCE_READ),
    Endpoint("finance-remittance-reject", "POST", "remittance", (FINANCE_EDIT,), 200, {"reason": "未到账"},
             state=_status_of(Remittance, "remittance")),
    Endpoint("finance-bank-statement-list", "GET", "", (FINANCE_EDIT,)),
    Endpoint("finance-bank-statement-list", "POST", "", (FINANCE_EDIT,), 201,
             send=lambda client, path, w: client.post(path, {"mapping": "generic", "file": SimpleUploadedFile(
                 "new.csv", NEW_STATEMENT_CSV, content_type="text/csv")}), state=_count(StatementImport)),
    Endpoint("finance-bank-statement-lines", "GET", "bank_statement", (FINANCE_EDIT,)),
    Endpoint("finance-bank-line-confirm", "POST", "bank_line", (FINANCE_EDIT,), 201,
             state=_status_of(BankStatementLine, "bank_line")),
    Endpoint("finance-bank-line-match", "POST", "bank_line", (FINANCE_EDIT,), 201, {"dealer": "{pudong}"},
             state=_status_of(BankStatementLine, "bank_line")),
    Endpoint("finance-bank-line-ignore", "POST", "bank_line", (FINANCE_EDIT,), 200, {"note": "利息"},
             state=_status_of(BankStatementLine, "bank_line")),
    Endpoint("finance-bank-match-reverse", "POST", "bank_match", (FINANCE_EDIT,), 200, {"reason": "付错"},
             state=_field_of(BankMatch, "bank_match", "reversal_id")),
    Endpoint("finance-bank-mapping-list", "GET", "", (FINANCE_EDIT,)),
    Endpoint("finance-payment-list", "GET", "", FINANCE_READ),
    Endpoint("finance-payment-detail", "GET", "payment", FINANCE_READ),
    # granted, the start reaches the service, which refuses it: the world connects no payment provider (409)
    Endpoint("finance-payment-list", "POST", "", (FINANCE_PAY,), 409,
             {"purpose": "top_up", "provider": "stripe", "amount": "10.00"}, state=_count(Payment)),
    # granted, the refund reaches the state machine, which refuses it: the world's payment is not paid (409)
    Endpoint("finance-payment-refund", "POST", "payment", (FINANCE_EDIT,), 409, {"amount": "1.00"},
             state=lambda w: list(Payment.objects.values_list("state", "amount_refunded"))),
    # --- people -----------------------------------------------------------------------------------
    Endpoint("api-users", "GET", "", (USERS_VIEW, COMPANY_USERS)),  # a dealer owner sees their staff
    Endpoint("api-invitations", "GET", "", (USERS_VIEW, COMPANY_USERS)),
    # the signed-in user's own account: anyone signed in
    Endpoint("api-me", "GET", "", (SIGNED_IN,)),
    # suppliers (S2B2B): headquarters designates (the world's plan lacks the feature: 402) and stops (Pudong still
    # supplies SH-003: 409); Pudong's own people read what is Pudong's and set its prices
    Endpoint("supplier-list", "GET", "", (SUPPLIERS_MANAGE,)),
    Endpoint("supplier-list", "POST", "", (SUPPLIERS_MANAGE,), 402, {"dealer": "{canton}"}),
    Endpoint("supplier-stop", "POST", "pudong_node", (SUPPLIERS_MANAGE,), 409),
    Endpoint("supplier-order-list", "GET", "", (SUPPLIER_ORDERS,)),
    Endpoint("supplier-order-detail", "GET", "sold", (SUPPLIER_ORDERS,)),
    # granted, the pass-up reaches the service, which refuses it: Pudong's stock covers the whole order and no
    # quantity is given (400); receiving refuses an order that is not a purchase passed up for this one (409)
    Endpoint("supplier-order-pass-up", "POST", "sold", (SUPPLIER_ORDERS,), 400, {"mode": "drop_ship"},
             state=_count(Order)),
    Endpoint("supplier-order-receive", "POST", "sold", (SUPPLIER_INVENTORY,), 400,
             {"order": "{sold}", "warehouse": "{pudong_wh}"}, state=_count(Order)),
    Endpoint("supplier-dealer-list", "GET", "", (SUPPLIER_ORDERS,)),
    Endpoint("supplier-dealer-detail", "GET", "sub", (SUPPLIER_ORDERS,)),
    Endpoint("supplier-price-list-list", "GET", "", (SUPPLIER_PRICING,)),
    Endpoint("supplier-price-list-detail", "GET", "pudong_prices", (SUPPLIER_PRICING,)),
    Endpoint("supplier-price-list-prices", "POST", "pudong_prices", (SUPPLIER_PRICING,), 200,
             {"sku": "{sku}", "price": "6.00"},
             state=lambda w: str(PriceEntry.objects.get(price_list_id=w.ids["pudong_prices"]).price)),
    # Pudong's own promotions for its sub-dealers (never below a floor: tests/promotions/test_supplier_promotions.py)
    Endpoint("supplier-promotion-list", "GET", "", (SUPPLIER_PRICING,)),
    Endpoint("supplier-promotion-list", "POST", "", (SUPPLIER_PRICING,), 201,
             {"code": "PD-NEW", "name": "浦东满减", "kind": "percent", "rule": {"percent": "2"},
              "starts_at": "2026-01-01T00:00:00Z"}, state=_count(Promotion)),
    Endpoint("supplier-promotion-detail", "GET", "pudong_draft", (SUPPLIER_PRICING,)),
    Endpoint("supplier-promotion-publish", "POST", "pudong_draft", (SUPPLIER_PRICING,), 200, {},
             state=_status_of(Promotion, "pudong_draft")),
    Endpoint("supplier-promotion-unpublish", "POST", "pudong_live", (SUPPLIER_PRICING,), 200,
             {"reason": "停了"}, state=_status_of(Promotion, "pudong_live")),
    # headquarters' list of suppliers' attempts below a minimum resale price (乱价)
    Endpoint("pricing-floor-violation-list", "GET", "", (PRICING_VIEW,)),
    Endpoint("supplier-warehouse-list", "GET", "", (SUPPLIER_INVENTORY,)),
    Endpoint("supplier-warehouse-detail", "GET", "pudong_wh", (SUPPLIER_INVENTORY,)),
    Endpoint("supplier-warehouse-list", "POST", "", (SUPPLIER_INVENTORY,), 201, {"code": "PD-2", "name": "浦东二仓"},
             state=_count(Warehouse, owner__isnull=False)),
    Endpoint("supplier-warehouse-receive", "POST", "pudong_wh", (SUPPLIER_INVENTORY,), 200,
             {"sku": "{sku}", "quantity": 5}, state=_count(StockMovement, stock__warehouse__owner__isnull=False)),
    # what SH-003 owes Pudong (its order placed with Pudong is charged to its account with Pudong): read by whoever
    # reads Pudong's orders; a payment received and the terms given by Pudong's owner (supplier.finance)
    Endpoint("supplier-receivable-list", "GET", "", (SUPPLIER_ORDERS,)),
    Endpoint("supplier-receivable-detail", "GET", "sub", (SUPPLIER_ORDERS,)),
    Endpoint("supplier-receivable-payments", "POST", "sub", (SUPPLIER_FINANCE,), 201,
             {"amount": "1.00", "method": "cash", "reference": "TT-1"},
             state=lambda w: LedgerEntry.objects.filter(dealer_id=w.ids["sub"], kind="payment").count()),
    Endpoint("supplier-receivable-terms", "POST", "sub", (SUPPLIER_FINANCE,), 200,
             {"mode": "credit", "credit_limit": "100.00", "terms_days": 15},
             state=lambda w: SupplierTerms.objects.filter(dealer_id=w.ids["sub"]).count()),
    # its demand roll-up, the suggested purchase put into its own cart, and its safety stock
    Endpoint("supplier-demand-list", "GET", "", (SUPPLIER_INVENTORY,)),
    Endpoint("supplier-demand-to-cart", "POST", "", (SUPPLIER_INVENTORY,),
             state=lambda w: list(CartLine.objects.filter(cart__dealer_id=w.ids["pudong"]).order_by("pk")
                                  .values_list("sku_id", "quantity"))),
    Endpoint("supplier-safety-stock-list", "GET", "", (SUPPLIER_INVENTORY,)),
    Endpoint("supplier-safety-stock-list", "POST", "", (SUPPLIER_INVENTORY,), 200, {"sku": "{sku}", "quantity": 7},
             state=lambda w: list(SafetyStock.objects.values_list("sku_id", "quantity"))),
    # --- replenishment: a dealer's own suggestions, safety stock and sell-out; the brand's, for a dealer in scope
    Endpoint("replenishment-suggestions", "GET", "", (CART_EDIT,)),
    # every line due now (Pudong's orders of the world, 40 days apart, make a rhythm) into its cart
    Endpoint("replenishment-to-cart", "POST", "", (CART_EDIT,), 200, {},
             state=lambda w: list(CartLine.objects.filter(cart__dealer_id=w.ids["pudong"]).order_by("pk")
                                  .values_list("sku_id", "quantity"))),
    Endpoint("replenishment-safety-stock", "GET", "", (CART_EDIT,)),
    Endpoint("replenishment-safety-stock", "POST", "", (CART_EDIT,), 200, {"sku": "{sku}", "quantity": 6},
             state=lambda w: list(DealerSafetyStock.objects.values_list("dealer_id", "sku_id", "quantity"))),
    Endpoint("replenishment-sell-out", "POST", "", (CART_EDIT,), 201, {"records": [SELL_OUT]},
             state=_count(SellOutRecord)),
    Endpoint("dealer-replenishment", "GET", "pudong", (DEALERS_VIEW,)),
    Endpoint("dealer-replenishment-safety-stock", "GET", "pudong", (DEALERS_VIEW,)),
    Endpoint("dealer-replenishment-safety-stock", "POST", "pudong", (DEALERS_EDIT,), 200,
             {"sku": "{sku}", "quantity": 6},
             state=lambda w: list(DealerSafetyStock.objects.values_list("dealer_id", "sku_id", "quantity"))),
    Endpoint("dealer-replenishment-sell-out", "POST", "pudong", (DEALERS_EDIT,), 201, {"records": [SELL_OUT]},
             state=_count(SellOutRecord)),
    Endpoint("rest_user_details", "GET", "", (SIGNED_IN,)),
]

# Routes of /api/v1/ without a row, and why.
EXEMPT = {
    # inviting: which roles an inviter may hand out is the invitation service's rule (a 400 per role, not a
    # 403), tested in tests/accounts/test_access.py; accepting takes the invitation's token, not a role
    ("api-invitations", "POST"), ("api-invitation-revoke", "POST"), ("api-invitation-accept", "POST"),
    # signing in and out, and the signed-in user's own password and details (dj-rest-auth): the credential is
    # the password or the session itself, not a role (tests/accounts)
    ("rest_login", "POST"), ("rest_logout", "GET"), ("rest_logout", "POST"),
    ("rest_user_details", "PATCH"), ("rest_user_details", "PUT"),
    ("rest_password_change", "POST"), ("rest_password_reset", "POST"), ("rest_password_reset_confirm", "POST"),
    # integrations: the credential is an API key with scopes, not a user's role (a user's token is a 401);
    # scopes, revoked and expired keys, other tenants' keys: tests/integrations
    ("integrations-order-changes", "GET"), ("integrations-shipment-changes", "GET"),
    ("integrations-order-acknowledge", "POST"), ("integrations-shipment-confirm", "POST"),
    ("integrations-dealers-bulk", "POST"), ("integrations-skus-bulk", "POST"), ("integrations-prices-bulk", "POST"),
    ("integrations-sell-out", "POST"),
}


# Endpoints acting on one of Pudong's objects (the dealer, its node, its orders, shipments, returns, cart
# line and template): to someone holding the capability but whose scope does not hold Pudong, the object
# does not exist (404, never a 403 and never a hit). Without the capability: 403 first.
OUTSIDE = {key: 404 for key in [
    "GET-dealer-replenishment", "GET-dealer-replenishment-safety-stock", "POST-dealer-replenishment-safety-stock",
    "POST-dealer-replenishment-sell-out",
    "GET-dealer-detail", "PATCH-dealer-detail", "POST-dealer-status", "GET-dealer-addresses",
    "POST-dealer-addresses", "GET-dealer-contacts", "POST-dealer-contacts", "GET-dealer-qualifications",
    "POST-dealer-qualifications", "GET-dealer-blockers", "POST-node-move", "POST-quote",
    "PUT-cart-line", "DELETE-cart-line", "GET-order-template", "DELETE-order-template",
    "POST-order-template-load", "GET-order", "POST-order-cancel", "POST-order-reorder", "POST-order-revise",
    "POST-dealer-orders-place", "POST-order-confirm", "POST-order-decline",
    "PATCH-my-company-person", "POST-order-internal-approve", "POST-order-internal-decline",
    "POST-order-decision-approve", "POST-order-decision-reject", "POST-order-decision-send-back",
    "POST-shipment-list", "GET-shipment-detail", "POST-shipment-ship", "POST-shipment-cancel",
    "GET-shipment-tracking", "POST-shipment-tracking", "POST-fulfillment-order-allocate",
    "GET-fulfillment-order-picking", "POST-fulfillment-order-confirm-receipt", "POST-return-list",
    "GET-return-detail", "POST-return-approve", "POST-return-reject", "POST-return-receive",
    "GET-finance-account-ledger", "POST-finance-top-up-list", "POST-finance-adjustment-list",
    "POST-finance-adjustment-approve", "GET-finance-dealer-settlement", "PUT-finance-dealer-settlement",
    "POST-finance-rebate-line-exclude", "GET-finance-tax-profile", "PUT-finance-tax-profile",
    "POST-finance-invoice-list", "GET-finance-invoice-detail", "POST-finance-invoice-issue",
    "POST-finance-invoice-cancel", "POST-pricing-compensation-book",
    "GET-finance-dealer-block-lift", "POST-finance-dealer-block-lift", "DELETE-finance-dealer-block-lift",
    "GET-finance-dealer-terms", "PUT-finance-dealer-terms",
    "GET-finance-statement-detail", "GET-finance-statement-pdf", "GET-finance-statement-xlsx",
    "POST-finance-statement-confirm", "POST-finance-statement-dispute", "POST-finance-statement-resolve",
    "GET-finance-remittance-detail", "POST-finance-remittance-reject", "POST-finance-bank-line-match",
    "POST-finance-bank-match-reverse",
    "GET-finance-payment-detail", "POST-finance-payment-refund",
]} | {
    # dealer staff always get their own company's promotions (the ?dealer= is for brand staff)
    "GET-promotion-current": {OUTSIDERS[0]: 404, OUTSIDERS[1]: 404, OUTSIDERS[2]: 200},
    # the same for a dealer's recommendations
    "GET-recommendations": {OUTSIDERS[0]: 404, OUTSIDERS[1]: 404, OUTSIDERS[2]: 200},
    # one result per order: Pudong's order is "not found" for them, and nothing is approved
    "POST-approval-bulk-approve": 200,
}


def granted(role: str, endpoint: Endpoint) -> bool:
    """The world's dealer staff are Pudong's, an active supplier: they hold the supplier capabilities of their role
    (never so the outsiders' Canton, which is no supplier: their supplier endpoints are 403, not in OUTSIDE)."""
    held = MATRIX[role] | SUPPLIER_MATRIX.get(role, frozenset())
    return SIGNED_IN in endpoint.capabilities or bool(set(endpoint.capabilities) & held)


def expected_status(actor: str | None, endpoint: Endpoint) -> int:
    if actor in endpoint.exceptions:
        return endpoint.exceptions[actor]
    if actor is None:
        return 401
    return endpoint.success if granted(actor, endpoint) else 403


def fill(value, ids: dict):
    """`value` with every "{name}" string replaced by the world's id of that name."""
    if isinstance(value, str):
        return ids[value[1:-1]] if value.startswith("{") and value.endswith("}") else value
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


def path_of(endpoint: Endpoint, ids: dict) -> str:
    """The endpoint's URL on a brand's host, its object taken from `ids`."""
    name, arguments = ROUTES[endpoint.route]
    kwargs = {argument: ids[endpoint.at] for argument in arguments}
    assert bool(kwargs) == bool(endpoint.at), f"{endpoint.key}: the URL takes {arguments}"
    path = reverse(name, urlconf=URLCONF, kwargs=kwargs)
    return f"{path}?{endpoint.query.format(**ids)}" if endpoint.query else path


def call(client, endpoint: Endpoint, w, ids: dict | None = None):
    """Send `endpoint`'s request with `client`; ids (default the world's) fill its URL and body."""
    ids = ids or w.ids
    path = path_of(endpoint, ids)
    if endpoint.send:
        return endpoint.send(client, path, w)
    if endpoint.method in ("GET", "DELETE"):
        return getattr(client, endpoint.method.lower())(path)
    return getattr(client, endpoint.method.lower())(path, fill(endpoint.body or {}, ids),
                                                    content_type="application/json")


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern


def api_routes() -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """(URL name, method) of every view under /api/v1/ of a brand's host -> (the name to reverse, with its
    namespace; the names of its URL's arguments)."""
    routed = {}
    for route, namespace, pattern in _walk(get_resolver(URLCONF).url_patterns):
        if not route.startswith("api/v1/"):
            continue
        view = pattern.callback
        if getattr(view, "actions", None):
            methods = set(view.actions)
        else:
            cls = getattr(view, "view_class", None) or view.cls
            methods = {m for m in cls.http_method_names if hasattr(cls, m)} - {"options", "head"}
        arguments = tuple(getattr(pattern.pattern, "converters", None) or pattern.pattern.regex.groupindex)
        routed |= {(pattern.name, method.upper()): (namespace + pattern.name, arguments)
                   for method in methods if method != "head"}
    return routed


ROUTES = {name: reversible for (name, _method), reversible in api_routes().items()}


def writes() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted so far in this transaction, per table of every schema (PostgreSQL's
    own count, rolled-back savepoints included): a call that changes nothing leaves it as it was."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del "
                       "FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0")
        return {table: (inserted, updated, deleted) for table, inserted, updated, deleted in cursor.fetchall()}
