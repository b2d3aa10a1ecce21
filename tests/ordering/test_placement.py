"""An order written in one statement (tenant_apps.ordering.placement) is the order written step by step: the same
rows in every table, the same answer; when stock is short or a budget no longer holds, the statement writes
nothing at all."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.approvals import services as approvals
from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import services as catalog
from tenant_apps.inventory import services as inventory
from tenant_apps.inventory.models import Stock, StockMovement
from tenant_apps.inventory.selectors import ledger_mismatches
from tenant_apps.ordering import lifecycle, placement
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing.models import PurchaseRecord
from tenant_apps.pricing.quote_types import AppliedPromotion
from tenant_apps.promotions import services as promo
from tenant_apps.promotions.models import Promotion, PromotionUsage
from tests.approvals.conftest import make_people, two_steps
from tests.ordering.conftest import make_store


@pytest.fixture
def shop(tenant_a, in_tenant):
    """The ordering store with a two-step workflow (regional manager, then HQ), a capped 满减, a 买赠 of another SKU
    and stock of the ordered SKU in both warehouses."""
    with in_tenant(tenant_a):
        made = make_people(make_store(stock_east=40, stock_west=500))
        made.cup = catalog.sku_create(actor=None, product=made.sku.product, code="CUP", name="赠品杯",
                                      base_unit=made.can)
        inventory.stock_receive(actor=None, sku_id=made.cup.pk, warehouse_id=made.east.pk, quantity=100)
        approvals.workflow_create(actor=made.admin, name="两级审批", steps=two_steps(skip_below=Decimal("1")))
        start = timezone.now() - timedelta(days=1)
        made.threshold = promo.promotion_publish(actor=None, promotion=promo.promotion_create(
            actor=None, code="MJ", name="满300减30", kind="threshold",
            rule={"steps": [{"threshold": "300", "off": "30"}]},
            starts_at=start, budget=Decimal("1000")))
        made.gift = promo.promotion_publish(actor=None, promotion=promo.promotion_create(
            actor=None, code="ZP", name="买 24 罐赠 1 个杯子", kind="gift",
            rule={"buy_quantity": 24, "gift_sku_id": made.cup.pk, "gift_quantity": 1}, starts_at=start,
            skus=[made.sku]))
        made.tenant = tenant_a
        yield made


def _written(order: Order) -> dict:
    """Everything the order wrote, without ids, numbers or moments."""
    lines = list(order.lines.order_by("line_no").values(
        "line_no", "sku_id", "unit_id", "quantity", "factor", "unit_price", "gross", "discount", "net", "price_source",
        "price_rule", "price_list_id", "gift_promotion_id", "reserved_base", "shipped_base", "returned_base"))
    reservations = sorted(order.reservations.values_list("line__line_no", "warehouse_id", "sku_id", "quantity"))
    movements = sorted(StockMovement.objects.filter(reference=order.number).values_list(
        "stock_id", "kind", "on_hand_delta", "reserved_delta", "reason", "actor_id", "actor_label"))
    purchases = sorted(PurchaseRecord.objects.filter(reference=order.number).values_list(
        "dealer_id", "sku_id", "unit_id", "quantity", "unit_price", "currency"))
    events = list(order.events.order_by("id").values_list("actor_id", "actor_label", "kind", "from_status",
                                                          "to_status", "message", "data"))
    audit = list(AuditEntry.objects.filter(target_type="ordering.order", target_id=str(order.pk)).order_by("id")
                 .values_list("action", "actor_id", "actor_label", "before", "after", "reason"))
    steps = list(order.approvals.order_by("id").values_list("revision", "workflow_id", "step_id", "position", "name",
                                                             "status", "assigned_roles", "scope", "assigned_user_id"))
    usage = list(PromotionUsage.objects.filter(order_ref=order.number).order_by("promotion_id").values_list(
        "promotion_id", "dealer_id", "discount"))
    fields = {name: getattr(order, name) for name in (
        "dealer_id", "placed_by_id", "status", "currency", "subtotal", "discount_total", "total", "coupon_codes",
        "shipping_address", "note", "revision", "approved_at", "closed_at", "backorder_of_id")}
    breakdown = {**order.breakdown, "at": None}
    return {"order": fields, "breakdown": breakdown, "lines": lines, "reservations": reservations,
            "movements": movements, "purchases": purchases, "events": events, "audit": audit, "steps": steps,
            "usage": usage}


def test_one_statement_writes_what_step_by_step_writes(shop, in_tenant, settings):
    lines = [SubmitLine(shop.sku.pk, shop.case.pk, 3), SubmitLine(shop.water.pk, None, 12)]  # 72 cans: two warehouses
    with in_tenant(shop.tenant):
        settings.ORDERING_ONE_STATEMENT = True
        with CaptureQueriesContext(connection) as at_once:
            first = order_submit(actor=shop.buyer, dealer=shop.dealer, lines=lines, note="同一张单").order
        written = [_written(Order.objects.get(pk=first.pk))]
        lifecycle.order_cancel(actor=shop.buyer, order=first, reason="the stock back for the second")
        settings.ORDERING_ONE_STATEMENT = False
        second = order_submit(actor=shop.buyer, dealer=shop.dealer, lines=lines, note="同一张单").order
        written.append(_written(Order.objects.get(pk=second.pk)))
        assert written[0] == written[1]
        assert written[0]["order"]["status"] == "in_approval" and written[0]["order"]["total"] == Decimal("402.00")
        assert written[0]["lines"][2]["sku_id"] == shop.cup.pk and written[0]["lines"][2]["quantity"] == 3
        assert [line["price_source"] for line in written[0]["lines"]] == ["base", "base", "gift"]
        assert len({warehouse for _line, warehouse, _sku, _q in written[0]["reservations"]}) == 2
        assert [(step[4], step[5]) for step in written[0]["steps"]] == [("区域经理", "pending")]
        assert written[0]["usage"] == [(shop.threshold.pk, shop.dealer.pk, Decimal("30.00")),
                                       (shop.gift.pk, shop.dealer.pk, Decimal("0.00"))]
        assert Promotion.objects.get(pk=shop.threshold.pk).budget_used == Decimal("30.00")
        assert ledger_mismatches() == []
    # one statement it was: the reads (context, price book, promotions; the gift's category and the workflow's
    # steps), then the write, then the charge to the dealer's account (its lock, its ledger row; this dealer's first
    # order also makes the account between two tries of the lock), in one transaction (here in the test's, so under
    # a savepoint)
    statements = [q["sql"].split(" ")[0] for q in at_once.captured_queries
                  if not q["sql"].startswith(("PREPARE", "SET "))]
    assert statements == (["EXECUTE"] * 4 + ["SAVEPOINT"] + ["SELECT"] * 2 + ["EXECUTE"] * 2 + ["INSERT"]
                          + ["EXECUTE"] * 2 + ["RELEASE"]), statements


@pytest.mark.parametrize("one_statement", [True, False])
def test_the_submit_answer_is_the_order_read_back(shop, settings, one_statement):
    from django_tenants.utils import schema_context
    from rest_framework.authtoken.models import Token

    from tests.conftest import host_client

    settings.ORDERING_ONE_STATEMENT = one_statement
    with schema_context(shop.tenant.schema_name):
        key = Token.objects.create(user=shop.buyer).key
    client = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}")
    created = client.post("/api/v1/orders/", {"lines": [{"sku": shop.sku.pk, "unit": shop.case.pk, "quantity": 2},
                                                        {"sku": shop.water.pk, "quantity": 5}], "note": "原样"},
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"same-{one_statement}")
    assert created.status_code == 201, created.content
    read = client.get(f"/api/v1/orders/{created.json()['id']}/").json()
    read.pop("events")
    assert created.json() == read
    assert [line["gift"] for line in read["lines"]] == [False, False, True]


def _quote_for(shop, *, quantity: int, discount: str | None = None):
    from tenant_apps.pricing.quote_types import CartLine
    from tenant_apps.quoting.quote import quote_cart

    quote = quote_cart(dealer=shop.dealer, lines=[CartLine(sku_id=shop.water.pk, unit_id=shop.can.pk,
                                                           quantity=quantity)])
    if discount is not None:
        quote = type(quote)(**{**{f: getattr(quote, f) for f in quote.__dataclass_fields__}, "promotions": (
            AppliedPromotion(promotion_id=shop.threshold.pk, name="满300减30", kind="threshold",
                             discount=Decimal(discount)),)})
    return quote


def _order_for(shop, quote) -> Order:
    now = timezone.now()
    order = Order(id=990001, number="SO-PLACE-1", dealer=shop.dealer, placed_by=shop.buyer, submitted_at=now,
                  status="submitted", currency=quote.currency, total=quote.total, subtotal=quote.subtotal)
    return order


def _nothing_written(shop) -> None:
    assert not Order.objects.filter(number="SO-PLACE-1").exists()
    assert not StockMovement.objects.filter(reference="SO-PLACE-1").exists()
    assert not PromotionUsage.objects.filter(order_ref="SO-PLACE-1").exists()
    assert not PurchaseRecord.objects.filter(reference="SO-PLACE-1").exists()
    assert sum(Stock.objects.filter(sku=shop.water).values_list("reserved", flat=True)) == 0


def test_a_short_sku_shuts_the_gate_and_nothing_is_written(shop, in_tenant):
    with in_tenant(shop.tenant):
        quote = _quote_for(shop, quantity=541)  # 40 + 500 in stock
        placed = placement.order_place(actor=shop.buyer, order=_order_for(shop, quote), quote=quote, rows=[],
                                       warehouse_ranks={shop.east.pk: 0, shop.west.pk: 1}, from_cart=False)
        assert (placed.placed, placed.short_skus, placed.refused_promotions) == (False, (shop.water.pk,), ())
        _nothing_written(shop)
        quote = _quote_for(shop, quantity=540)
        assert placement.order_place(actor=shop.buyer, order=_order_for(shop, quote), quote=quote, rows=[],
                                     warehouse_ranks={shop.east.pk: 0, shop.west.pk: 1}, from_cart=False).placed
        assert sum(Stock.objects.filter(sku=shop.water).values_list("reserved", flat=True)) == 540


def test_a_budget_that_no_longer_holds_shuts_the_gate_and_nothing_is_written(shop, in_tenant):
    """What a concurrent order leaves of a capped budget is read under the promotion's row lock."""
    with in_tenant(shop.tenant):
        Promotion.objects.filter(pk=shop.threshold.pk).update(budget_used=Decimal("980"))  # 20 left
        quote = _quote_for(shop, quantity=60, discount="30")
        placed = placement.order_place(actor=shop.buyer, order=_order_for(shop, quote), quote=quote, rows=[],
                                       warehouse_ranks={shop.east.pk: 0, shop.west.pk: 1}, from_cart=False)
        assert (placed.placed, placed.short_skus, placed.refused_promotions) == (False, (), (shop.threshold.pk,))
        _nothing_written(shop)
        assert Promotion.objects.get(pk=shop.threshold.pk).budget_used == Decimal("980")


def test_a_duplicate_sku_or_a_coupon_goes_step_by_step(shop, in_tenant):
    with in_tenant(shop.tenant):
        quote = _quote_for(shop, quantity=5)
        assert placement.placeable(quote)
        twice = type(quote)(**{**{f: getattr(quote, f) for f in quote.__dataclass_fields__},
                               "lines": quote.lines * 2})
        assert not placement.placeable(twice)
        coupon = type(quote)(**{**{f: getattr(quote, f) for f in quote.__dataclass_fields__}, "promotions": (
            AppliedPromotion(promotion_id=1, name="c", kind="percent", discount=Decimal(1), coupon_code="X"),)})
        assert not placement.placeable(coupon)
        made = order_submit(actor=shop.buyer, dealer=shop.dealer, lines=[SubmitLine(shop.water.pk, None, 2),
                                                                          SubmitLine(shop.water.pk, None, 3)])
        assert [line.quantity for line in made.order.lines.order_by("line_no")] == [2, 3]
        inventory_total = sum(Stock.objects.filter(sku=shop.water).values_list("reserved", flat=True))
        assert inventory_total == 5 and ledger_mismatches() == []


def test_a_placed_order_cancelled_gives_everything_back(shop, in_tenant):
    with in_tenant(shop.tenant):
        order = order_submit(actor=shop.buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, None, 72)]).order
        assert Promotion.objects.get(pk=shop.threshold.pk).budget_used == Decimal("30.00")
        lifecycle.order_cancel(actor=shop.buyer, order=order, reason="ordered twice")
        assert sum(Stock.objects.values_list("reserved", flat=True)) == 0
        assert Promotion.objects.get(pk=shop.threshold.pk).budget_used == Decimal("0")
        assert ledger_mismatches() == []
