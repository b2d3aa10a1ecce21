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

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
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
    dealer_only: bool = False  # only without product dimensions and filters (the order count)


MEASURES = {
    "net": Measure(_("Net sales"), "sum(f.net)", "money"),
    "gross": Measure(_("Gross sales"), "sum(f.gross)", "money"),
    "discount": Measure(_("Discount given"), "sum(f.discount)", "money"),
    "returned_net": Measure(_("Returned"), "sum(f.returned_net)", "money"),
    "net_after_returns": Measure(_("Net after returns"), "sum(f.net) - sum(f.returned_net)", "money"),
    "quantity": Measure(_("Quantity (base units)"), "sum(f.quantity)", "quantity"),
    "returned_quantity": Measure(_("Returned quantity"), "sum(f.returned_quantity)", "quantity"),
    "lines": Measure(_("Order lines"), "sum(f.lines)", "count"),
    "dealers": Measure(_("Buying dealers"), "count(DISTINCT f.dealer_id) FILTER (WHERE f.lines > 0)", "count"),
    "orders": Measure(_("Orders"), "sum(f.orders)", "count", dealer_only=True),
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


_TIME_SQL = {"day": "f.day", "week": "date_trunc('week', f.day)::date", "month": "date_trunc('month', f.day)::date",
             "quarter": "date_trunc('quarter', f.day)::date", "year": "date_trunc('year', f.day)::date"}


def _level(column: str, depth: int) -> str:
    """The id at `depth` + 1 of an ltree of ids (the child of the node at `depth` on the way down), or the last
    id when the path stops at `depth`."""
    return (f"coalesce(nullif(split_part({column}::text, '.', {depth + 2}), ''), "
            f"split_part({column}::text, '.', {depth + 1}))::int")


def _parts(spec: ReportSpec, *, region_depth: int, category_depth: int) -> tuple[list[str], set[str]]:
    """The SELECT expression of each dimension and the joins they need."""
    exprs, joins = [], set()
    for name in spec.dimensions:
        if name in _TIME_SQL:
            exprs.append(_TIME_SQL[name])
        elif name == "dealer":
            exprs.append("f.dealer_id")
        elif name == "tier":
            exprs.append("d.tier_id")
            joins.add("dealer")
        elif name == "rep":
            exprs.append("d.sales_rep_id")
            joins.add("dealer")
        elif name == "region":
            exprs.append(_level("n.path", region_depth))
            joins |= {"dealer", "node"}
        elif name == "province":
            exprs.append("pv.province_id")
            joins.add("province")
        elif name == "sku":
            exprs.append("f.sku_id")
        elif name == "product":
            exprs.append("s.product_id")
            joins.add("sku")
        elif name == "series":
            exprs.append("p.series_id")
            joins |= {"sku", "product"}
        elif name == "category":
            exprs.append(_level("c.path", category_depth) if category_depth >= 0
                         else "split_part(c.path::text, '.', 1)::int")
            joins |= {"sku", "product", "category"}
    return exprs, joins


_JOINS = {
    "dealer": "JOIN dealers_dealer d ON d.id = f.dealer_id",
    "node": "JOIN dealers_node n ON n.id = d.node_id",
    # A dealer's province: the territory on the second level (under 中国) above its first territory. Territory
    # paths are of codes, so the province is found by its path.
    "province": """LEFT JOIN (SELECT dt.dealer_id, min(p.id) AS province_id
                             FROM dealers_dealer_territories dt JOIN dealers_territory t ON t.id = dt.territory_id
                             JOIN dealers_territory p ON p.path = subpath(t.path, 0, 2)
                             WHERE nlevel(t.path) >= 2 GROUP BY dt.dealer_id) pv ON pv.dealer_id = f.dealer_id""",
    "sku": "JOIN catalog_sku s ON s.id = f.sku_id",
    "product": "JOIN catalog_product p ON p.id = s.product_id",
    "category": "JOIN catalog_category c ON c.id = p.category_id",
}
_JOIN_ORDER = ("dealer", "node", "province", "sku", "product", "category")
_SUMS = ("lines", "quantity", "gross", "discount", "net", "returned_quantity", "returned_net")


def _source(spec: ReportSpec, *, dealers: list[int] | None, skus: list[int] | None,
            params: dict) -> str:
    """The rollup rows of the period as one relation `f` (day, dealer_id[, sku_id], measures[, orders])."""
    by_product = _on_products(spec)
    conditions = ["currency = %(currency)s"]
    if dealers is not None:
        conditions.append("dealer_id = ANY(%(dealers)s)")
        params["dealers"] = dealers
    if skus is not None:
        conditions.append("sku_id = ANY(%(skus)s)")
        params["skus"] = skus
    where = " AND ".join(conditions)
    if not by_product:
        columns = "day, dealer_id, orders, " + ", ".join(_SUMS)
        return (f"(SELECT {columns} FROM reporting_dealerday WHERE {where} "  # noqa: S608 - names and SQL from this module, values as parameters
                f"AND day BETWEEN %(date_from)s AND %(date_to)s) f")
    columns = "dealer_id, sku_id, " + ", ".join(_SUMS)
    fine = any(d in ("day", "week") for d in spec.dimensions)
    months = None if fine else _months(spec.date_from, spec.date_to)
    if months is None:
        return (f"(SELECT day, {columns} FROM reporting_salesday WHERE {where} "  # noqa: S608 - names and SQL from this module, values as parameters
                f"AND day BETWEEN %(date_from)s AND %(date_to)s) f")
    params["month_from"], params["month_end"] = months
    return (f"""(SELECT month AS day, {columns} FROM reporting_salesmonth WHERE {where}
                   AND month >= %(month_from)s AND month < %(month_end)s
                 UNION ALL
                 SELECT day, {columns} FROM reporting_salesday WHERE {where}
                   AND ((day >= %(date_from)s AND day < %(month_from)s)
                        OR (day >= %(month_end)s AND day <= %(date_to)s))) f""")  # noqa: S608 - names and SQL from this module, values as parameters


def report_sql(actor, spec: ReportSpec) -> tuple[str, dict]:
    """The SQL and parameters of a checked spec (reporting.selectors.report_run runs it)."""
    filters = spec.filters
    root = scope_root(actor, filters)
    category_depth = -1
    if filters.category:
        category = Category.objects.filter(pk=filters.category).first()
        category_depth = category.path.count(".") if category else -1
    params: dict = {"currency": spec.currency, "date_from": spec.date_from, "date_to": spec.date_to}
    source = _source(spec, dealers=dealer_ids(actor, filters), skus=sku_ids(filters), params=params)
    exprs, joins = _parts(spec, region_depth=root.path.count("."), category_depth=category_depth)
    keys = [f"{expr} AS k{i}" for i, expr in enumerate(exprs)]
    values = [f"{MEASURES[m].sql} AS m{i}" for i, m in enumerate(spec.measures)]
    join_sql = "\n".join(_JOINS[name] for name in _JOIN_ORDER if name in joins)
    group = f"GROUP BY {', '.join(str(i + 1) for i in range(len(exprs)))}" if exprs else ""
    if exprs and spec.dimensions[0] in TIME_GRAINS:
        order = "ORDER BY " + ", ".join(str(i + 1) for i in range(len(exprs)))
    elif exprs:
        order = f"ORDER BY {len(exprs) + 1} DESC NULLS LAST, " + ", ".join(str(i + 1) for i in range(len(exprs)))
    else:
        order = ""
    params["limit"] = spec.limit + 1
    sql = f"""SELECT {', '.join(keys + values)} FROM {source}
              {join_sql}
              {group} {order} LIMIT %(limit)s"""  # noqa: S608 - names and SQL from this module, values as parameters
    return sql, params


def report_execute(actor, spec: ReportSpec) -> Report:
    errors = spec_errors(spec)
    if errors:
        raise ReportError(errors)
    sql, params = report_sql(actor, spec)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
        totals = _totals(cursor, actor, spec) if spec.dimensions else None
    width = len(spec.dimensions)
    truncated = len(fetched) > spec.limit
    fetched = fetched[:spec.limit]
    labels = _labels(spec, [row[:width] for row in fetched])
    rows = [Row(keys=tuple(row[:width]), labels=tuple(labels[i][key] for i, key in enumerate(row[:width])),
                values=_values(spec, row[width:])) for row in fetched]
    if totals is None:
        totals = rows[0].values if rows else _values(spec, (None,) * len(spec.measures))
        rows = []
    return Report(spec=spec, rows=rows, totals=totals, truncated=truncated)


def _totals(cursor, actor, spec: ReportSpec) -> tuple:
    sql, params = report_sql(actor, replace(spec, dimensions=()))
    cursor.execute(sql, params)
    return _values(spec, cursor.fetchone())


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
