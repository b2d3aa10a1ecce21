"""The report engine: a report spec (dimensions, measures, period, filters) run against the sales rollups, within
the reader's data scope. docs/dev/reporting.md describes it; the short of it:

- The period is cut into whole months (read from `SalesMonth`) and the days at its edges (`SalesDay`); a report
  by day or week reads days only. A report with no product dimension or filter reads `DealerDay` (which also has
  the order count).
- The reader's scope and the dealer-side filters become one list of dealer ids, the product-side filters one list
  of SKU ids, both pushed into every part of the read (indexes on dealer and day/month serve them).
- Dimensions are read from the current network and catalog: a dealer moved to another region reports there.
- Figures come back as Decimal money (from minor units) and ints; labels are resolved with one query per
  dimension, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.permissions import Scope, scope_of
from tenant_apps.catalog.models import Category, Product, Series, Sku
from tenant_apps.dealers.models import Dealer, Node, Territory, Tier
from tenant_apps.dealers.selectors import dealers_visible_to, headquarters

TIME_GRAINS = {"day": _("Day"), "week": _("Week"), "month": _("Month"), "quarter": _("Quarter"),
               "year": _("Year")}
DEALER_DIMENSIONS = {"region": _("Region"), "province": _("Province"), "tier": _("Tier"),
                     "rep": _("Sales rep"), "dealer": _("Dealer")}
PRODUCT_DIMENSIONS = {"category": _("Category"), "series": _("Series"), "product": _("Product"),
                      "sku": _("SKU")}
DIMENSIONS = {**TIME_GRAINS, **DEALER_DIMENSIONS, **PRODUCT_DIMENSIONS}


@dataclass(frozen=True)
class Measure:
    label: object
    sql: str  # over the summed columns of the rollup rows
    kind: str  # "money", "count", "quantity"
    columns: tuple[str, ...]  # the rollup columns it sums
    dealer_only: bool = False  # only without product dimensions and filters (the order count)
    per_dealer: bool = False  # counts dealers: the rows are kept per dealer until the last step


MEASURES = {
    "net": Measure(_("Net sales"), "sum(f.net)", "money", ("net",)),
    "gross": Measure(_("Gross sales"), "sum(f.gross)", "money", ("gross",)),
    "discount": Measure(_("Discount given"), "sum(f.discount)", "money", ("discount",)),
    "returned_net": Measure(_("Returned"), "sum(f.returned_net)", "money", ("returned_net",)),
    "net_after_returns": Measure(_("Net after returns"), "sum(f.net) - sum(f.returned_net)", "money",
                                 ("net", "returned_net")),
    "quantity": Measure(_("Quantity (base units)"), "sum(f.quantity)", "quantity", ("quantity",)),
    "returned_quantity": Measure(_("Returned quantity"), "sum(f.returned_quantity)", "quantity",
                                 ("returned_quantity",)),
    "lines": Measure(_("Order lines"), "sum(f.lines)", "count", ("lines",)),
    # A dealer counts where the sum of its lines is above 0 (lines are never negative: the same as "any row").
    "dealers": Measure(_("Buying dealers"), "count(DISTINCT f.dealer_id) FILTER (WHERE f.lines > 0)", "count",
                       ("lines",), per_dealer=True),
    "orders": Measure(_("Orders"), "sum(f.orders)", "count", ("orders",), dealer_only=True),
}
MAX_DIMENSIONS = 3
MAX_ROWS = 5000


class ReportError(ValueError):
    """A spec that cannot be run: {field: [message]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Filters:
    region: int | None = None  # a network node: its subtree
    province: int | None = None  # a territory: dealers with a territory under it
    tiers: tuple[int, ...] = ()
    dealers: tuple[int, ...] = ()
    reps: tuple[int, ...] = ()
    category: int | None = None  # its subtree
    series: tuple[int, ...] = ()
    products: tuple[int, ...] = ()
    skus: tuple[int, ...] = ()

    def on_products(self) -> bool:
        return bool(self.category or self.series or self.products or self.skus)


@dataclass(frozen=True)
class ReportSpec:
    date_from: date
    date_to: date  # inclusive
    dimensions: tuple[str, ...] = ()
    measures: tuple[str, ...] = ("net",)
    currency: str = "CNY"
    filters: Filters = field(default_factory=Filters)
    limit: int = 1000  # rows (the largest first when the first dimension is not time)


@dataclass
class Row:
    keys: tuple  # a period's first day, or an id (None for "none")
    labels: tuple[str, ...]
    values: tuple  # Decimal for money, int otherwise, in the order of spec.measures


@dataclass
class Report:
    spec: ReportSpec
    rows: list[Row]
    totals: tuple
    truncated: bool = False

    def columns(self) -> list[tuple[str, object]]:
        return ([(name, DIMENSIONS[name]) for name in self.spec.dimensions]
                + [(name, MEASURES[name].label) for name in self.spec.measures])


def spec_errors(spec: ReportSpec) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(spec.dimensions) > MAX_DIMENSIONS:
        errors["dimensions"] = [str(_("Choose at most %(n)d dimensions.") % {"n": MAX_DIMENSIONS})]
    elif len(set(spec.dimensions)) != len(spec.dimensions) or any(d not in DIMENSIONS for d in spec.dimensions):
        errors["dimensions"] = [str(_("Choose each dimension once, from the list."))]
    elif sum(d in TIME_GRAINS for d in spec.dimensions) > 1:
        errors["dimensions"] = [str(_("Choose one time grain."))]
    if not spec.measures or any(m not in MEASURES for m in spec.measures) or len(set(spec.measures)) != len(
            spec.measures):
        errors["measures"] = [str(_("Choose one or more measures from the list."))]
    elif _on_products(spec) and any(MEASURES[m].dealer_only for m in spec.measures):
        errors["measures"] = [str(_("Orders cannot be counted by product: an order holds many products."))]
    if spec.date_to < spec.date_from:
        errors["date_to"] = [str(_("The end comes before the start."))]
    elif (spec.date_to - spec.date_from).days > 366 * 5:
        errors["date_to"] = [str(_("Choose a period of five years at most."))]
    if not 1 <= spec.limit <= MAX_ROWS:
        errors["limit"] = [str(_("Between 1 and %(n)d rows.") % {"n": MAX_ROWS})]
    return errors


def _on_products(spec: ReportSpec) -> bool:
    return spec.filters.on_products() or any(d in PRODUCT_DIMENSIONS for d in spec.dimensions)


# --- scope and filters -> id lists ---------------------------------------------------------------------------

def scope_root(actor, filters: Filters) -> Node:
    """The node whose children the region dimension shows: the region filter's node, else the reader's own
    part of the network, else headquarters."""
    if filters.region:
        node = Node.objects.filter(pk=filters.region).first()
        if node is not None:
            return node
    if scope_of(actor) == Scope.SUBTREE and actor.scope_node_id:
        return actor.scope_node
    return headquarters()


def dealer_ids(actor, filters: Filters) -> list[int] | None:
    """The dealers the report may count: the reader's scope and the dealer-side filters; None for every dealer
    (the reader sees the whole network and nothing filters it)."""
    unrestricted = scope_of(actor) == Scope.ALL
    dealers = dealers_visible_to(actor)
    if filters.region:
        node = Node.objects.filter(pk=filters.region).first()
        dealers = dealers.filter(node__path__descendant_of=node.path) if node else dealers.none()
        unrestricted = False
    if filters.province:
        territory = Territory.objects.filter(pk=filters.province).first()
        dealers = (dealers.filter(territories__path__descendant_of=territory.path).distinct() if territory
                   else dealers.none())
        unrestricted = False
    for name, lookup in (("tiers", "tier_id__in"), ("dealers", "pk__in"), ("reps", "sales_rep_id__in")):
        if getattr(filters, name):
            dealers = dealers.filter(**{lookup: getattr(filters, name)})
            unrestricted = False
    return None if unrestricted else list(dealers.values_list("pk", flat=True))


def sku_ids(filters: Filters) -> list[int] | None:
    if not filters.on_products():
        return None
    skus = Sku.objects.all()
    if filters.category:
        category = Category.objects.filter(pk=filters.category).first()
        skus = skus.filter(product__category__path__descendant_of=category.path) if category else skus.none()
    if filters.series:
        skus = skus.filter(product__series_id__in=filters.series)
    if filters.products:
        skus = skus.filter(product_id__in=filters.products)
    if filters.skus:
        skus = skus.filter(pk__in=filters.skus)
    return list(skus.values_list("pk", flat=True))


# --- the query ----------------------------------------------------------------------------------------------

def _months(date_from: date, date_to: date) -> tuple[date, date] | None:
    """[first, end) of the whole months inside [date_from, date_to], or None."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    end = _next_month(date_to) if (date_to + timedelta(days=1)).day == 1 else date_to.replace(day=1)
    return (first, end) if first < end else None


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# The time grains over the rollup rows' day (or month). Dates are cast to timestamp without time zone: the same
# periods as over timestamptz, without a time zone conversion for every row.
_TIME_SQL = {"day": "f.day", "week": "date_trunc('week', f.day::timestamp)::date",
             "month": "date_trunc('month', f.day::timestamp)::date",
             "quarter": "date_trunc('quarter', f.day::timestamp)::date",
             "year": "date_trunc('year', f.day::timestamp)::date"}


def _level(column: str, depth: int) -> str:
    """The id at `depth` + 1 of an ltree of ids (the child of the node at `depth` on the way down), or the last
    id when the path stops at `depth`; NULL for a path shorter than that. The planner may compute it for rows the
    joins then drop (headquarters' own path, a category above the filtered one): it must not fail on them."""
    return (f"nullif(coalesce(nullif(split_part({column}::text, '.', {depth + 2}), ''), "
            f"split_part({column}::text, '.', {depth + 1})), '')::int")


# A dealer's province: the territory on the second level (under 中国) above its first territory. Territory paths
# are of codes, so the province is found by its path.
_PROVINCE = """LEFT JOIN (SELECT dt.dealer_id, min(p.id) AS province_id
                          FROM dealers_dealer_territories dt JOIN dealers_territory t ON t.id = dt.territory_id
                          JOIN dealers_territory p ON p.path = subpath(t.path, 0, 2)
                          WHERE nlevel(t.path) >= 2 GROUP BY dt.dealer_id) pv ON pv.dealer_id = d.id"""
_SUMS = ("lines", "quantity", "gross", "discount", "net", "returned_quantity", "returned_net")


def product_ids(filters: Filters) -> list[int] | None:
    """The products the product-side filters leave (None: no such filter); for the month x dealer x product
    rollup. A SKU filter needs the SKU rollups instead."""
    if not filters.on_products():
        return None
    products = Product.objects.all()
    if filters.category:
        category = Category.objects.filter(pk=filters.category).first()
        products = products.filter(category__path__descendant_of=category.path) if category else products.none()
    if filters.series:
        products = products.filter(series_id__in=filters.series)
    if filters.products:
        products = products.filter(pk__in=filters.products)
    return list(products.values_list("pk", flat=True))


def _source(spec: ReportSpec, *, dealers: list[int] | None, keep_dealer: bool, columns: list[str],
            params: dict) -> tuple[str, str | None]:
    """The rollup rows of the period as one relation `f` (day, [dealer_id], [item], the summed columns, and
    `orders` when asked), and what `item` is: "sku", "product", or None (no product side).

    Which rollup is read (docs/dev/reporting.md, "Performance"): with no product dimension or filter, day x
    dealer. By day or week, day x dealer x SKU. Otherwise the whole months of the period come from the coarsest
    month rollup the report allows: month x SKU over every dealer when the reader sees the whole network and no
    dealer dimension, dealer filter or dealer count is asked (no dealer id list at all); month x dealer x product
    when nothing asks for SKUs; month x dealer x SKU otherwise. The days at the edges of the period always come from
    day x dealer x SKU (mapped to their product when the months are by product)."""
    filters = spec.filters
    by_product = _on_products(spec)
    read_dealer = keep_dealer or dealers is not None
    if dealers is not None:
        params["dealers"] = dealers

    def where(alias: str, *, item: str | None) -> str:
        conditions = [f"{alias}.currency = %(currency)s"]
        if dealers is not None:
            conditions.append(f"{alias}.dealer_id = ANY(%(dealers)s)")
        if item == "sku" and "skus" in params:
            conditions.append(f"{alias}.sku_id = ANY(%(skus)s)")
        elif item == "product" and "products" in params:
            conditions.append(f"{alias}.product_id = ANY(%(products)s)")
        return " AND ".join(conditions)

    def select(alias: str, day: str, item_sql: str | None) -> str:
        parts = [f"{alias}.{day} AS day"]
        if read_dealer:
            parts.append(f"{alias}.dealer_id")
        if item_sql:
            parts.append(f"{item_sql} AS item")
        return ", ".join(parts + [f"{alias}.{column}" for column in columns])

    if not by_product:
        return (f"""SELECT {select("r", "day", None)} FROM reporting_dealerday r
                    WHERE {where("r", item=None)} AND r.day BETWEEN %(date_from)s AND %(date_to)s""", None)  # noqa: S608 - names and SQL from this module, values as parameters
    skus = sku_ids(filters)
    if skus is not None:
        params["skus"] = skus
    fine = any(d in ("day", "week") for d in spec.dimensions)
    months = None if fine else _months(spec.date_from, spec.date_to)
    if months is None:
        return (f"""SELECT {select("r", "day", "r.sku_id")} FROM reporting_salesday r
                    WHERE {where("r", item="sku")} AND r.day BETWEEN %(date_from)s AND %(date_to)s""", "sku")  # noqa: S608 - names and SQL from this module, values as parameters
    params["month_from"], params["month_end"] = months
    if not read_dealer:
        table, item, item_sql = "reporting_skumonth", "sku", "r.sku_id"
    elif "sku" in spec.dimensions or filters.skus:
        table, item, item_sql = "reporting_salesmonth", "sku", "r.sku_id"
    else:
        table, item, item_sql = "reporting_productmonth", "product", "r.product_id"
        products = product_ids(filters)
        if products is not None:
            params["products"] = products
    # The days before the first whole month and after the last, each its own range (one index range scan each;
    # as one OR of two ranges the planner read the whole day table), and only when there are such days.
    edges = []
    for first, last in (("date_from", "month_from"), ("month_end", "date_to")):
        if (params[first] < params[last]) if last == "month_from" else (params[first] <= params[last]):
            upper = "<" if last == "month_from" else "<="
            edges.append(f"""
                UNION ALL
                SELECT {select("e", "day", "e.sku_id" if item == "sku" else "s.product_id")}
                FROM reporting_salesday e {"" if item == "sku" else "JOIN catalog_sku s ON s.id = e.sku_id"}
                WHERE {where("e", item="sku")} AND e.day >= %({first})s AND e.day {upper} %({last})s""")  # noqa: S608 - names and SQL from this module, values as parameters
    return (f"""SELECT {select("r", "month", item_sql)} FROM {table} r
                WHERE {where("r", item=item)} AND r.month >= %(month_from)s AND r.month < %(month_end)s
                {"".join(edges)}""", item)  # noqa: S608 - names and SQL from this module, values as parameters


def _dimension_tables(spec: ReportSpec, item: str | None, *, region_depth: int,
                      category_depth: int) -> tuple[list[str], list[str]]:
    """The key expression of each dimension over the aggregated rows `f`, and the joins they need: one small
    table per side (a row per dealer, a row per SKU or product) in which the dimensions' values are computed once,
    instead of once per rollup row."""
    keys, dealer_side, product_side = [], {}, {}
    for name in spec.dimensions:
        if name in TIME_GRAINS:
            keys.append("f.t")
        elif name == "dealer":
            keys.append("f.dealer_id")
        elif name in ("tier", "rep", "region", "province"):
            dealer_side[name] = {"tier": "d.tier_id", "rep": "d.sales_rep_id",
                                 "region": _level("n.path", region_depth), "province": "pv.province_id"}[name]
            keys.append(f"dd.{name}")
        elif name == "sku":
            keys.append("f.item")
        else:  # product, series, category
            category = (_level("c.path", category_depth) if category_depth >= 0
                        else "split_part(c.path::text, '.', 1)::int")
            product_side[name] = {"product": "p.id", "series": "p.series_id", "category": category}[name]
            keys.append(f"di.{name}")
    joins = []
    if dealer_side:
        columns = ", ".join(f"{expr} AS {name}" for name, expr in dealer_side.items())
        tables = "dealers_dealer d"
        if "region" in dealer_side:
            tables += " JOIN dealers_node n ON n.id = d.node_id"
        if "province" in dealer_side:
            tables += f" {_PROVINCE}"
        joins.append(f"JOIN (SELECT d.id AS dealer_id, {columns} FROM {tables}) dd "  # noqa: S608 - names and SQL from this module
                     f"ON dd.dealer_id = f.dealer_id")
    if product_side:
        columns = ", ".join(f"{expr} AS {name}" for name, expr in product_side.items())
        tables = "catalog_product p"
        if "category" in product_side:
            tables += " JOIN catalog_category c ON c.id = p.category_id"
        if item == "sku":
            joins.append(f"JOIN (SELECT s.id AS item, {columns} FROM catalog_sku s JOIN {tables} "  # noqa: S608 - names and SQL from this module
                         f"ON p.id = s.product_id) di ON di.item = f.item")
        else:
            joins.append(f"JOIN (SELECT p.id AS item, {columns} FROM {tables}) di ON di.item = f.item")  # noqa: S608 - names and SQL from this module
    return keys, joins


def report_sql(actor, spec: ReportSpec) -> tuple[str, dict]:
    """The SQL and parameters of a checked spec (reporting.selectors.report_run runs it). With dimensions, the
    first row it returns is the totals (its last column, `total_row`, is not 0), the report's rows follow.

    In two steps: the rollup rows are first summed by their own columns (the period of the time grain, the dealer
    when a dealer-side dimension or the dealer count needs it, the SKU or product when a product-side dimension
    does), then the few rows left are joined to the dealers and the catalog and grouped by the dimensions, with the
    totals in the same pass (GROUPING SETS): the rollup is read once, and joined in thousands of rows, not in
    hundreds of thousands."""
    filters = spec.filters
    root = scope_root(actor, filters)
    category_depth = -1
    if filters.category:
        category = Category.objects.filter(pk=filters.category).first()
        category_depth = category.path.count(".") if category else -1
    elif "category" in spec.dimensions and len(Category.objects.filter(parent=None)[:2]) == 1:
        category_depth = 0  # one root ("全部商品"): its children are the catalog's first real level
    params: dict = {"currency": spec.currency, "date_from": spec.date_from, "date_to": spec.date_to}
    columns = sorted({column for m in spec.measures for column in MEASURES[m].columns})
    keep_dealer = (any(d in DEALER_DIMENSIONS for d in spec.dimensions)
                   or any(MEASURES[m].per_dealer for m in spec.measures))
    source, item = _source(spec, dealers=dealer_ids(actor, filters), keep_dealer=keep_dealer, columns=columns,
                           params=params)
    values = [f"{MEASURES[m].sql} AS m{i}" for i, m in enumerate(spec.measures)]
    if not spec.dimensions:
        return f"SELECT {', '.join(values)} FROM ({source}) f", params  # noqa: S608 - names and SQL from this module, values as parameters
    inner = []
    time_grain = next((d for d in spec.dimensions if d in TIME_GRAINS), None)
    if time_grain:
        inner.append(f"{_TIME_SQL[time_grain]} AS t")
    if keep_dealer:
        inner.append("f.dealer_id")
    if any(d in PRODUCT_DIMENSIONS for d in spec.dimensions):
        inner.append("f.item")
    sums = ", ".join(f"sum(f.{column})::bigint AS {column}" for column in columns)
    keys, joins = _dimension_tables(spec, item, region_depth=root.path.count("."), category_depth=category_depth)
    names = [f"k{i}" for i in range(len(keys))]
    if spec.dimensions[0] in TIME_GRAINS:
        order = ", ".join(str(i + 1) for i in range(len(keys)))
    else:
        order = f"{len(keys) + 1} DESC NULLS LAST, " + ", ".join(str(i + 1) for i in range(len(keys)))
    params["limit"] = spec.limit + 2  # the totals row, and one more row than the limit to tell it was cut
    sql = f"""WITH a AS (SELECT {', '.join(inner)}, {sums} FROM ({source}) f
                         GROUP BY {', '.join(str(i + 1) for i in range(len(inner)))})
              SELECT {', '.join(names + values)}, GROUPING({', '.join(names)}) AS total_row
              FROM (SELECT {', '.join(f"{key} AS {name}" for key, name in zip(keys, names, strict=True))}, f.*
                    FROM a f {' '.join(joins)}) f
              GROUP BY GROUPING SETS (({', '.join(names)}), ())
              ORDER BY total_row DESC, {order} LIMIT %(limit)s"""  # noqa: S608 - names and SQL from this module, values as parameters
    return sql, params


def report_execute(actor, spec: ReportSpec) -> Report:
    errors = spec_errors(spec)
    if errors:
        raise ReportError(errors)
    sql, params = report_sql(actor, spec)
    with transaction.atomic(), connection.cursor() as cursor:
        # A report reads a few hundred thousand rollup rows at most: compiling the query (JIT, on by default from
        # PostgreSQL 12 above a plan cost such reads reach) would cost more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not spec.dimensions:
        return Report(spec=spec, rows=[], totals=_values(spec, fetched[0]), truncated=False)
    width = len(spec.dimensions)
    totals = _values(spec, fetched[0][width:-1])
    fetched = [row[:-1] for row in fetched[1:]]
    truncated = len(fetched) > spec.limit
    fetched = fetched[:spec.limit]
    labels = _labels(spec, [row[:width] for row in fetched])
    rows = [Row(keys=tuple(row[:width]), labels=tuple(labels[i][key] for i, key in enumerate(row[:width])),
                values=_values(spec, row[width:])) for row in fetched]
    return Report(spec=spec, rows=rows, totals=totals, truncated=truncated)


def _values(spec: ReportSpec, raw) -> tuple:
    out = []
    for name, value in zip(spec.measures, raw, strict=True):
        value = value or 0
        out.append(Decimal(value) / 100 if MEASURES[name].kind == "money" else int(value))
    return tuple(out)


# --- labels -------------------------------------------------------------------------------------------------

def _english() -> bool:
    return (get_language() or "").startswith("en")


def _period_label(grain: str, day: date | None) -> str:
    if day is None:
        return ""
    if grain == "day":
        return day.isoformat()
    if grain == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return f"{day:%Y-%m}"
    if grain == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def _names(name: str, ids: set) -> dict:
    english = _english()
    ids = {i for i in ids if i is not None}
    if name in ("region",):
        return dict(Node.objects.filter(pk__in=ids).values_list("pk", "name"))
    if name == "province":
        return dict(Territory.objects.filter(pk__in=ids).values_list("pk", "name"))
    if name == "dealer":
        return {pk: short or legal for pk, short, legal in
                Dealer.objects.filter(pk__in=ids).values_list("pk", "name", "legal_name")}
    if name == "tier":
        return dict(Tier.objects.filter(pk__in=ids).values_list("pk", "name"))
    if name == "rep":
        from django.contrib.auth import get_user_model

        return {pk: full or email for pk, full, email in
                get_user_model().objects.filter(pk__in=ids).values_list("pk", "full_name", "email")}
    if name == "series":
        return dict(Series.objects.filter(pk__in=ids).values_list("pk", "name"))
    if name in ("category", "product"):
        model = Category if name == "category" else Product
        return {pk: (en if english and en else zh) for pk, zh, en in
                model.objects.filter(pk__in=ids).values_list("pk", "name", "name_en")}
    if name == "sku":
        return {pk: f"{code} {name}".strip() for pk, code, name in
                Sku.objects.filter(pk__in=ids).values_list("pk", "code", "name")}
    return {}


NONE_LABELS = {"tier": _("No tier"), "rep": _("No sales rep"), "series": _("No series"),
               "province": _("No area")}


def _labels(spec: ReportSpec, keys: list[tuple]) -> list[dict]:
    out = []
    for i, name in enumerate(spec.dimensions):
        present = {row[i] for row in keys}
        if name in TIME_GRAINS:
            out.append({key: _period_label(name, key) for key in present})
            continue
        names = _names(name, present)
        none = str(NONE_LABELS.get(name, "-"))
        out.append({key: (names.get(key, f"#{key}") if key is not None else none) for key in present})
    return out
