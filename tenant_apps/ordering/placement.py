"""A new order whose every line can be reserved, written in ONE statement (the way most orders go).

Submission is the platform's hottest write. Written step by step it costs a statement and a round trip per
step (reserve, take ids, insert, record promotions, begin, commit), and every stock row and capped promotion it
reserves from stays locked while the later steps run. Here the whole write is one prepared statement, run on
its own (autocommit: the statement is the transaction), so the locks last as long as that statement and its
commit, and nothing is left half done: either all of it is written or none of it.

The statement (all or nothing):
1. inventory.services.ALLOCATION_PLAN locks the candidate stock rows in (sku, warehouse) order and shares each
   SKU's quantity over the warehouses serving the dealer first; promotions.services.PROMOTION_PLAN then locks the
   capped promotions the order spends from, in id order (stock first, then promotions: the order every
   submission locks in, so none deadlocks).
2. `gate`: every SKU reserved in full and every capped budget still holding its discount. Shut, nothing is written
   and the caller learns why: short SKUs (submission then follows the brand's shortage policy, step by step:
   submission._place) or budgets run out (PromotionBudgetExhausted, as step by step).
3. inventory.services.ALLOCATION_WRITE (reservations and their ledger rows), promotions.services.PROMOTION_WRITE
   (budgets, usage rows), and the order: the order row, its lines (ids from their sequence), each line's
   reservations (its SKU's shares: on this path a SKU is on one line only), the purchase records price protection
   reads, the timeline, audit entries and approval steps made in memory (the chain: ordering.approval),
   and the dealer's cart emptied (and marked consumed by this order) when the order came from it.

Taken only when each SKU is on one line (gifts included) and no coupon is applied (coupon counters and
redemptions are promotions.services' own writes); anything else goes step by step, with the same result.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Model

from tenant_apps.core import prepared
from tenant_apps.core.bulk import grouped, insert_ctes
from tenant_apps.inventory.services import ALLOCATION_PLAN, ALLOCATION_WRITE, allocation_params
from tenant_apps.ordering.models import Order
from tenant_apps.pricing.quote_types import Quote
from tenant_apps.promotions.services import PROMOTION_PLAN, PROMOTION_WRITE, usage_params

ZERO = Decimal(0)

# An order line's fields as the quote sets them (`quote_lines`), with their column types.
LINE_FIELDS = ("line_no", "sku_id", "unit_id", "quantity", "factor", "unit_price", "gross", "discount", "net",
               "price_source", "price_rule", "price_list_id", "gift_promotion_id")
_LINE_COLUMNS = (*zip(LINE_FIELDS, ("integer", "bigint", "bigint", "integer", "integer", "numeric", "numeric",
                                    "numeric", "numeric", "varchar", "varchar", "integer", "integer"),
                      strict=True), ("reserved_base", "integer"))

_ORDER_WRITE = """
placed_lines AS (
    INSERT INTO ordering_orderline (order_id, {line_columns}, shipped_base, returned_base)
    SELECT %(order_id)s, l.*, 0, 0 FROM unnest({line_params}) AS l WHERE (SELECT ok FROM gate)
    RETURNING id, sku_id, unit_id, quantity, unit_price, gift_promotion_id),
placed_reservations AS (
    INSERT INTO ordering_orderreservation (order_id, line_id, warehouse_id, sku_id, quantity)
    SELECT %(order_id)s, l.id, m.warehouse_id, m.sku_id, m.take
    FROM stock_moved m JOIN placed_lines l ON l.sku_id = m.sku_id),
placed_purchases AS (
    INSERT INTO pricing_purchaserecord (dealer_id, sku_id, unit_id, quantity, unit_price, currency, bought_at,
                                        reference)
    SELECT %(dealer)s, sku_id, unit_id, quantity, unit_price, %(currency)s, %(at)s, %(reference)s
    FROM placed_lines WHERE gift_promotion_id IS NULL),
placed_cart AS (
    DELETE FROM ordering_cartline c USING ordering_cart k
    WHERE %(from_cart)s AND c.cart_id = k.id AND k.dealer_id = %(dealer)s AND (SELECT ok FROM gate)),
placed_cart_consumed AS (
    UPDATE ordering_cart SET submitted_order_id = %(order_id)s
    WHERE %(from_cart)s AND dealer_id = %(dealer)s AND (SELECT ok FROM gate))"""


@dataclass(frozen=True)
class Placement:
    placed: bool
    short_skus: tuple[int, ...] = ()  # SKUs not all free (nothing written)
    refused_promotions: tuple[int, ...] = ()  # capped promotions whose budget no longer holds (nothing written)


def placeable(quote: Quote) -> bool:
    """May this quote's order be written in one statement? Each SKU on one line, gifts included; no coupon."""
    skus = [quoted.priced.sku_id for quoted in quote.lines] + [gift.sku_id for gift in quote.gifts]
    return bool(quote.lines) and len(skus) == len(set(skus)) and not any(p.coupon_code for p in quote.promotions)


def quote_lines(quote: Quote) -> list[tuple]:
    """The order lines a quote makes, as LINE_FIELDS tuples: the priced lines, then the gifts at zero. Every way an
    order is written (here, submission._line_rows) and answered (ordering.api.views.submitted_body) reads them."""
    lines = [(number, q.priced.sku_id, q.priced.unit_id, q.priced.quantity, q.priced.factor, q.priced.unit_price,
              q.priced.gross, q.priced.gross - q.net, q.net, q.priced.price_source, q.priced.price_rule[:200],
              q.priced.price_list_id, None) for number, q in enumerate(quote.lines, start=1)]
    lines += [(len(lines) + number, g.sku_id, g.unit_id, g.quantity, 1, ZERO, ZERO, ZERO, ZERO, "gift", "", None,
               g.promotion_id) for number, g in enumerate(quote.gifts, start=1)]
    return lines


def _line_values(quote: Quote) -> list[list]:
    """The quote's lines column by column (_LINE_COLUMNS), every line reserved in full."""
    return [list(column) for column in zip(*[(*line, line[3] * line[4]) for line in quote_lines(quote)], strict=True)]


def order_place(*, actor, order: Order, quote: Quote, rows: list[Model], warehouse_ranks: dict[int, int],
                from_cart: bool, savepoint: bool = True) -> Placement:
    """Write `order` (new, in memory, with its id, number and frozen quote) with its lines, reservations,
    purchase records, promotion usage and `rows` (timeline, audit, approval steps) in one statement, if every
    SKU can be reserved in full and every capped budget holds; else write nothing and say why. The caller checks
    `placeable(quote)` first. An IntegrityError (a twin with the same Idempotency-Key) leaves nothing written.
    `savepoint=False`: the caller's transaction is its own and ends with any error (no savepoint round trips)."""
    wanted: dict[int, int] = {}
    for quoted in quote.lines:
        wanted[quoted.priced.sku_id] = quoted.priced.quantity * quoted.priced.factor
    for gift in quote.gifts:
        wanted[gift.sku_id] = gift.quantity
    applied = sorted(quote.promotions, key=lambda promotion: promotion.promotion_id)
    params = {
        **allocation_params(actor=actor, wanted=wanted, warehouse_ranks=warehouse_ranks, reference=order.number),
        **usage_params(applied=applied, dealer_id=order.dealer_id, order_ref=order.number, at=order.submitted_at),
        "order_id": order.pk, "dealer": order.dealer_id, "currency": quote.currency, "at": order.submitted_at,
        "reference": order.number, "from_cart": from_cart,
    }
    for (column, _type), values in zip(_LINE_COLUMNS, _line_values(quote), strict=True):
        params[f"line_{column}"] = values
    ctes, shape = insert_ctes([[order], *grouped(rows)], params, gated=True, prefix="row")
    line_sql = _ORDER_WRITE.format(
        line_columns=", ".join(column for column, _type in _LINE_COLUMNS),
        line_params=", ".join(f"%(line_{column})s::{db_type}[]" for column, db_type in _LINE_COLUMNS))
    sql = f"""WITH {ALLOCATION_PLAN},
promo_go AS (SELECT NOT EXISTS (SELECT 1 FROM stock_short) AS ok),
{PROMOTION_PLAN},
gate AS (SELECT NOT EXISTS (SELECT 1 FROM stock_short) AND NOT EXISTS (SELECT 1 FROM promo_capped WHERE NOT holds)
         AS ok),
{ALLOCATION_WRITE},
{PROMOTION_WRITE},
{line_sql},
{", ".join(ctes)}
SELECT (SELECT ok FROM gate), ARRAY(SELECT sku_id FROM stock_short ORDER BY 1),
       ARRAY(SELECT id FROM promo_capped WHERE NOT holds ORDER BY 1)"""  # noqa: S608 - constants and model names
    with _own_transaction(savepoint), connection.cursor() as cursor:
        prepared.execute(cursor, f"order_place:{shape}", sql, params)
        ok, short, refused = cursor.fetchone()
    return Placement(placed=ok, short_skus=tuple(short), refused_promotions=tuple(refused))


@contextmanager
def _own_transaction(savepoint: bool = True):
    """The statement is its own transaction in autocommit mode (no BEGIN and COMMIT round trips); inside a
    caller's transaction, a savepoint, so that a failed statement (a twin's key) leaves that transaction usable."""
    if connection.in_atomic_block and savepoint:
        with transaction.atomic():
            yield
    else:
        yield
