"""Sales reports over 1,000,000 order lines (issue 22, "How it stays fast"): any two dimensions < 500 ms.

  world      one tenant: headquarters, 5 regions (two with sub-regions), 66 dealers in 21 cities of 13
             provinces, 3 tiers, 6 sales reps, a regional manager per region (scope: their region); 4 top
             categories in a 3-level tree, 8 series, 150 products, 600 SKUs (dealers, people, tree and series
             through the services; products and SKUs in bulk). 1,000,000 order lines in about 100,000 orders over
             the 730 days ending today, COPY'd straight into ordering_order / ordering_orderline: seasonality (the
             spring festival dip, Double 11 and year-end peaks, quiet Sundays, growth), big and small dealers,
             popular and slow SKUs, tier prices, some discounts, some lines in cases; ~5 % cancelled and a few
             rejected or drafts (none of which count), 300 received returns.
  build      rollups_refresh(full=True) over it: the first build.
  reports    20 two-dimension reports with filters (some periods not aligned on months), each run through
             reporting.selectors.report_run (labels included) as the owner (the whole network) and as the
             regional manager of 华东 (scope SUBTREE): p50/p95 over --runs repetitions after one warm-up.
  plain      beside each, the same report as one plain GROUP BY over ordering_orderline joined to the orders,
             dealers and catalog (the semantics of reporting.services._SOURCE written again: lines of orders not
             draft/rejected/cancelled, dated by the order's created_at local date): its p50/p95 over --plain-runs,
             and the two must give the same rows and totals.
  refresh    1,000 new orders of 20 lines today (COPY, updated_at = now()), then rollups_refresh(): the time to
             bring the rollups up to date; rollup_mismatches() (the check) timed and asserted empty.
  baseline   pgbench -S, one client, 10 s, on a scratch database of the same server.

Runs in its own throwaway tenant, deleted and purged at the end. With DATABASE_URL, the database is created and its
public schema migrated when missing.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_report .venv/bin/python bench/report.py [--runs 10]
     .venv/bin/python bench/report.py      (the embedded database)
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup, percentile, pgbench_select_only, throwaway_tenant  # noqa: E402

LINES = 1_000_000
DAYS = 730
NEW_ORDERS, NEW_ORDER_LINES = 1000, 20
RETURNS = 300
TARGET_MS = 500
# region code -> (name, parent region code or None, {province code: cities}, dealers); provinces and cities are
# the divisions every workspace starts with (tenant_apps.dealers.divisions)
REGIONS = {
    "EAST": ("华东", None, {}, 2),
    "EAST-JZ": ("江浙", "EAST", {"330000": 3, "320000": 2}, 14),
    "EAST-HW": ("沪皖", "EAST", {"310000": 1, "340000": 2}, 8),
    "SOUTH": ("华南", None, {"440000": 3, "350000": 1}, 12),
    "NORTH": ("华北", None, {}, 0),
    "NORTH-JJ": ("京津", "NORTH", {"110000": 1, "120000": 1}, 8),
    "NORTH-HB": ("河北", "NORTH", {"130000": 2}, 5),
    "WEST": ("西南", None, {"510000": 2, "500000": 1}, 8),
    "CENTRAL": ("华中", None, {"420000": 1, "430000": 2}, 9),
}
# top category -> (name, English, {sub code: (name, [leaf names] or [])})
CATEGORIES = {
    "TILE": ("瓷砖", "Tiles", {"TILE-GL": ("抛釉砖", ["600x1200", "800x800"]), "TILE-WOOD": ("木纹砖", []),
                              "TILE-MOS": ("马赛克", [])}),
    "BATH": ("卫浴", "Bathroom", {"BATH-WC": ("马桶", []), "BATH-SH": ("花洒", []), "BATH-BASIN": ("台盆", [])}),
    "KITCHEN": ("橱柜", "Kitchen", {"KIT-CAB": ("整体橱柜", []), "KIT-SINK": ("水槽", []), "KIT-TAP": ("龙头", [])}),
    "HW": ("五金", "Hardware", {"HW-HINGE": ("铰链", []), "HW-HANDLE": ("拉手", []), "HW-LOCK": ("门锁", [])}),
}
SERIES = [("CLASSIC", "经典"), ("MODERN", "现代"), ("LUX", "轻奢"), ("PROJECT", "工程"), ("NORDIC", "北欧"),
          ("NEOCN", "新中式"), ("MINI", "极简"), ("RETRO", "复古")]
PRODUCTS, SKUS_PER_PRODUCT = 150, 4
# Month of year -> weight: the spring festival dip (Jan/Feb), the 618 and Double 11 peaks, the year-end rush.
SEASON = {1: 0.85, 2: 0.5, 3: 1.0, 4: 1.05, 5: 1.05, 6: 1.2, 7: 0.9, 8: 0.9, 9: 1.1, 10: 1.0, 11: 1.35, 12: 1.3}
WEEKDAY = [1.1, 1.05, 1.05, 1.0, 1.0, 0.7, 0.35]  # Monday first
HOURS = [0.3, 0.1, 0.05, 0.02, 0.02, 0.05, 0.2, 0.6, 1.5, 2.0, 2.0, 1.6, 0.9, 1.4, 1.8, 1.8, 1.6, 1.2, 0.8,
         0.7, 0.7, 0.6, 0.5, 0.45]  # local hour of day (some orders either side of midnight)
TIER_FACTOR = {"A": 82, "B": 88, "C": 94, None: 100}  # percent of the list price


@dataclass
class World:
    owner: object
    manager: object  # the regional manager of 华东
    regions: dict  # code -> Node
    tiers: dict  # code -> Tier
    top_categories: dict  # code -> Category
    sub_categories: dict  # code -> Category
    series: list
    skus: list  # (sku id, product id, list price in cents)
    dealers: list  # (dealer id, tier code, weight)
    units: tuple  # (piece unit id, case unit id)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# --- the database and the world ------------------------------------------------------------------------------

def database_ready() -> None:
    """With DATABASE_URL: create its database if missing and migrate the public schema (the embedded default is
    made and migrated by `make migrate`; migrating it again when it is current costs a second)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        import dj_database_url
        import psycopg2

        params = dj_database_url.parse(url)
        conn = psycopg2.connect(dbname="postgres", user=params["USER"] or "postgres", password=params["PASSWORD"],
                                host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{params["NAME"]}"')
                print(f"created database {params['NAME']}", file=sys.stderr)
        conn.close()
    django_setup()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)


def build_world(rng: random.Random) -> World:
    """The network, people and catalog: services for what is small, bulk for products and SKUs."""
    from django.contrib.auth.hashers import make_password

    from tenant_apps.accounts.services import user_create
    from tenant_apps.catalog import services as catalog
    from tenant_apps.catalog.models import Product, Sku
    from tenant_apps.dealers import services as dealers
    from tenant_apps.dealers.models import Territory

    password = make_password("bench-not-used")
    hq = dealers.headquarters_ensure(name="集团总部")
    owner = user_create(actor=None, email="owner@report.bench", password="", password_hash=password,
                        full_name="老板", role="owner")
    tiers = {code: dealers.tier_create(actor=None, code=code, name=f"{code} 级", rank=n)
             for n, code in enumerate("ABC", 1)}
    reps = [user_create(actor=None, email=f"rep{n}@report.bench", password="", password_hash=password,
                        full_name=f"业务员{n}", role="sales_rep") for n in range(1, 7)]
    regions, managers = {}, {}
    made = []  # (dealer, weight)
    number = 0
    for code, (name, parent, provinces, count) in REGIONS.items():
        node = dealers.region_create(actor=None, parent=regions[parent] if parent else hq, name=name, code=code)
        regions[code] = node
        if parent is None:
            managers[code] = user_create(actor=None, email=f"rm-{code.lower()}@report.bench", password="",
                                         password_hash=password, full_name=f"{name}区域经理",
                                         role="regional_manager", scope_node=node)
        cities = [city for province, count in provinces.items()
                  for city in Territory.objects.filter(parent__code=province).order_by("code")[:count]]
        if not cities:  # the two dealers straight under 华东 have no territory ("No area")
            cities = [None]
        for n in range(count):
            number += 1
            weight = rng.lognormvariate(0, 0.8)
            dealer = dealers.dealer_create(
                actor=None, parent=node, code=f"D{number:03d}", legal_name=f"{name}经销商{number:03d}有限公司",
                name=f"{name}{number:03d}", status="active", territories=[cities[n % len(cities)]] if cities[0]
                else [], sales_rep=reps[number % len(reps)] if number % 7 else None)
            made.append((dealer, weight))
    # tiers by size: the biggest dealers A, then B, the rest C; a few without a tier
    made.sort(key=lambda pair: -pair[1])
    tiered = []
    for index, (dealer, weight) in enumerate(made):
        code = None if index % 17 == 16 else "A" if index < 10 else "B" if index < 32 else "C"
        if code:
            dealers.dealer_update(actor=None, dealer=dealer, tier=tiers[code])
        tiered.append((dealer.pk, code, weight))

    unit = catalog.unit_ensure(code="PCE", name="件")
    case = catalog.unit_ensure(code="CS", name="箱")
    tops, subs, leaves = {}, {}, []
    for code, (name, name_en, children) in CATEGORIES.items():
        tops[code] = top = catalog.category_create(actor=None, parent=None, code=code, name=name, name_en=name_en)
        for sub_code, (sub_name, leaf_names) in children.items():
            subs[sub_code] = sub = catalog.category_create(actor=None, parent=top, code=sub_code, name=sub_name)
            if leaf_names:
                leaves += [catalog.category_create(actor=None, parent=sub, code=f"{sub_code}-{n}", name=leaf)
                           for n, leaf in enumerate(leaf_names)]
            else:
                leaves.append(sub)
    series = [catalog.series_create(actor=None, code=code, name=name) for code, name in SERIES]
    products = Product.objects.bulk_create([
        Product(code=f"P{n:04d}", name=f"{leaves[n % len(leaves)].name}{n:03d}", category=leaves[n % len(leaves)],
                series=None if n % 10 == 9 else series[rng.randrange(len(series))], status="on_sale")
        for n in range(PRODUCTS)])
    skus = Sku.objects.bulk_create([
        Sku(product=product, code=f"{product.code}-{v}", name=f"{product.name} 款{v}", base_unit=unit,
            search_text=f"{product.code}-{v}".lower())
        for product in products for v in range(SKUS_PER_PRODUCT)])
    prices = {product.pk: round(800 * 10 ** rng.uniform(0, 2.3)) for product in products}  # 8 to 1,600 yuan
    sku_rows = [(sku.pk, sku.product_id, prices[sku.product_id] * (100 + 12 * (n % SKUS_PER_PRODUCT)) // 100)
                for n, sku in enumerate(skus)]
    return World(owner=owner, manager=managers["EAST"], regions=regions, tiers=tiers, top_categories=tops,
                 sub_categories=subs, series=series, skus=sku_rows, dealers=tiered, units=(unit.pk, case.pk))


class OrderWriter:
    """Orders and their lines as COPY text (ids taken from the tables' sequences up front)."""

    ORDER_COLUMNS = ("id, number, dealer_id, placed_by_id, status, currency, subtotal, discount_total, total, "
                     "breakdown, coupon_codes, shipping_address, note, idempotency_key, idempotency_fingerprint, "
                     "revision, submitted_at, approved_at, closed_at, created_at, updated_at")
    LINE_COLUMNS = ("id, order_id, line_no, sku_id, unit_id, quantity, factor, unit_price, gross, discount, net, "
                    "price_source, price_rule, reserved_base, shipped_base, returned_base")

    def __init__(self, world: World, rng: random.Random):
        self.world, self.rng = world, rng
        self.orders, self.lines = io.StringIO(), io.StringIO()
        self.order_id = self.line_id = 0
        self.count_orders = self.count_lines = 0
        # popular and slow SKUs (a Zipf-like curve over a shuffled catalog)
        ranked = list(world.skus)
        rng.shuffle(ranked)
        self.sku_list = ranked
        self.sku_cum = []
        total = 0.0
        for rank in range(len(ranked)):
            total += 1 / (rank + 1) ** 0.7
            self.sku_cum.append(total)
        self.dealer_cum, total = [], 0.0
        for _pk, _tier, weight in world.dealers:
            total += weight
            self.dealer_cum.append(total)

    def start_ids(self, cursor) -> None:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('ordering_order', 'id')), "
                       "nextval(pg_get_serial_sequence('ordering_orderline', 'id'))")
        first_order, first_line = cursor.fetchone()
        self.order_id, self.line_id = first_order - 1, first_line - 1

    def order(self, *, created: datetime, status: str, lines: int, updated: datetime, dealer=None) -> list:
        """One order of `lines` lines; returns [(line id, base quantity)] of it."""
        rng = self.rng
        dealer_id, tier, _weight = dealer or rng.choices(self.world.dealers, cum_weights=self.dealer_cum)[0]
        picked = list(dict.fromkeys(rng.choices(self.sku_list, cum_weights=self.sku_cum, k=lines + 8)))[:lines]
        while len(picked) < lines:
            extra = rng.choice(self.sku_list)
            if extra not in picked:
                picked.append(extra)
        self.order_id += 1
        order_id = self.order_id
        piece, case = self.world.units
        out = []
        gross_total = discount_total = 0
        done = status == "completed"
        for line_no, (sku_id, _product, price) in enumerate(picked, 1):
            self.line_id += 1
            if rng.random() < 0.3:
                unit, factor, quantity = case, 10, rng.randint(1, 12)
            else:
                unit, factor, quantity = piece, 1, min(int(rng.expovariate(1 / 12)) + 1, 200)
            unit_cents = price * factor * TIER_FACTOR[tier] // 100
            gross = unit_cents * quantity
            discount = gross * rng.choice((3, 5, 8, 10)) // 100 if rng.random() < 0.25 else 0
            gross_total += gross
            discount_total += discount
            shipped = quantity * factor if done else 0
            self.lines.write(f"{self.line_id}\t{order_id}\t{line_no}\t{sku_id}\t{unit}\t{quantity}\t{factor}\t"
                             f"{_money(unit_cents)}\t{_money(gross)}\t{_money(discount)}\t{_money(gross - discount)}"
                             f"\tlist\t\t0\t{shipped}\t0\n")
            out.append((self.line_id, quantity * factor))
        submitted = r"\N" if status == "draft" else created.isoformat()
        approved = (created + timedelta(hours=2)).isoformat() if status not in (
            "draft", "submitted", "rejected", "cancelled") else r"\N"
        closed = updated.isoformat() if status in ("completed", "rejected", "cancelled") else r"\N"
        self.orders.write(
            f"{order_id}\tSO{created:%Y%m%d}{order_id:07d}\t{dealer_id}\t\\N\t{status}\tCNY\t{_money(gross_total)}\t"
            f"{_money(discount_total)}\t{_money(gross_total - discount_total)}\t{{}}\t[]\t{{}}\t\t\t\t1\t"
            f"{submitted}\t{approved}\t{closed}\t{created.isoformat()}\t{updated.isoformat()}\n")
        self.count_orders += 1
        self.count_lines += len(out)
        return out

    def flush(self, cursor) -> None:
        for table, columns, buffer in (("ordering_order", self.ORDER_COLUMNS, self.orders),
                                       ("ordering_orderline", self.LINE_COLUMNS, self.lines)):
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            buffer.seek(0)
            buffer.truncate()

    def finish(self, cursor) -> None:
        self.flush(cursor)
        cursor.execute("SELECT setval(pg_get_serial_sequence('ordering_order', 'id'), %s), "
                       "setval(pg_get_serial_sequence('ordering_orderline', 'id'), %s)",
                       [self.order_id, self.line_id])


def history(world: World, rng: random.Random, lines_wanted: int = LINES) -> dict:
    """1,000,000 order lines (or `lines_wanted`) over the 730 days ending today (all at least an hour old), and
    received returns."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.localtime()
    cutoff = now - timedelta(hours=1)
    today = now.date()
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    weights = [SEASON[day.month] * WEEKDAY[day.weekday()] * (1 + 0.2 * n / DAYS) for n, day in enumerate(days)]
    sizes, total = [], 0
    while total < lines_wanted:
        size = min(rng.randint(1, 19), lines_wanted - total)
        sizes.append(size)
        total += size
    order_days = sorted(rng.choices(days, weights=weights, k=len(sizes)))
    writer = OrderWriter(world, rng)
    completed = []  # (created, [(line id, base quantity)]) of some completed orders, for returns
    with connection.cursor() as cursor:
        writer.start_ids(cursor)
        for day, size in zip(order_days, sizes, strict=True):
            hour = rng.choices(range(24), weights=HOURS)[0]
            created = timezone.make_aware(datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                                   rng.randrange(60)))
            if created > cutoff:
                created = cutoff - timedelta(minutes=rng.randint(1, 600))
            age = (now - created).days
            r = rng.random()
            if r < 0.05:
                status = "cancelled"
            elif r < 0.06:
                status = "rejected"
            elif r < 0.065:
                status = "draft"
            elif age > 20:
                status = "completed"
            else:
                status = rng.choice(("submitted", "approved", "allocated", "shipped", "delivered", "completed"))
            updated = min(created + timedelta(days=min(age, rng.randint(0, 12)), hours=3), cutoff)
            lines = writer.order(created=created, status=status, lines=size, updated=updated)
            if status == "completed" and age > 40 and rng.random() < 0.01:
                completed.append((created, lines))
            if writer.count_lines % 200_000 < size:
                writer.flush(cursor)
        writer.finish(cursor)
        returns(cursor, rng, completed[:RETURNS], cutoff)
        cursor.execute("ANALYZE")
    return {"orders": writer.count_orders, "lines": writer.count_lines}


def returns(cursor, rng: random.Random, orders: list, cutoff: datetime) -> None:
    """Received returns of some completed orders (one or two lines each, part of the quantity)."""
    cursor.execute("SELECT id, order_id FROM ordering_orderline WHERE id = ANY(%s)",
                   [[lines[0][0] for _created, lines in orders]])
    order_of = dict(cursor.fetchall())
    requests, return_lines = io.StringIO(), io.StringIO()
    cursor.execute("SELECT nextval(pg_get_serial_sequence('fulfillment_returnrequest', 'id'))")
    request_id = cursor.fetchone()[0] - 1
    for created, lines in orders:
        request_id += 1
        received = min(created + timedelta(days=rng.randint(10, 30)), cutoff)
        requests.write(f"{request_id}\t{order_of[lines[0][0]]}\tRMA{request_id:07d}\tdamaged\t\treceived\t"
                       f"{received.isoformat()}\t{(received - timedelta(days=5)).isoformat()}\t\t"
                       f"{(received - timedelta(days=6)).isoformat()}\n")
        for line_id, base in lines[:rng.randint(1, 2)]:
            return_lines.write(f"{request_id}\t{line_id}\t{rng.randint(1, base)}\n")
    requests.seek(0)
    cursor.copy_expert("COPY fulfillment_returnrequest (id, order_id, number, reason_code, reason_text, status, "
                       "received_at, decided_at, decision_note, created_at) FROM STDIN", requests)
    return_lines.seek(0)
    cursor.copy_expert("COPY fulfillment_returnline (return_request_id, order_line_id, quantity) FROM STDIN",
                       return_lines)
    cursor.execute("SELECT setval(pg_get_serial_sequence('fulfillment_returnrequest', 'id'), %s)", [request_id])


def new_orders(world: World, rng: random.Random) -> None:
    """1,000 orders of 20 lines placed today, stamped now (what a busy day adds before the next refresh)."""
    from django.db import connection
    from django.utils import timezone

    writer = OrderWriter(world, rng)
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        now = timezone.localtime(cursor.fetchone()[0])
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        writer.start_ids(cursor)
        for _n in range(NEW_ORDERS):
            created = now - (now - midnight) * rng.random()
            writer.order(created=created, status=rng.choice(("submitted", "approved")), lines=NEW_ORDER_LINES,
                         updated=now)
        writer.finish(cursor)


# --- the reports ---------------------------------------------------------------------------------------------

def report_specs(world: World, today: date) -> list[tuple[str, object]]:
    from tenant_apps.reporting.cube import Filters, ReportSpec

    def month_start(day: date, back: int = 0) -> date:
        month = day.year * 12 + day.month - 1 - back
        return date(month // 12, month % 12 + 1, 1)

    two_years = today - timedelta(days=DAYS - 1)
    last_month_end = month_start(today) - timedelta(days=1)
    last_sunday = today - timedelta(days=today.weekday() + 1)
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    m = ("net", "lines", "quantity")

    def spec(dims, date_from, date_to, **filters):
        return ReportSpec(date_from=date_from, date_to=date_to, dimensions=dims, measures=m,
                          filters=Filters(**filters))

    tile, bath = world.top_categories["TILE"], world.top_categories["BATH"]
    return [
        ("month x region, 12 whole months", spec(("month", "region"), month_start(today, 12), last_month_end)),
        ("month x category, 730 days", spec(("month", "category"), two_years, today)),
        ("quarter x tier, 8 whole quarters", spec(("quarter", "tier"), month_start(quarter_start, 24),
                                                   quarter_start - timedelta(days=1))),
        ("region x category, year to date", spec(("region", "category"), date(today.year, 1, 1), today)),
        ("dealer x series, 365 days", spec(("dealer", "series"), today - timedelta(days=364), today)),
        ("sku x month, 730 days", spec(("sku", "month"), two_years, today)),
        ("province x category, 6 whole months", spec(("province", "category"), month_start(today, 6),
                                                      last_month_end)),
        ("week x region, 12 weeks", spec(("week", "region"), last_sunday - timedelta(days=83), last_sunday)),
        ("day x dealer, 30 days", spec(("day", "dealer"), today - timedelta(days=29), today)),
        ("year x product, 730 days", spec(("year", "product"), two_years, today)),
        ("category x tier, region 江浙, 365 days", spec(("category", "tier"), today - timedelta(days=364), today,
                                                       region=world.regions["EAST-JZ"].pk)),
        ("rep x month, 730 days", spec(("rep", "month"), two_years, today)),
        ("month x dealer, 730 days", spec(("month", "dealer"), two_years, today)),
        ("tier x series, the 15th to the 14th, a year", spec(("tier", "series"), month_start(today, 12).replace(
            day=15), month_start(today).replace(day=14))),
        ("quarter x category, in 瓷砖, 730 days", spec(("quarter", "category"), two_years, today, category=tile.pk)),
        ("region x product, series 经典+现代, 180 days", spec(("region", "product"), today - timedelta(days=179),
                                                             today, series=(world.series[0].pk,
                                                                            world.series[1].pk))),
        ("week x category, 8 weeks", spec(("week", "category"), last_sunday - timedelta(days=55), last_sunday)),
        ("province x month, 365 days", spec(("province", "month"), today - timedelta(days=364), today)),
        ("dealer x month, tiers A+B, 10th to 20th", spec(("dealer", "month"), month_start(today, 9).replace(day=10),
                                                         month_start(today, 1).replace(day=20),
                                                         tiers=(world.tiers["A"].pk, world.tiers["B"].pk))),
        ("region x sku, in 卫浴, 90 days to yesterday", spec(("region", "sku"), today - timedelta(days=90),
                                                           today - timedelta(days=1), category=bath.pk)),
    ]


def plain_sql(actor, spec) -> tuple[str, dict]:
    """The same report as one GROUP BY over the order lines (written here again, not taken from the engine)."""
    from django.utils import timezone

    from tenant_apps.accounts.permissions import Scope, scope_of
    from tenant_apps.catalog.models import Category
    from tenant_apps.dealers.models import Node
    from tenant_apps.dealers.selectors import headquarters

    filters = spec.filters
    tz = timezone.get_current_timezone()
    params = {"tz": timezone.get_current_timezone_name(), "currency": spec.currency,
              "start": timezone.make_aware(datetime.combine(spec.date_from, datetime.min.time()), tz),
              "end": timezone.make_aware(datetime.combine(spec.date_to + timedelta(days=1), datetime.min.time()), tz)}
    where = ["o.status NOT IN ('draft', 'rejected', 'cancelled')", "o.currency = %(currency)s",
             "o.created_at >= %(start)s", "o.created_at < %(end)s"]
    joins = set()
    subtree = scope_of(actor) == Scope.SUBTREE
    root = headquarters()
    if subtree:
        root = actor.scope_node
        where.append("n.path <@ %(scope)s::ltree")
        params["scope"] = str(actor.scope_node.path)
        joins |= {"d", "n"}
    if filters.region:
        root = Node.objects.get(pk=filters.region)
        where.append("n.path <@ %(region)s::ltree")
        params["region"] = str(root.path)
        joins |= {"d", "n"}
    if filters.tiers:
        where.append("d.tier_id = ANY(%(tiers)s)")
        params["tiers"] = list(filters.tiers)
        joins.add("d")
    category_level = 0
    if filters.category:
        category = Category.objects.get(pk=filters.category)
        category_level = str(category.path).count(".") + 1
        where.append("c.path <@ %(category)s::ltree")
        params["category"] = str(category.path)
        joins |= {"s", "p", "c"}
    if filters.series:
        where.append("p.series_id = ANY(%(series)s)")
        params["series"] = list(filters.series)
        joins |= {"s", "p"}
    local_day = "(o.created_at AT TIME ZONE %(tz)s)"
    keys = []
    for name in spec.dimensions:
        if name == "day":
            keys.append(f"{local_day}::date")
        elif name in ("week", "month", "quarter", "year"):
            keys.append(f"date_trunc('{name}', {local_day})::date")
        elif name == "dealer":
            keys.append("o.dealer_id")
        elif name == "tier":
            keys.append("d.tier_id")
            joins.add("d")
        elif name == "rep":
            keys.append("d.sales_rep_id")
            joins.add("d")
        elif name == "region":
            keys.append(f"ltree2text(subpath(n.path, {str(root.path).count('.') + 1}, 1))::int")
            joins |= {"d", "n"}
        elif name == "province":
            keys.append("pv.province_id")
            joins.add("pv")
        elif name == "sku":
            keys.append("l.sku_id")
        elif name == "product":
            keys.append("s.product_id")
            joins.add("s")
        elif name == "series":
            keys.append("p.series_id")
            joins |= {"s", "p"}
        elif name == "category":
            # the child of the filtered category on the way down (the category itself for its own products)
            level = category_level
            keys.append(f"ltree2text(CASE WHEN nlevel(c.path) > {level} THEN subpath(c.path, {level}, 1) "
                        f"ELSE subpath(c.path, {max(level - 1, 0)}, 1) END)::int")
            joins |= {"s", "p", "c"}
    join_sql = {
        "d": "JOIN dealers_dealer d ON d.id = o.dealer_id",
        "n": "JOIN dealers_node n ON n.id = d.node_id",
        "pv": """LEFT JOIN (SELECT dt.dealer_id, min(pr.id) AS province_id FROM dealers_dealer_territories dt
                            JOIN dealers_territory t ON t.id = dt.territory_id
                            JOIN dealers_territory pr ON nlevel(t.path) >= 2 AND pr.path = subpath(t.path, 0, 2)
                            GROUP BY dt.dealer_id) pv ON pv.dealer_id = o.dealer_id""",
        "s": "JOIN catalog_sku s ON s.id = l.sku_id",
        "p": "JOIN catalog_product p ON p.id = s.product_id",
        "c": "JOIN catalog_category c ON c.id = p.category_id",
    }
    sql = f"""SELECT {', '.join(keys)}, sum(l.net), count(*), sum(l.quantity::bigint * l.factor)
              FROM ordering_orderline l JOIN ordering_order o ON o.id = l.order_id
              {' '.join(join_sql[j] for j in ('d', 'n', 'pv', 's', 'p', 'c') if j in joins)}
              WHERE {' AND '.join(where)}
              GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"""  # noqa: S608 - SQL of this bench, values as parameters
    return sql, params


def plain_run(actor, spec) -> dict:
    from django.db import connection

    sql, params = plain_sql(actor, spec)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        width = len(spec.dimensions)
        return {tuple(row[:width]): (row[width], int(row[width + 1]), int(row[width + 2]))
                for row in cursor.fetchall()}


def same(report, plain: dict) -> str | None:
    """None when the report's rows and totals are those of the plain GROUP BY; else what differs."""
    totals = tuple(sum(values[i] for values in plain.values()) for i in range(3)) if plain else (0, 0, 0)
    if tuple(report.totals) != totals:
        return f"totals {report.totals} != {totals}"
    # a dealer's day with only a return received is a row of zero sales in the report (the rollups hold returns
    # too); the plain GROUP BY over the order lines has no such row
    got = {row.keys: row.values for row in report.rows if any(row.values) or row.keys in plain}
    if not report.truncated and len(got) != len(plain):
        return f"{len(got)} rows != {len(plain)}"
    for key, values in got.items():
        if plain.get(key) != tuple(values):
            return f"row {key}: {values} != {plain.get(key)}"
    return None


def timed(call, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def build(rng: random.Random, lines: int = LINES) -> tuple[World, float]:
    """The world, its history, then the first build of the rollups (timed)."""
    from django.db import connection

    from tenant_apps.reporting.services import rollups_refresh

    started = time.perf_counter()
    world = build_world(rng)
    made = history(world, rng, lines)
    print(f"world: {len(world.dealers)} dealers, {len(world.skus)} SKUs, {made['orders']} orders, "
          f"{made['lines']} lines, built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    rollups_refresh(full=True)
    full_build_ms = (time.perf_counter() - started) * 1000
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT (SELECT count(*) FROM reporting_salesday), "
                       "(SELECT count(*) FROM reporting_salesmonth), (SELECT count(*) FROM reporting_dealerday)")
        sizes = cursor.fetchone()
    print(f"rollups_refresh(full=True): {full_build_ms:.0f} ms; rows: day x dealer x SKU {sizes[0]}, month x "
          f"dealer x SKU {sizes[1]}, day x dealer {sizes[2]}", file=sys.stderr)
    return world, full_build_ms


def measure(world: World, args) -> list[dict]:
    """Each report as each reader: the engine's p50/p95 and the plain GROUP BY's, and the two compared."""
    from django.utils import timezone

    from tenant_apps.reporting.selectors import report_run

    figures = []
    readers = (("HQ", world.owner), ("RM", world.manager))
    for name, spec in report_specs(world, timezone.localdate()):
        if args.only and args.only not in name:
            continue
        row = {"name": name}
        for label, actor in readers:
            report_run(actor=actor, spec=spec)  # warm-up
            times, report = timed(lambda actor=actor, spec=spec: report_run(actor=actor, spec=spec), args.runs)
            plain_runs, plain = timed(lambda actor=actor, spec=spec: plain_run(actor, spec), args.plain_runs)
            differs = same(report, plain)
            assert differs is None, f"{name} as {label}: {differs}"
            row[label] = (percentile(times, 50), percentile(times, 95), len(report.rows), report.truncated)
            row[f"plain_{label}"] = (percentile(plain_runs, 50), percentile(plain_runs, 95))
        figures.append(row)
        print(_line(row), file=sys.stderr)
    return figures


def refresh(world: World, rng: random.Random) -> tuple[float, int, float]:
    """1,000 new orders, then the incremental refresh and the check (both timed)."""
    from tenant_apps.reporting.selectors import rollup_mismatches
    from tenant_apps.reporting.services import rollups_refresh

    new_orders(world, rng)
    started = time.perf_counter()
    state = rollups_refresh()
    refresh_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    mismatches = rollup_mismatches()
    check_ms = (time.perf_counter() - started) * 1000
    assert mismatches == [], mismatches[:5]
    return refresh_ms, state.last_days, check_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each report per reader")
    parser.add_argument("--plain-runs", type=int, default=3, help="timed runs of each plain GROUP BY per reader")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--only", default="", help="run only the reports whose name contains this")
    parser.add_argument("--lines", type=int, default=LINES, help="order lines of history (a smaller world for a "
                        "quick try; the figures are for 1,000,000)")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    database_ready()

    from django.db import connection
    from django.utils import translation
    from django_tenants.utils import tenant_context


    rng = random.Random(args.seed)
    baseline = pgbench_select_only(seconds=10, database="bench_report_pgbench")
    with throwaway_tenant("Report bench", "bench-rep") as tenant, tenant_context(tenant), \
            translation.override("zh-hans"):
        world, full_build_ms = build(rng, args.lines)
        figures = measure(world, args)
        refresh_ms, days, check_ms = refresh(world, rng)
        connection.set_schema_to_public()

    _table(figures)
    print(f"1,000 new orders x 20 lines today, then rollups_refresh(): {refresh_ms:.0f} ms ({days} "
          f"day(s) recomputed); rollup_mismatches(): {check_ms:.0f} ms, none; first build (full=True): "
          f"{full_build_ms:.0f} ms")
    print(f"pgbench -S, 1 client, 10 s, same server: {baseline['pgbench_select_tps']:.0f} tps "
          f"({baseline['pgbench_select_ms']:.3f} ms a select)")
    hq = max(row["HQ"][1] for row in figures)
    rm = max(row["RM"][1] for row in figures)
    plain_p95 = [row[f"plain_{label}"][1] for row in figures for label in ("HQ", "RM")]
    ratios = [row[f"plain_{label}"][0] / row[label][0] for row in figures for label in ("HQ", "RM")]
    missed = sum(row[label][1] >= TARGET_MS for row in figures for label in ("HQ", "RM"))
    result = {"reports": len(figures), "hq_p95_ms": hq, "rm_p95_ms": rm,
              "plain_p95_median_ms": statistics.median(plain_p95), "plain_p95_min_ms": min(plain_p95),
              "speedup_median": statistics.median(ratios), "speedup_min": min(ratios), "over_target": missed,
              "pgbench_tps": baseline["pgbench_select_tps"], "refresh_1000_ms": refresh_ms,
              "full_build_ms": full_build_ms, "check_ms": check_ms}
    print("RESULT " + " ".join(f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}"
                               for key, value in result.items()))


def _line(row: dict) -> str:
    hq, rm, phq, prm = row["HQ"], row["RM"], row["plain_HQ"], row["plain_RM"]
    return (f"{row['name'][:44]:<44} {hq[0]:>7.1f} {hq[1]:>7.1f} {hq[2]:>5}{'+' if hq[3] else ' '}"
            f" {rm[0]:>7.1f} {rm[1]:>7.1f} {rm[2]:>5}{'+' if rm[3] else ' '}"
            f" {phq[1]:>8.0f} {prm[1]:>8.0f} {phq[0] / hq[0]:>6.0f}x {prm[0] / rm[0]:>5.0f}x")


def _table(figures: list[dict]) -> None:
    print(f"{'report (owner = HQ, regional manager 华东 = RM)':<44} {'HQ p50':>7} {'HQ p95':>7} {'rows':>6}"
          f" {'RM p50':>7} {'RM p95':>7} {'rows':>6} {'plainHQ':>8} {'plainRM':>8} {'HQ':>7} {'RM':>6}")
    print(f"{'':<44} {'ms':>7} {'ms':>7} {'':>6} {'ms':>7} {'ms':>7} {'':>6} {'p95 ms':>8} {'p95 ms':>8}"
          f" {'p50 ratio (plain / report)':>14}")
    for row in figures:
        print(_line(row))
    print("(rows + : the report was cut at its 1,000-row limit; its rows and totals were still checked against the "
          "plain GROUP BY)")


if __name__ == "__main__":
    main()
