"""The price book: everything needed to price a cart for one dealer at one moment, loaded in a small
constant number of queries (`price_book_load`), then priced line by line without any query
(`PriceBook.price`).

The rules it applies are those in the docstring of `tenant_apps.pricing.models` (precedence protection >
contract > dealer > region > tier > base; the most specific list, then the latest valid_from, then the code;
the ordered unit's entry or else the base-unit price times the unit's factor; the largest quantity break not
above the ordered quantity).

Queries of `price_book_load`, whatever the number of lines, lists or entries: the SKUs (with product,
category and packaging units), the entries of the dealer's matching lists, the protected prices of the
windows covering the dealer: 3. (One statement of JSON rows for all three was tried: no faster for 20 lines,
a quarter slower for 200, so typed rows it stays.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenant_apps.core import prepared
from tenant_apps.core.money import quantize
from tenant_apps.core.numbers import is_id
from tenant_apps.pricing.models import (
    PRECEDENCE,
    PriceLevel,
    PriceList,
    PriceListKind,
    PriceListStatus,
)
from tenant_apps.pricing.quote_types import CartLine, DealerContext, PricedLine

LEVEL_RANK = {level: rank for rank, level in enumerate(PRECEDENCE)}


@dataclass(frozen=True, slots=True)
class SkuMeta:
    sku_id: int
    code: str
    product_id: int
    category_path: str
    base_unit_id: int
    factors: dict[int, int]  # unit id -> base units in one (the base unit: 1)
    unit_names: dict[int, str]
    # What ordering checks (tenant_apps.ordering.submission): on sale and visible to the book's dealer
    # (catalog.selectors.sku_search(dealer=...) as SQL), and the minimum and step in base units.
    orderable: bool = True
    min_order_qty: int = 1
    order_step: int = 1
    name: str = ""

    @property
    def base_unit_name(self) -> str:
        return self.unit_names[self.base_unit_id]


@dataclass(frozen=True, slots=True)
class ListInfo:
    list_id: int
    code: str
    name: str
    kind: str
    contract_number: str
    specificity: int  # depth of the region's territory; 0 for other kinds
    valid_from: date

    @property
    def order_key(self) -> tuple:
        """Precedence, then the most specific, then the latest valid_from, then the code."""
        return (LEVEL_RANK[self.kind], -self.specificity, -self.valid_from.toordinal(), self.code)


@dataclass(frozen=True, slots=True)
class Protected:
    window_id: int
    window_name: str
    price: Decimal
    order_key: tuple  # dealer-specific windows first, then the latest start, then the id


@dataclass(frozen=True, slots=True)
class PriceBook:
    ctx: DealerContext
    skus: dict[int, SkuMeta]
    lists: tuple[ListInfo, ...]  # in precedence order
    # sku id -> list id -> unit id -> ((min_quantity, price), ...) largest min_quantity first
    entries: dict[int, dict[int, dict[int, tuple[tuple[int, Decimal], ...]]]]
    # (sku id, unit id) -> the protected price that holds
    protected: dict[tuple[int, int], Protected] = field(default_factory=dict)
    # list id -> how its lines describe it, in the language of the request (made once, not once per line)
    described: dict[int, str] = field(default_factory=dict)

    def price(self, line: CartLine, index: int, *, protection: bool = True,
              visible_only: bool = True) -> PricedLine | None:
        """The dealer's price of `line` (None: no price for this dealer, or not a unit of the SKU, or a SKU the
        dealer may not see: not on sale, or its product limited to other tiers or territories; `orderable`, the
        catalog's visibility rule). `protection=False` prices as if no protection window existed (what a price
        cut gives); `visible_only=False` prices a SKU whatever its visibility (the brand's own reckonings, such
        as price-protection compensation on goods already bought)."""
        meta = self.skus.get(line.sku_id)
        if meta is None or line.unit_id not in meta.factors or line.quantity < 1:
            return None
        if visible_only and not meta.orderable:
            return None
        factor = meta.factors[line.unit_id]
        found = (self._protected(meta, line, factor) if protection else None) or self._listed(meta, line, factor)
        if found is None:
            return None
        unit_price, source, rule, list_id = found
        return PricedLine(
            index=index, sku_id=meta.sku_id, product_id=meta.product_id, category_path=meta.category_path,
            unit_id=line.unit_id, quantity=line.quantity, factor=factor, unit_price=unit_price,
            gross=quantize(unit_price * line.quantity, self.ctx.currency), price_source=source, price_rule=rule,
            price_list_id=list_id,
        )

    def _protected(self, meta: SkuMeta, line: CartLine, factor: int):
        held = self.protected.get((meta.sku_id, line.unit_id))
        converted = False
        if held is None and line.unit_id != meta.base_unit_id:
            held = self.protected.get((meta.sku_id, meta.base_unit_id))
            converted = held is not None
        if held is None:
            return None
        unit_price = held.price * factor if converted else held.price
        rule = _("Price protection “%(name)s”") % {"name": held.window_name}
        if converted:
            rule += " " + self._conversion(meta, line.unit_id, held.price, factor)
        return unit_price, PriceLevel.PROTECTION.value, rule, None

    def _listed(self, meta: SkuMeta, line: CartLine, factor: int):
        by_list = self.entries.get(meta.sku_id)
        if not by_list:
            return None
        for info in self.lists:
            units = by_list.get(info.list_id)
            if not units:
                continue
            breaks = units.get(line.unit_id)
            hit = _break(breaks, line.quantity) if breaks else None
            converted = False
            if hit is None and line.unit_id != meta.base_unit_id and meta.base_unit_id in units:
                hit = _break(units[meta.base_unit_id], line.quantity * factor)
                converted = hit is not None
            if hit is None:
                continue
            min_quantity, price = hit
            rule = self._describe(info)
            if min_quantity > 1:
                unit_name = meta.unit_names.get(meta.base_unit_id if converted else line.unit_id, "")
                rule += ", " + _("from %(quantity)s %(unit)s") % {"quantity": min_quantity, "unit": unit_name}
            if converted:
                rule += " " + self._conversion(meta, line.unit_id, price, factor)
                return price * factor, info.kind, rule, info.list_id
            return price, info.kind, rule, info.list_id
        return None

    def _describe(self, info: ListInfo) -> str:
        text = self.described.get(info.list_id)
        if text is None:
            text = self.described[info.list_id] = _list_description(info.kind, info.code, info.contract_number,
                                                                    translation.get_language())
        return text

    @staticmethod
    def _conversion(meta: SkuMeta, unit_id: int, base_price: Decimal, factor: int) -> str:
        return _("(%(price)s per %(base)s × %(factor)s per %(unit)s)") % {
            "price": price_text(base_price),
            "base": meta.unit_names.get(meta.base_unit_id, ""), "factor": factor,
            "unit": meta.unit_names.get(unit_id, ""),
        }


@lru_cache(maxsize=1024)
def _list_description(kind: str, code: str, contract_number: str, _language: str | None) -> str:
    """"基础价 BASE", "合同价 HT-1 (合同 2026-01)": the same for every line priced from the list (in the language)."""
    label = str(PriceListKind(kind).label)
    if kind == PriceListKind.CONTRACT and contract_number:
        return _("%(kind)s %(code)s (contract %(number)s)") % {"kind": label, "code": code, "number": contract_number}
    return f"{label} {code}"


def price_text(price: Decimal) -> str:
    """A price with at least 2 and at most 4 decimals, without trailing zeros beyond 2 ("5.50", "0.1234")."""
    text = f"{price:f}"
    if "." not in text:
        return f"{text}.00"
    whole, decimals = text.split(".")
    return f"{whole}.{decimals.rstrip('0').ljust(2, '0')}"


def _break(breaks: tuple[tuple[int, Decimal], ...], quantity: int) -> tuple[int, Decimal] | None:
    """The largest quantity break not above `quantity` (breaks are sorted largest first)."""
    for min_quantity, price in breaks:
        if min_quantity <= quantity:
            return min_quantity, price
    return None


def pricing_day(at) -> date:
    return timezone.localdate(at) if timezone.is_aware(at) else at.date()


def matching_lists(ctx: DealerContext):
    """The active lists valid on the day of ctx.at that apply to the dealer (a queryset; no query yet)."""
    day = pricing_day(ctx.at)
    targets = Q(kind=PriceListKind.BASE) | Q(kind__in=[PriceListKind.DEALER, PriceListKind.CONTRACT],
                                              dealer_id=ctx.dealer_id)
    if ctx.tier_id is not None:
        targets |= Q(kind=PriceListKind.TIER, tier_id=ctx.tier_id)
    if ctx.territory_paths:
        targets |= Q(kind=PriceListKind.REGION) & Q.create(
            [("territory__path__ancestor_of", path) for path in ctx.territory_paths], connector=Q.OR)
    return (PriceList.objects.filter(targets, status=PriceListStatus.ACTIVE, currency=ctx.currency,
                                     valid_from__lte=day, owner_id=ctx.seller_id)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)))


_SKUS_SQL = """
SELECT s.id, s.code, s.product_id, c.path::text, s.base_unit_id, bu.name,
       array_remove(array_agg(su.unit_id ORDER BY su.unit_id), NULL),
       array_remove(array_agg(su.factor ORDER BY su.unit_id), NULL),
       array_remove(array_agg(u.name ORDER BY su.unit_id), NULL),
       s.status = 'on_sale' AND p.status = 'on_sale'
       AND (NOT EXISTS (SELECT 1 FROM catalog_product_visible_tiers vt WHERE vt.product_id = p.id)
            OR EXISTS (SELECT 1 FROM catalog_product_visible_tiers vt
                       WHERE vt.product_id = p.id AND vt.tier_id = %(tier)s))
       AND (NOT EXISTS (SELECT 1 FROM catalog_product_visible_territories vr WHERE vr.product_id = p.id)
            OR EXISTS (SELECT 1 FROM catalog_product_visible_territories vr
                       JOIN dealers_territory vt ON vt.id = vr.territory_id
                       WHERE vr.product_id = p.id AND (vt.path <@ ANY(%(territories)s::text[]::ltree[])
                                                       OR vt.path @> ANY(%(territories)s::text[]::ltree[])))),
       s.min_order_qty, s.order_step, s.name
FROM catalog_sku s
JOIN catalog_product p ON p.id = s.product_id
JOIN catalog_category c ON c.id = p.category_id
JOIN catalog_unit bu ON bu.id = s.base_unit_id
LEFT JOIN catalog_skuunit su ON su.sku_id = s.id
LEFT JOIN catalog_unit u ON u.id = su.unit_id
WHERE s.id = ANY(%(skus)s)
GROUP BY s.id, p.id, c.path, bu.name
"""

# The prices that apply to the dealer on the day, one row each, told apart by `source`:
# - 'list': an entry of a list that applies (matching_lists() as SQL), with its list;
# - 'protected': a protected price of a window in force for the dealer (or for everyone), with its window.
# Only the seller's lists (ctx.seller_id: NULL is headquarters); protection windows are headquarters' own.
# One statement, not one per kind: every quote reads both, and each statement is a round trip.
_PRICES_SQL = """
SELECT 'list' AS source, l.id, l.code, l.name, l.kind, l.contract_number, l.valid_from AS since, t.path::text,
       NULL::bigint AS dealer_id, e.sku_id, e.unit_id, e.min_quantity, e.price
FROM pricing_priceentry e
JOIN pricing_pricelist l ON l.id = e.price_list_id
LEFT JOIN dealers_territory t ON t.id = l.territory_id
WHERE e.sku_id = ANY(%(skus)s)
  AND l.status = 'active' AND l.currency = %(currency)s AND l.valid_from <= %(day)s
  AND (l.valid_to IS NULL OR l.valid_to >= %(day)s) AND l.owner_id IS NOT DISTINCT FROM %(seller)s::bigint
  AND (l.kind = 'base'
       OR (l.kind IN ('dealer', 'contract') AND l.dealer_id = %(dealer)s)
       OR (l.kind = 'tier' AND l.tier_id = %(tier)s)
       OR (l.kind = 'region' AND t.path @> ANY(%(territories)s::text[]::ltree[])))
UNION ALL
SELECT 'protected', w.id, NULL, w.name, NULL, NULL, w.starts_on, NULL, w.dealer_id, pp.sku_id, pp.unit_id, NULL,
       pp.price
FROM pricing_protectedprice pp
JOIN pricing_protectionwindow w ON w.id = pp.window_id
WHERE pp.sku_id = ANY(%(skus)s) AND w.starts_on <= %(day)s AND w.ends_on >= %(day)s AND w.currency = %(currency)s
  AND (w.dealer_id = %(dealer)s OR w.dealer_id IS NULL) AND %(seller)s::bigint IS NULL
  AND (NOT EXISTS (SELECT 1 FROM pricing_protectionwindow_skus ws WHERE ws.protectionwindow_id = w.id)
       OR EXISTS (SELECT 1 FROM pricing_protectionwindow_skus ws
                  WHERE ws.protectionwindow_id = w.id AND ws.sku_id = pp.sku_id))
"""


def price_book_load(ctx: DealerContext, sku_ids: Iterable[int]) -> PriceBook:
    """Load what pricing `sku_ids` for the dealer of `ctx` at ctx.at needs, in 2 queries: the SKUs with their
    product, category and units; the prices (the entries of the dealer's matching lists, the protected prices).

    Plain SQL with array parameters on purpose: this runs on every quote, and the ORM's compilation of
    `IN (200 parameters)` lookups cost more than the queries themselves (the rules are those of
    `matching_lists`, which the tests check against it)."""
    sku_ids = sorted({int(sku_id) for sku_id in sku_ids if is_id(int(sku_id))})  # no row has another id
    if not sku_ids:
        return PriceBook(ctx=ctx, skus={}, lists=(), entries={})
    params = {"skus": sku_ids, "day": pricing_day(ctx.at), "currency": ctx.currency, "dealer": ctx.dealer_id,
              "tier": ctx.tier_id, "territories": list(ctx.territory_paths), "seller": ctx.seller_id}
    with connection.cursor() as cursor:
        prepared.execute(cursor, "price_book_skus", _SKUS_SQL, params)
        sku_rows = cursor.fetchall()
        prepared.execute(cursor, "price_book_prices", _PRICES_SQL, params)
        price_rows = cursor.fetchall()

    skus = {}
    for (sku_id, code, product_id, category_path, base_unit_id, base_unit_name, unit_ids, factors, names, orderable,
         min_order_qty, order_step, name) in sku_rows:
        skus[sku_id] = SkuMeta(
            sku_id=sku_id, code=code, product_id=product_id, category_path=category_path or "",
            base_unit_id=base_unit_id, factors={**dict(zip(unit_ids, factors, strict=True)), base_unit_id: 1},
            unit_names={**dict(zip(unit_ids, names, strict=True)), base_unit_id: base_unit_name},
            orderable=orderable, min_order_qty=min_order_qty, order_step=order_step, name=name,
        )

    infos: dict[int, ListInfo] = {}
    entries: dict[int, dict[int, dict[int, list]]] = {}
    protected: dict[tuple[int, int], Protected] = {}
    for (source, source_id, code, name, kind, number, since, path, dealer_id, sku_id, unit_id, min_quantity,
         price) in price_rows:
        if source == "protected":  # source_id: the window; since: the day it starts
            candidate = Protected(window_id=source_id, window_name=name, price=price,
                                  order_key=(dealer_id is None, -since.toordinal(), source_id))
            current = protected.get((sku_id, unit_id))
            if current is None or candidate.order_key < current.order_key:
                protected[(sku_id, unit_id)] = candidate
            continue
        if source_id not in infos:
            infos[source_id] = ListInfo(list_id=source_id, code=code, name=name, kind=kind, contract_number=number,
                                        valid_from=since, specificity=path.count(".") + 1 if path else 0)
        entries.setdefault(sku_id, {}).setdefault(source_id, {}).setdefault(unit_id, []).append((min_quantity, price))
    frozen = {
        sku_id: {list_id: {unit_id: tuple(sorted(breaks, reverse=True)) for unit_id, breaks in units.items()}
                 for list_id, units in by_list.items()}
        for sku_id, by_list in entries.items()
    }
    lists = sorted(infos.values(), key=lambda info: info.order_key)
    return PriceBook(ctx=ctx, skus=skus, lists=tuple(lists), entries=frozen, protected=protected)
