"""The data the quote engine passes between its parts: list pricing (tenant_apps.pricing) and promotions
(tenant_apps.promotions). Plain frozen/slotted dataclasses, no ORM objects: the engine is pure once its
inputs are loaded, so the same inputs give the same quote whatever the order rules were created in.

Money is `Decimal` in the quote's currency; amounts on lines are rounded half up to the currency's
minor unit (`tenant_apps.core.money.quantize`) at the points the docstrings say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class CartLine:
    """What the dealer asks for: `quantity` of a SKU in one of its units (the base unit or a SkuUnit's unit)."""

    sku_id: int
    unit_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class DealerContext:
    """Who is buying, when: everything a price list or a promotion scope is matched against."""

    dealer_id: int
    tier_id: int | None
    territory_paths: tuple[str, ...]  # ltree paths of the dealer's territories (the "region" of price lists)
    node_path: str  # ltree path of the dealer's node in the network tree
    at: datetime
    currency: str  # the dealer's ordering currency (the brand's): only lists and promotions in it apply
    # Who sells (S2B2B): None is headquarters, else the supplier node the dealer buys from. Only the seller's own
    # price lists and promotions apply (headquarters' protection windows only to headquarters' sales).
    seller_id: int | None = None


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A cart line priced by the price book, before promotions.

    `unit_price` is per ordered unit; `gross` = quantize(unit_price * quantity). `price_source` is one of
    pricing's precedence levels ("protection", "contract", "dealer", "region", "tier", "base") and
    `price_rule` a sentence a person reads ("合同价 HT-2026-01, 48+ 箱"), `price_list_id` its list (None for
    protection)."""

    index: int  # position in the cart, 0-based; allocations refer to it
    sku_id: int
    product_id: int
    category_path: str  # ltree path of the product's category (promotion scope by category subtree)
    unit_id: int
    quantity: int
    factor: int  # base units in one ordered unit
    unit_price: Decimal
    gross: Decimal
    price_source: str
    price_rule: str
    price_list_id: int | None = None

    @property
    def base_quantity(self) -> int:
        return self.quantity * self.factor


@dataclass(frozen=True, slots=True)
class GiftLine:
    """Free goods a promotion adds (买赠): reserved from stock like any line, at a price of zero."""

    promotion_id: int
    sku_id: int
    unit_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    """One promotion (or coupon) that took effect: its total discount and how it is spread over lines.

    `allocations` maps line index -> amount (each >= 0, rounded to the minor unit) and sums exactly to
    `discount`; an order-level discount (满减) is allocated pro rata to the eligible lines' net amounts,
    with the rounding remainder given to the lines with the largest remainders (ties: lowest index)."""

    promotion_id: int
    name: str
    kind: str
    discount: Decimal
    allocations: dict[int, Decimal] = field(default_factory=dict)
    gifts: tuple[GiftLine, ...] = ()
    coupon_code: str = ""
    explanation: str = ""  # "满 5000 减 300 (applied once: 满 5000)"


@dataclass(frozen=True, slots=True)
class PromotionResult:
    applied: tuple[AppliedPromotion, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "Coupon SPRING10 has been used up" — shown, never an error


@dataclass(frozen=True, slots=True)
class QuoteLine:
    priced: PricedLine
    discounts: tuple[tuple[int, Decimal], ...]  # (promotion_id, amount) in the order applied
    net: Decimal  # gross - sum(discounts); never negative


@dataclass(frozen=True, slots=True)
class Quote:
    """The price of a cart for a dealer at a moment. total == sum(line.net); discount_total ==
    sum(promotion.discount) == subtotal - total."""

    currency: str
    at: datetime
    dealer_id: int
    lines: tuple[QuoteLine, ...]
    promotions: tuple[AppliedPromotion, ...]
    gifts: tuple[GiftLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    notes: tuple[str, ...] = ()
    unpriced: tuple[int, ...] = ()  # cart indexes with no price for this dealer (cannot be ordered)
