"""Submitting an order: one transaction that re-quotes, checks the dealer, reserves stock and freezes the
price breakdown, so the dealer never sees one total and pays another.

Steps (all or nothing):
1. `Idempotency-Key`: a repeat gets the first order back. A concurrent twin runs until it meets the first
   one (the stock rows it locked, or its key in the unique (dealer, key) index), then fails, rolls back and
   gets the first order back instead of a second one or a stock refusal.
2. The dealer must be active with its required qualifications valid; the shipping address must be its own, and in
   its territories under the brand's channel policy (refused or flagged: ordering.channel).
3. Every line: a SKU the dealer can see, on sale, in one of its units, meeting the minimum and step.
4. The quote (tenant_apps.quoting.quote.quote_with_book, on the price book the lines were checked against):
   lines without a price for this dealer are refused.
5. The write, for most orders ONE statement on its own (tenant_apps.ordering.placement: every SKU on one line,
   no coupon): stock reserved, capped budgets taken, the order, its lines, reservations, purchase records,
   timeline, approval steps (decided in memory by the chain: ordering.approval), audit entries and the
   emptied cart, written only if every SKU is reserved in full and every budget holds; otherwise nothing.
6. Otherwise step by step, in a transaction: one statement reserves every SKU over the warehouses serving the
   dealer first (inventory.services.stock_allocate); a shortfall follows the brand's policy: refuse (409,
   nothing kept), backorder (the shortfall becomes a second order, linked, with nothing reserved), or reduce
   (409 with the quantities available unless the dealer consented; then the order is re-quoted on them); then
   the order and its rows in one statement (core.bulk); promotion and coupon usage last; the cart emptied.
   An order placed with a supplier keeps its shortfall unreserved, for the supplier to source.
Reads: the context (one query), the price book (three) and the promotions (one), the same for 1 line or 1,000
(docs/dev/ordering.md).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_saas.limits import UPGRADE_PATH, PlanLimitReached, limit_of
from billing_saas.models import Resource
from tenant_apps.accounts.permissions import DEALER_ROLES, ORDERS_SUBMIT, has_perm
from tenant_apps.audit.services import audit_entry, person_label
from tenant_apps.core import prepared
from tenant_apps.core.bulk import ids_take, insert_grouped
from tenant_apps.core.errors import Conflict
from tenant_apps.core.metrics import order_submitted_count
from tenant_apps.core.money import format_money, tenant_currency
from tenant_apps.core.text import words
from tenant_apps.dealers.models import DealerStatus
from tenant_apps.dealers.selectors import (
    CHANNEL_POLICY_SQL,
    QUALIFICATION_BLOCKERS_SQL,
    SELLER_SQL,
    qualification_blockers,
)
from tenant_apps.events.services import relay_soon
from tenant_apps.finance.selectors_receivables import order_block_reason
from tenant_apps.inventory.services import Allocation, stock_allocate, stock_release_allocations
from tenant_apps.ordering import channel, placement
from tenant_apps.ordering.approval import approval_chain
from tenant_apps.ordering.errors import (
    CartAlreadySubmitted,
    IdempotencyKeyReused,
    OrderingNotAllowed,
    OrderInvalid,
    OrderRefused,
    PriceChanged,
    StockShort,
)
from tenant_apps.ordering.fulfil import reservations_split
from tenant_apps.ordering.internal_approval import internal_hold_clear, internal_hold_rows
from tenant_apps.ordering.lifecycle import (
    ORDER_MACHINE,
    IllegalOrderTransition,
    order_charge,
    order_charge_release,
    order_event,
    order_lock,
    order_outbox_row,
    order_transition,
    reservations_release,
    transition_fresh,
)
from tenant_apps.ordering.models import (
    Cart,
    CartLine,
    Order,
    OrderingSettings,
    OrderLine,
    OrderReservation,
    OrderStatus,
    ShortagePolicy,
)
from tenant_apps.ordering.services import MAX_CART_LINES, quantity_errors
from tenant_apps.pricing.engine import SkuMeta, price_book_load
from tenant_apps.pricing.models import PurchaseRecord
from tenant_apps.pricing.quote_types import CartLine as QuoteInput
from tenant_apps.pricing.quote_types import DealerContext, Quote
from tenant_apps.promotions.services import budget_exhausted_check, promotion_usage_record
from tenant_apps.quoting.quote import quote_with_book

MAX_ORDER_LINES = 5000














@dataclass(frozen=True)
class SubmitLine:
    sku_id: int
    unit_id: int | None
    quantity: int


@dataclass(frozen=True)
class Submitted:
    order: Order
    backorder: Order | None = None
    replayed: bool = False
    lines: tuple[OrderLine, ...] = ()  # as written (a new order), for its answer without reading them back
    skus: dict[int, SkuMeta] = field(default_factory=dict)  # the lines' SKUs as priced (codes, names, units)
    quote: Quote | None = None  # written in one statement (ordering.placement): its lines are the quote's


def ordering_settings() -> OrderingSettings:
    return OrderingSettings.objects.order_by("pk").first() or OrderingSettings()


def _order_number(order_id: int, when) -> str:
    return f"SO{timezone.localtime(when):%y%m%d}{order_id:07d}"


# Active warehouses ([id, rank] pairs) of the dealer %(dealer)s's seller (its active supplier's, else headquarters'):
# rank 0 for those serving an area inside or around one of the dealer's territories (all of them if the dealer has
# none), 1 for the others.
_RANKS = """ARRAY(
    SELECT ARRAY[w.id::int, CASE WHEN NOT EXISTS (SELECT 1 FROM dealers_dealer_territories dt
                                                  WHERE dt.dealer_id = %(dealer)s)
        OR EXISTS (SELECT 1 FROM inventory_warehouse_territories wt
                   JOIN dealers_territory t ON t.id = wt.territory_id
                   JOIN dealers_dealer_territories dt ON dt.dealer_id = %(dealer)s
                   JOIN dealers_territory mine ON mine.id = dt.territory_id
                   WHERE wt.warehouse_id = w.id AND (t.path <@ mine.path OR t.path @> mine.path))
        THEN 0 ELSE 1 END]
    FROM inventory_warehouse w WHERE w.is_active AND w.owner_id IS NOT DISTINCT FROM {owner} ORDER BY w.id)"""
_RANKS_SQL = _RANKS.replace("{owner}", SELLER_SQL)  # in the context query: the dealer's seller now


def warehouse_ranks(dealer, *, seller_id: int | None = None) -> dict[int, int]:
    """Active warehouses of the seller (`seller_id`, an order's: None is headquarters); those serving an area inside
    or around one of the dealer's territories come first (rank 0), the others after (rank 1). One query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + _RANKS.replace("{owner}", "%(seller)s::bigint"),
                       {"dealer": dealer.pk, "seller": seller_id})
        return dict(cursor.fetchone()[0] or ())


# (`o.idempotency_key <> ''` is the one_order_per_key index's own condition: written so, a generic plan proves it
# and reads one index entry; written as a test of the parameter, it read every order of the dealer.)
# Everything a submission reads before pricing, in one query: a replayed key's order, the dealer's node and
# territories, what blocks it from ordering, the shipping address, the brand's shortage policy, the warehouses by
# preference, the new order's id (taken from the sequence), the approval rules and workflows, and when the plan limits
# orders a month (%(month_start)s given), the orders made since the month began (an unlimited plan counts nothing:
# PostgreSQL runs the CASE's subquery only when its branch is taken), and whether the dealer may be blocked for
# overdue payments (it owes, and something it was shipped fell due longer ago than the brand's block days: only
# then is finance asked, finance.selectors_receivables.order_block_reason), and the brand's channel policy (the
# address's area and its path against the dealer's territories: ordering.channel), and who sells (the dealer's
# supplier when it is an active one, else NULL: headquarters; its lists, promotions, warehouses and workflows apply).
_CONTEXT_SQL = f"""
SELECT (SELECT o.id FROM ordering_order o WHERE o.dealer_id = d.id AND o.idempotency_key = %(key)s
        AND o.idempotency_key <> ''),
       n.path::text,
       ARRAY(SELECT t.path::text FROM dealers_dealer_territories dt JOIN dealers_territory t ON t.id = dt.territory_id
             WHERE dt.dealer_id = d.id ORDER BY 1),
       {QUALIFICATION_BLOCKERS_SQL},
       (SELECT json_build_object('id', a.id, 'label', a.label, 'recipient', a.recipient, 'phone', a.phone,
                                 'area', t.name, 'line', a.line, 'postal_code', a.postal_code,
                                 'outside_territory', a.outside_territory, 'territory_id', t.id,
                                 'territory_path', t.path::text)
        FROM dealers_dealeraddress a JOIN dealers_territory t ON t.id = a.territory_id
        WHERE a.dealer_id = d.id AND a.kind = 'shipping' AND (%(address)s::bigint IS NULL OR a.id = %(address)s::bigint)
        ORDER BY a.is_default DESC, a.id LIMIT 1),
       (SELECT s.shortage_policy FROM ordering_orderingsettings s ORDER BY s.id LIMIT 1),
       {_RANKS_SQL},
       nextval(pg_get_serial_sequence('ordering_order', 'id')),
       {{approval_config}},
       CASE WHEN %(month_start)s::timestamptz IS NULL THEN NULL
            ELSE (SELECT count(*) FROM ordering_order m WHERE m.created_at >= %(month_start)s::timestamptz) END,
       EXISTS (SELECT 1 FROM finance_dealeraccount fa WHERE fa.dealer_id = d.id AND fa.creditor_id IS NULL
               AND fa.credit_used > 0)
       AND EXISTS (SELECT 1 FROM finance_receivable r WHERE r.dealer_id = d.id AND r.due_on < %(today)s::date
                   - COALESCE((SELECT fs.overdue_block_days FROM finance_financesettings fs WHERE fs.id = 1), 30)),
       {CHANNEL_POLICY_SQL},
       {SELLER_SQL}
FROM dealers_dealer d JOIN dealers_node n ON n.id = d.node_id
WHERE d.id = %(dealer)s
"""  # noqa: S608 - this module's and dealers.selectors' constants, no input


@dataclass(frozen=True)
class _Context:
    replay_id: int | None
    dealer: DealerContext
    blockers: list[str]
    address: dict | None
    policy: str
    ranks: dict[int, int]
    order_id: int
    approvals: object  # the approval chain's configuration (ordering.approval: config_sql, config_from)
    orders_month: int | None = None  # orders made this month, counted only when the plan limits them
    may_be_blocked: bool = False  # owes, with something due longer ago than the brand's block days
    channel_policy: str | None = None  # the brand's policy for ship-to areas outside the territories (no row: None)
    on_behalf: bool = False  # placed for the dealer by the brand's staff (ordering.on_behalf)
    hold: bool = False  # ... and held for the dealer's confirmation (the brand's setting) before approval


_context_sql: dict[int, str] = {}


def _context_query(chain) -> str:
    """_CONTEXT_SQL with the registered approval chain's configuration expression (built once per chain)."""
    sql = _context_sql.get(id(chain))
    if sql is None:
        sql = _context_sql[id(chain)] = _CONTEXT_SQL.replace("{approval_config}", chain.config_sql)
    return sql


def _context(dealer, address_id, key: str) -> _Context:
    if not address_id:
        address = None
    else:
        address = int(address_id) if str(address_id).isdigit() and int(address_id) < 2 ** 62 else -1
    chain = approval_chain()
    with connection.cursor() as cursor:
        prepared.execute(cursor, "order_submit_context", _context_query(chain), {
            "dealer": dealer.pk, "key": key, "address": address, "today": timezone.localdate(),
            "month_start": month_start() if limit_of(Resource.ORDERS_MONTH) is not None else None})
        (replay, node_path, paths, blockers, address_row, policy, ranks, order_id, approvals,
         orders_month, may_be_blocked, channel_policy, seller) = cursor.fetchone()
    return _Context(replay_id=replay, blockers=list(blockers), address=address_row, orders_month=orders_month,
                    may_be_blocked=may_be_blocked, channel_policy=channel_policy,
                    policy=policy or OrderingSettings().shortage_policy, ranks=dict(ranks or ()), order_id=order_id,
                    approvals=chain.config_from(approvals),
                    dealer=DealerContext(dealer_id=dealer.pk, tier_id=dealer.tier_id,
                                         territory_paths=tuple(p for p in paths if p), node_path=node_path or "",
                                         at=timezone.now(), currency=tenant_currency(), seller_id=seller))


def month_start():
    """The first moment of this month in the platform's time zone (settings.TIME_ZONE): orders a month count from
    here."""
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def orders_this_month() -> int:
    """The orders made since the month began (billing's meter of "orders_month"): every order row, backorders and
    cancelled ones too."""
    return Order.objects.filter(created_at__gte=month_start()).count()


def _orders_month_check(context: _Context) -> None:
    """The plan's orders a month (counted by the context query when it limits them): refused past the limit,
    before anything is priced or written."""
    if context.orders_month is None:
        return
    limit = limit_of(Resource.ORDERS_MONTH)
    if limit is not None and context.orders_month >= limit:
        raise PlanLimitReached(
            _("This workspace's plan allows %(limit)s orders a month, and %(count)s have been placed this month. "
              "Orders can be placed again from the 1st, or as soon as the brand upgrades its plan: %(path)s")
            % {"limit": limit, "count": context.orders_month, "path": UPGRADE_PATH})


def overdue_block_check(dealer) -> None:
    """OrderRefused (409, `overdue_block`) with finance's reason when overdue payments block the dealer's orders."""
    reason = order_block_reason(dealer)
    if reason:
        raise OrderRefused(reason, code="overdue_block")


def _address_required(address: dict | None, address_id) -> dict:
    if address is None:
        message = _("Choose one of your company's shipping addresses.") if address_id else \
            _("Your company has no shipping address yet; add one under My company.")
        raise OrderInvalid(_("The order could not be submitted."), fields={"address": [message]})
    return address


def _dealer_may_order(dealer, blockers: list[str] | None = None) -> None:
    if dealer.status != DealerStatus.ACTIVE:
        raise OrderRefused(_("Your company cannot order while its account is %(status)s.")
                           % {"status": dealer.get_status_display()}, code="dealer_not_active")
    blockers = qualification_blockers(dealer=dealer) if blockers is None else blockers
    if blockers:
        raise OrderRefused(_("Your company cannot order until these qualifications are valid: %(names)s.")
                           % {"names": words(blockers)}, code="qualifications_missing")


def _shown_total_check(quote: Quote, expected_total: Decimal | None) -> None:
    """Refuse when the re-quote is not the total the dealer was shown (a price or promotion changed)."""
    if expected_total is not None and quote.total != expected_total:
        raise PriceChanged(_("Prices changed since you looked: the total is now %(total)s, not %(shown)s. "
                             "Check the order and submit again.")
                           % {"total": format_money(quote.total, quote.currency),
                              "shown": format_money(expected_total, quote.currency)},
                           fields={"expected_total": [str(quote.total)]})


def _check_lines(lines: Sequence[SubmitLine], skus: dict[int, SkuMeta]) -> dict[int, SkuMeta]:
    """OrderInvalid naming each bad line, checked against the price book's SKUs (no query): a SKU the
    dealer can see and is on sale, one of its units, the minimum and step."""
    if not lines:
        raise OrderInvalid(_("The order has no lines."), fields={"lines": [_("Add at least one product.")]})
    if len(lines) > MAX_ORDER_LINES:
        raise OrderInvalid(_("An order holds at most %(max)s lines.") % {"max": MAX_ORDER_LINES})
    errors: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        sku = skus.get(line.sku_id)
        if sku is None or not sku.orderable:
            errors[f"lines.{number}.sku"] = [_("This product is not available to your company.")]
            continue
        unit_id = line.unit_id or sku.base_unit_id
        factor = sku.factors.get(unit_id)
        if factor is None:
            errors[f"lines.{number}.unit"] = [_("This product is not sold in that unit.")]
            continue
        problems = quantity_errors(sku, line.quantity, factor, sku.unit_names[unit_id])
        if problems:
            errors[f"lines.{number}.quantity"] = problems
    if errors:
        raise OrderInvalid(_("Some lines cannot be ordered."), fields=errors)
    return skus


def _priced(ctx: DealerContext, lines: Sequence[SubmitLine], coupon_codes) -> tuple[dict[int, SkuMeta], Quote]:
    """The lines checked and quoted: the price book (its SKUs are what the lines are checked against), then
    the quote on it. 4 queries for any number of lines (5 with coupon codes)."""
    book = price_book_load(ctx, (line.sku_id for line in lines))
    skus = _check_lines(lines, book.skus)
    quote = quote_with_book(book, [QuoteInput(sku_id=ln.sku_id, unit_id=ln.unit_id or skus[ln.sku_id].base_unit_id,
                                              quantity=ln.quantity) for ln in lines], coupon_codes=coupon_codes)
    _unpriced_error(quote)
    return skus, quote


@dataclass
class _Planned:
    line: SubmitLine
    unit_id: int
    factor: int
    unit_name: str
    kept: int  # units kept in the order


def _plan(lines, skus: dict[int, SkuMeta], reserved: dict[int, int], policy: str) -> list[_Planned]:
    """Share each SKU's reserved base units over its lines in order, in whole ordered units; under the
    reduce policy also round down to the SKU's step and drop what falls below its minimum."""
    left = dict(reserved)
    plan = []
    for line in lines:
        sku = skus[line.sku_id]
        unit_id = line.unit_id or sku.base_unit_id
        factor = sku.factors[unit_id]  # known good: _check_lines passed
        units = min(line.quantity, left.get(sku.sku_id, 0) // factor)
        if policy == ShortagePolicy.REDUCE and units < line.quantity:
            while units and (units * factor) % sku.order_step:
                units -= 1
            if units * factor < sku.min_order_qty:
                units = 0
        left[sku.sku_id] = left.get(sku.sku_id, 0) - units * factor
        plan.append(_Planned(line=line, unit_id=unit_id, factor=factor, unit_name=sku.unit_names[unit_id], kept=units))
    return plan


def _quote(ctx: DealerContext, planned: list[tuple[int, int, int]], coupon_codes) -> Quote:
    book = price_book_load(ctx, (sku for sku, _unit, _quantity in planned))
    return quote_with_book(book, [QuoteInput(sku_id=s, unit_id=u, quantity=q) for s, u, q in planned],
                           coupon_codes=coupon_codes)


def _unpriced_error(quote: Quote):
    if quote.unpriced:
        raise OrderInvalid(_("Some lines have no price for your company."), fields={
            f"lines.{index + 1}.sku": [_("No price for your company; ask your sales contact.")]
            for index in quote.unpriced})


def _line_rows(order: Order, quote: Quote, allocations: list[Allocation], *, reserve: bool) -> list:
    """Order lines from the quote (gifts last, at zero) with their ids taken, and their reservations from the
    allocations (unsaved: written with the order)."""
    rows = [OrderLine(order=order, **dict(zip(placement.LINE_FIELDS, line, strict=True)))
            for line in placement.quote_lines(quote)]
    if not reserve:
        return rows
    for row, line_id in zip(rows, ids_take(lines=(OrderLine, len(rows)))["lines"], strict=True):
        row.id = line_id
    return rows + reservations_split(order=order, lines=rows, allocations=allocations)


def _freeze(order: Order, quote: Quote) -> None:
    order.currency = quote.currency
    order.subtotal, order.discount_total, order.total = quote.subtotal, quote.discount_total, quote.total
    order.breakdown = {
        "at": quote.at.isoformat(),
        "promotions": [{"id": p.promotion_id, "name": p.name, "kind": p.kind, "discount": str(p.discount),
                        "coupon_code": p.coupon_code, "explanation": p.explanation,
                        "allocations": {str(i + 1): str(a) for i, a in sorted(p.allocations.items())}}
                       for p in quote.promotions],
        "notes": list(quote.notes),
    }


def request_fingerprint(*, lines, address_id, note, coupon_codes, consent_reduce, expected_total) -> str:
    """A hash of what a submission asks for (the cart when `lines` is None), stored with its Idempotency-Key."""
    asked = {"lines": None if lines is None else [[line.sku_id, line.unit_id, line.quantity] for line in lines],
             "address": str(address_id or ""), "note": note or "",
             "coupons": None if coupon_codes is None else list(coupon_codes), "reduce": bool(consent_reduce),
             "expected_total": None if expected_total is None else str(expected_total)}
    return hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()


def _replay(order: Order, fingerprint: str) -> Submitted:
    """The first order of an Idempotency-Key, if it was asked for the same thing; else 422, nothing written."""
    if order.idempotency_fingerprint and order.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for a different order request. Send a "
                                     "new key for a new request, or the same request to get its order."),
                                   fields={"idempotency_key": [_("Already used for order %(number)s.")
                                                               % {"number": order.number}]})
    return Submitted(order=order, replayed=True)


def order_submit(*, actor, dealer, lines: Sequence[SubmitLine] | None = None, address_id=None, note: str = "",
                 idempotency_key: str = "", coupon_codes: Sequence[str] | None = None,
                 consent_reduce: bool = False, expected_total: Decimal | None = None,
                 on_behalf: bool = False) -> Submitted:
    """Submit `lines` (default: the dealer's cart, with its coupons) as an order. See the module docstring.
    `on_behalf`: placed for the dealer by the brand's staff (only through ordering.on_behalf.order_submit_for,
    which checks the actor's capability and scope): marked so, the dealer told, and held for its confirmation
    when the brand asks for it (one more query, for such orders only).
    `expected_total` is the total the dealer was shown: if the re-quote differs (a price or promotion
    changed meanwhile), PriceChanged (409) and nothing is written. The same Idempotency-Key with another request
    is IdempotencyKeyReused (422).

    From the cart, the cart's row is locked for the whole submission and read after the lock: two submits of one
    cart at once (no key, or different keys) make one order; the second finds the cart consumed and is told which
    order it became (CartAlreadySubmitted, 409), or gets that order back if it carries the same key."""
    if getattr(actor, "role", "") in DEALER_ROLES and not has_perm(actor, ORDERS_SUBMIT):
        raise OrderingNotAllowed(_("You may fill your company's cart, but submitting orders is up to your company's "
                                   "owner. Ask them to submit it or to give you the right to order."))
    key = (idempotency_key or "").strip()
    if len(key) > 80:
        raise OrderInvalid(_("The idempotency key is too long."),
                           fields={"idempotency_key": [_("At most 80 characters.")]})
    fingerprint = request_fingerprint(lines=lines, address_id=address_id, note=note, coupon_codes=coupon_codes,
                                      consent_reduce=consent_reduce, expected_total=expected_total)
    context = _context(dealer, address_id, key)
    if on_behalf:
        context = replace(context, on_behalf=True, hold=ordering_settings().confirm_on_behalf)
    if context.replay_id is not None:
        return _replay(Order.objects.get(pk=context.replay_id), fingerprint)
    _orders_month_check(context)
    if context.may_be_blocked and context.dealer.seller_id is None:  # headquarters' block, on its own sales only
        overdue_block_check(dealer)
    submit = {"actor": actor, "dealer": dealer, "context": context, "address_id": address_id, "note": note,
              "key": key, "fingerprint": fingerprint, "consent_reduce": consent_reduce,
              "expected_total": expected_total}
    if lines is not None:
        return _submit(**submit, lines=lines, coupon_codes=coupon_codes, from_cart=False)
    with transaction.atomic():
        cart = Cart.objects.select_for_update(of=("self",)).filter(dealer=dealer).first()
        cart_lines = list(CartLine.objects.filter(cart=cart)[:MAX_CART_LINES]) if cart is not None else []
        if not cart_lines and cart is not None and cart.submitted_order_id is not None:
            consumed = Order.objects.get(pk=cart.submitted_order_id)
            if key and consumed.idempotency_key == key:
                return _replay(consumed, fingerprint)
            raise CartAlreadySubmitted(_("This cart was already submitted as order %(number)s.")
                                       % {"number": consumed.number})
        lines = [SubmitLine(sku_id=c.sku_id, unit_id=c.unit_id, quantity=c.quantity) for c in cart_lines]
        if coupon_codes is None:
            coupon_codes = cart.coupon_codes if cart_lines else []
        return _submit(**submit, lines=lines, coupon_codes=coupon_codes, from_cart=True)


def _submit(*, actor, dealer, context: _Context, lines, address_id, note, key, fingerprint, coupon_codes,
            consent_reduce, expected_total, from_cart: bool) -> Submitted:
    coupon_codes = list(coupon_codes or [])
    _dealer_may_order(dealer, context.blockers)
    address = _address_required(context.address, address_id)
    outside = channel.outside_territory_check(area=address["area"], area_path=address.get("territory_path"),
                                              territory_paths=context.dealer.territory_paths,
                                              policy=context.channel_policy)
    address = channel.address_snapshot(address, outside=outside)
    skus, quote = _priced(context.dealer, lines, coupon_codes)
    _shown_total_check(quote, expected_total)

    def new_order() -> Order:
        return Order(id=context.order_id, number=_order_number(context.order_id, context.dealer.at), dealer=dealer,
                     seller_id=context.dealer.seller_id,
                     placed_by=actor if getattr(actor, "is_authenticated", False) else None,
                     coupon_codes=coupon_codes, shipping_address=address, outside_territory=outside,
                     note=(note or "")[:2000], idempotency_key=key, idempotency_fingerprint=fingerprint if key else "",
                     on_behalf=context.on_behalf)

    try:
        if settings.ORDERING_ONE_STATEMENT and placement.placeable(quote):  # most orders: one statement
            # The order and its charge to the dealer's account commit together, or neither (the placement adds no
            # savepoint: any error ends this transaction).
            with transaction.atomic():
                placed = _place_at_once(actor=actor, order=new_order(), context=context, quote=quote,
                                        from_cart=from_cart)
                if placed is not None:
                    order_charge(actor=actor, order=placed)
                    order_submitted_count()
                    return Submitted(order=placed, lines=(), skus=skus, quote=quote)
        with transaction.atomic():
            order = new_order()
            backorder, written = _place(actor=actor, order=order, ctx=context.dealer, lines=lines, skus=skus,
                                        quote=quote, coupon_codes=coupon_codes, policy=context.policy,
                                        ranks=context.ranks, consent_reduce=consent_reduce, message=_("Submitted"),
                                        approvals=context.approvals, on_behalf=context.on_behalf, hold=context.hold)
            order_charge(actor=actor, order=order)
            if backorder is not None:
                order_charge(actor=actor, order=backorder)
            if from_cart:
                CartLine.objects.filter(cart__dealer=dealer).delete()
                Cart.objects.filter(dealer=dealer).update(submitted_order=order)
            order_submitted_count()  # a backorder is counted where it is written (_backorder)
            return Submitted(order=order, backorder=backorder, lines=tuple(written), skus=skus)
    except (IntegrityError, Conflict):
        # A concurrent twin with the same key got there first: its order is committed by now (this one waited
        # for its stock rows, or for its key in the unique index), so it is handed back. Anything else: raised.
        first = Order.objects.filter(dealer=dealer, idempotency_key=key).first() if key else None
        if first is None:
            raise
        return _replay(first, fingerprint)


def _submitted_rows(*, actor, order: Order, ctx: DealerContext, quote: Quote, message: str, backorder=None,
                    approvals=None, on_behalf: bool = False, hold: bool = False) -> list:
    """`order` (frozen, in memory) moved to submitted and into its approval chain: the timeline, audit and approval
    rows to write with it. Placed on the dealer's behalf: the dealer told, and with `hold` the order waits for its
    confirmation (awaiting_dealer) instead of entering the chain (ordering.on_behalf starts it on confirmation)."""
    ORDER_MACHINE.apply(order, "submit")
    order.submitted_at = ctx.at
    rows = [order_event(order, actor, kind="transition", from_status=OrderStatus.DRAFT, to_status=OrderStatus.SUBMITTED,
                        message=message,
                        data={"total": str(order.total), "lines": len(quote.lines), "revision": order.revision})]
    rows.append(_submitted_entry(actor, order, lines=len(quote.lines)))
    rows.append(order_outbox_row(order, actor, kind="order.revised" if order.revision > 1 else "order.submitted",
                                 at=ctx.at, payload={"lines": len(quote.lines)}))
    relay_soon()
    if backorder:
        rows.append(order_event(order, actor, kind="note", message=_("Shortfall split into backorder %(number)s.")
                                % {"number": backorder.number}, data={"backorder": backorder.number}))
    if order.outside_territory:
        rows.append(channel.flagged_event(order, actor))
    if on_behalf:
        rows += _on_behalf_rows(actor, order, hold=hold, at=ctx.at)
        if hold:
            return rows
    held = internal_hold_rows(actor=actor, order=order)
    if held:  # above the buyer's internal limit: the dealer approves first, then the chain runs
        return rows + held
    return rows + approval_chain().plan(actor=actor, order=order, now=ctx.at, node_path=ctx.node_path,
                                        territory_paths=list(ctx.territory_paths),
                                        category_paths=_category_paths(quote), config=approvals)


def _on_behalf_rows(actor, order: Order, *, hold: bool, at) -> list:
    """An order placed for the dealer: held for the dealer's confirmation when the brand asks for it, and the
    dealer's event (its owners and buyers are told: notifications), written with the order."""
    rows = transition_fresh(actor=actor, order=order, action="await_dealer", now=at,
                            reason=_("Placed on the dealer's behalf; waiting for the dealer to confirm it.")) \
        if hold else []
    return [*rows, order_outbox_row(order, actor, kind="order.placed_for_you", at=at,
                                    payload={"placed_by": person_label(actor), "confirm": hold})]


def _submitted_entry(actor, order: Order, *, lines: int):
    """The order's audit entry for its submission (unsaved: written with the order, in the same statement)."""
    return audit_entry(actor=actor, action="ordering.order.submitted", target=order,
                       before={"status": OrderStatus.DRAFT},
                       after={"status": OrderStatus.SUBMITTED, "total": str(order.total), "lines": lines,
                              "revision": order.revision, **({"on_behalf": True} if order.on_behalf else {})})


def _place_at_once(*, actor, order: Order, context: _Context, quote: Quote, from_cart: bool) -> Order | None:
    """The new order in one statement (ordering.placement) if every line can be reserved in full: the order, as
    written; None when stock is short (nothing written: the caller applies the shortage policy). A budget run
    out is refused as step by step (PromotionBudgetExhausted, nothing written)."""
    _freeze(order, quote)
    rows = _submitted_rows(actor=actor, order=order, ctx=context.dealer, quote=quote, message=_("Submitted"),
                           approvals=context.approvals, on_behalf=context.on_behalf, hold=context.hold)
    result = placement.order_place(actor=actor, order=order, quote=quote, rows=rows, warehouse_ranks=context.ranks,
                                   from_cart=from_cart, savepoint=False)
    if result.placed:
        order._state.adding = False
        return order
    if result.refused_promotions:
        budget_exhausted_check(quote.promotions, capped=result.refused_promotions, taken=())
    return None


def _category_paths(quote: Quote) -> set[str]:
    """Category paths of every line of the order, gifts included (approval conditions look at them)."""
    paths = {quoted.priced.category_path for quoted in quote.lines}
    priced = {quoted.priced.sku_id for quoted in quote.lines}
    gifts = {gift.sku_id for gift in quote.gifts} - priced
    if gifts:
        from tenant_apps.catalog.models import Sku

        paths |= {str(path) for path in Sku.objects.filter(pk__in=gifts)
                  .values_list("product__category__path", flat=True)}
    return paths


def _place(*, actor, order: Order, ctx: DealerContext, lines, skus, quote, coupon_codes, policy, ranks,
           consent_reduce, message: str, approvals=None, on_behalf: bool = False, hold: bool = False,
           ) -> tuple[Order | None, list[OrderLine]]:
    """Reserve, apply the shortage policy, and write the order (new: inserted; a revision: updated) with its
    lines, reservations, purchases, timeline and approval chain start in one statement, then the promotion
    usage. Returns the backorder, if one was split, and the order's lines as written."""
    now = ctx.at
    dealer = order.dealer
    # Reserve the priced lines and the gifts.
    wanted: dict[int, int] = defaultdict(int)
    for quoted in quote.lines:
        wanted[quoted.priced.sku_id] += quoted.priced.quantity * quoted.priced.factor
    gifts: dict[int, int] = defaultdict(int)
    for gift in quote.gifts:
        gifts[gift.sku_id] += gift.quantity
    allocations = stock_allocate(actor=actor, wanted={s: wanted[s] + gifts[s] for s in {*wanted, *gifts}},
                                 warehouse_ranks=ranks, reference=order.number)
    reserved: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        reserved[allocation.sku_id] += allocation.quantity
    short = {s for s in wanted if reserved[s] < wanted[s] + gifts[s]}
    backorder = None
    # Placed with a supplier: what its warehouses hold is reserved, the rest waits on the order for it to source
    # (stock it receives, or lines passed up to headquarters); its shortfall never refuses a sub-dealer.
    if short and ctx.seller_id is None:
        plan = _plan(lines, skus, {s: max(reserved[s] - gifts[s], 0) for s in wanted}, policy)
        shortages = [{"line": number, "sku": skus[p.line.sku_id].code, "wanted": p.line.quantity,
                      "available": p.kept, "unit": p.unit_name}
                     for number, p in enumerate(plan, start=1) if p.kept < p.line.quantity]
        if not shortages:  # only gifts are short: the order goes ahead without the missing gift units
            quote_kept = quote
        elif policy == ShortagePolicy.REFUSE or (policy == ShortagePolicy.REDUCE and not consent_reduce):
            raise StockShort(_("Not enough stock for some lines."), shortages=shortages,
                             reducible=policy == ShortagePolicy.REDUCE)
        else:
            kept = [(p.line.sku_id, p.unit_id, p.kept) for p in plan if p.kept]
            if not kept:
                raise StockShort(_("None of the lines is in stock."), shortages=shortages)
            quote_kept = _quote(ctx, kept, coupon_codes)
            _unpriced_error(quote_kept)
            if policy == ShortagePolicy.BACKORDER:
                rest = [(p.line.sku_id, p.unit_id, p.line.quantity - p.kept) for p in plan if p.kept < p.line.quantity]
                backorder = _backorder(actor=actor, ctx=ctx, parent=order, rest=rest, address=order.shipping_address)
        # Give back what the kept lines (and gifts) no longer need.
        allocations = _trim(actor, allocations, quote_kept, order.number)
        quote = quote_kept
    _freeze(order, quote)
    rows = _line_rows(order, quote, allocations, reserve=True)
    rows += [PurchaseRecord(dealer=dealer, sku_id=q.priced.sku_id, unit_id=q.priced.unit_id, quantity=q.priced.quantity,
                            unit_price=q.priced.unit_price, bought_at=now, reference=order.number,
                            currency=quote.currency) for q in quote.lines]
    rows += _submitted_rows(actor=actor, order=order, ctx=ctx, quote=quote, message=message, backorder=backorder,
                            approvals=approvals, on_behalf=on_behalf, hold=hold)
    if order._state.adding:
        insert_grouped([order, *rows])
        order._state.adding = False
    else:
        order.save(update_fields=["status", "submitted_at", "approved_at", "closed_at", "currency", "subtotal",
                                  "discount_total", "total", "breakdown", "shipping_address", "outside_territory",
                                  "updated_at"])
        insert_grouped(rows)
    # Last: it updates the promotions' shared budget rows, whose locks every order using them waits for.
    promotion_usage_record(quote=quote, order_ref=order.number)
    return backorder, [row for row in rows if isinstance(row, OrderLine)]


# Orders a dealer may still change: before the warehouse has allocated them. Changing one that is waiting for
# or through approval sends it back first (a new revision), so the approval chain starts again.
REVISABLE = (OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.IN_APPROVAL, OrderStatus.APPROVED)


def order_revise(*, actor, order: Order, lines: Sequence[SubmitLine], expected_total: Decimal | None = None,
                 consent_reduce: bool = False, note: str | None = None) -> Order:
    """Change an order's lines and submit it again, in one transaction: an order sent back for changes, or
    one the dealer edits before the warehouse has it (it is sent back first: a new revision). Its stock is
    given back and reserved again, promotions re-applied (their budget and coupon uses given back and taken
    again), the price re-frozen, and the approval chain starts from its first step. The shortage policy
    applies as at submission, except that a revision never splits a backorder (refused instead)."""
    from tenant_apps.promotions.services import promotion_usage_release

    with transaction.atomic():
        locked = order_lock(order.pk, related=("dealer",))
        if locked.status not in REVISABLE:
            raise IllegalOrderTransition(
                _("Order %(number)s is %(state)s; it can no longer be changed.")
                % {"number": locked.number, "state": locked.get_status_display()})
        if locked.status != OrderStatus.DRAFT:
            locked = order_transition(actor=actor, order=locked, action="send_back",
                                      reason=_("Changed by %(who)s.") % {"who": person_label(actor)})
            approval_chain().restart(actor=actor, order=locked, reason=_("The order was changed."))
        dealer = locked.dealer
        _dealer_may_order(dealer)
        from tenant_apps.pricing.selectors import dealer_context

        # A revision stays in the order's currency and with its seller.
        ctx = dealer_context(dealer, currency=locked.currency, seller_id=locked.seller_id)
        channel.revision_check(order=locked, territory_paths=ctx.territory_paths)  # refused: all rolled back
        skus, quote = _priced(ctx, lines, locked.coupon_codes)
        _shown_total_check(quote, expected_total)
        reservations_release(order=locked, actor=actor, reason="revised")
        promotion_usage_release(order_ref=locked.number)
        PurchaseRecord.objects.filter(dealer=dealer, reference=locked.number).delete()
        OrderReservation.objects.filter(order=locked).delete()
        OrderLine.objects.filter(order=locked).delete()
        if note is not None:
            locked.note = note[:2000]
            locked.save(update_fields=["note", "updated_at"])
        policy = ordering_settings().shortage_policy
        internal_hold_clear(actor=actor, order=locked)  # decided again by the revision's total (internal_approval)
        order_charge_release(actor=actor, order=locked, reason=_("revised"))
        _place(actor=actor, order=locked, ctx=ctx, lines=lines, skus=skus, quote=quote,
               coupon_codes=locked.coupon_codes,
               policy=ShortagePolicy.REFUSE if policy == ShortagePolicy.BACKORDER else policy,
               ranks=warehouse_ranks(dealer, seller_id=locked.seller_id), consent_reduce=consent_reduce,
               message=_("Changed and submitted again (revision %(revision)s)") % {"revision": locked.revision})
        order_charge(actor=actor, order=locked)
    order.refresh_from_db()
    return order


def _trim(actor, allocations: list[Allocation], quote: Quote, reference: str) -> list[Allocation]:
    """Release the part of the allocations that the kept quote does not need (per SKU, last warehouse first)."""
    need: dict[int, int] = defaultdict(int)
    for quoted in quote.lines:
        need[quoted.priced.sku_id] += quoted.priced.quantity * quoted.priced.factor
    for gift in quote.gifts:
        need[gift.sku_id] += gift.quantity
    kept, release = [], []
    by_sku: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        by_sku[allocation.sku_id].append(allocation)
    for sku_id, group in by_sku.items():
        left = need.get(sku_id, 0)
        for allocation in group:
            take = min(left, allocation.quantity)
            left -= take
            if take:
                kept.append(Allocation(allocation.sku_id, allocation.warehouse_id, allocation.stock_id, take))
            if allocation.quantity - take:
                release.append(Allocation(allocation.sku_id, allocation.warehouse_id, allocation.stock_id,
                                          allocation.quantity - take))
    stock_release_allocations(actor=actor, allocations=release, reference=reference,
                              reason="reduced at submission")
    return kept


def _backorder(*, actor, ctx: DealerContext, parent: Order, rest, address) -> Order:
    """The shortfall as its own order: priced now, nothing reserved; it is allocated when stock comes."""
    quote = _quote(ctx, rest, ())
    order_id = ids_take(order=(Order, 1))["order"][0]
    backorder = Order(
        id=order_id, number=_order_number(order_id, ctx.at), dealer=parent.dealer, backorder_of=parent,
        seller_id=parent.seller_id,
        placed_by=actor if getattr(actor, "is_authenticated", False) else None, shipping_address=address,
        outside_territory=parent.outside_territory, note=_("Backorder of %(number)s") % {"number": parent.number},
        on_behalf=parent.on_behalf)
    _freeze(backorder, quote)
    ORDER_MACHINE.apply(backorder, "submit")
    backorder.submitted_at = ctx.at
    # A backorder waits in "submitted" for its stock; the brand starts its approval chain when it can be
    # filled (ordering.approval: the registered chain's restart), and allocation reserves it then.
    insert_grouped([backorder, *_line_rows(backorder, quote, [], reserve=False),
                    order_event(backorder, actor, kind="transition", from_status=OrderStatus.DRAFT,
                                to_status=OrderStatus.SUBMITTED, message=_("Backorder submitted")),
                    *([channel.flagged_event(backorder, actor)] if backorder.outside_territory else []),
                    _submitted_entry(actor, backorder, lines=len(quote.lines))])
    order_submitted_count()
    backorder._state.adding = False
    return backorder
