"""Quote: a 200-line cart against 5,000 active rules (4,588 price rules: lists, entries, quantity breaks,
protected prices; and 500 published promotions, aimed as a brand aims them, about 110 of which reach the
cart), where the issue asks for 2,000; then

  quote      p50/p95 of quoting.quote.quote_cart for a 200-line cart (cases and pieces, breaks reached)
  queries    SQL statements of one quote, for a 20-line and a 200-line cart (must be the same)

Runs in its own throwaway tenant (enterprise plan), deleted and purged at the end.

Run: .venv/bin/python bench/quote.py [--runs 200] [--promotions 500] [--broad]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import time
from datetime import timedelta

from _setup import django_setup, percentile, pgbench_select_only, throwaway_tenant


def build(*, promotions: int, seed: int, broad: bool = False) -> dict:
    """2,000 SKUs (bulk), a small network, and the rules: through the services, except the bulk SKUs and the
    price entries (the import service)."""
    from decimal import Decimal

    from django.utils import timezone

    from tenant_apps.catalog import services as catalog
    from tenant_apps.catalog.models import Product, Sku, SkuUnit
    from tenant_apps.dealers import services as dealers
    from tenant_apps.pricing import services as pricing
    from tenant_apps.pricing.transfer import COLUMNS, prices_import
    from tenant_apps.promotions import services as promo

    rng = random.Random(seed)
    hq = dealers.headquarters_ensure(name="HQ")
    tiers = [dealers.tier_create(actor=None, code=code, name=code, rank=n) for n, code in enumerate("ABC", 1)]
    country = dealers.territory_create(actor=None, code="CN", name="中国")
    provinces = [dealers.territory_create(actor=None, code=f"P{n}", name=f"省{n}", parent=country) for n in range(10)]
    cities = [dealers.territory_create(actor=None, code=f"P{n}C{m}", name=f"市{n}-{m}", parent=provinces[n])
              for n in range(10) for m in range(3)]
    target = dealers.dealer_create(actor=None, parent=hq, code="TARGET", legal_name="目标经销商", tier=tiers[0],
                                   territories=[cities[0]], status="active")
    others = [dealers.dealer_create(actor=None, parent=hq, code=f"D{n:03d}", legal_name=f"经销商{n}",
                                    tier=tiers[n % 3], territories=[cities[n % 30]], status="active")
              for n in range(40)]
    piece = catalog.unit_ensure(code="pc", name="件")
    case = catalog.unit_ensure(code="case", name="箱")
    root = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
    categories = [catalog.category_create(actor=None, parent=root, code=f"C{n}", name=f"类{n}") for n in range(20)]
    products = Product.objects.bulk_create([Product(code=f"P{n:05d}", name=f"商品{n}", category=categories[n % 20],
                                                    status="on_sale") for n in range(400)])
    skus = Sku.objects.bulk_create([Sku(product=products[n // 5], code=f"S{n:05d}", name=f"商品{n // 5} 规格{n % 5}",
                                        base_unit=piece, search_text=f"s{n:05d}") for n in range(2000)])
    SkuUnit.objects.bulk_create([SkuUnit(sku=sku, unit=case, factor=24) for sku in skus])

    start = timezone.localdate() - timedelta(days=30)

    def make(code, kind, **target_args):
        return pricing.price_list_create(actor=None, code=code, name=code, kind=kind, valid_from=start,
                                         status="active", contract_number="HT-1" if kind == "contract" else "",
                                         **target_args)

    rows = []
    make("BASE", "base")
    for n, sku in enumerate(skus):
        rows.append(("BASE", sku.code, "pc", 1, Decimal(rng.randint(300, 3000)) / 100))
        if n % 4 == 0:
            rows.append(("BASE", sku.code, "pc", 240, Decimal(rng.randint(250, 280)) / 100))
    lists = 1
    for tier in tiers:
        make(f"T-{tier.code}", "tier", tier=tier)
        lists += 1
        rows += [(f"T-{tier.code}", sku.code, "pc", 1, Decimal(rng.randint(280, 2900)) / 100) for sku in skus[:300]]
    for territory in [*provinces, cities[0]]:
        make(f"R-{territory.code}", "region", territory=territory)
        lists += 1
        rows += [(f"R-{territory.code}", sku.code, "case", 1, Decimal(rng.randint(6000, 70000)) / 100)
                 for sku in rng.sample(skus, 20)]
    for dealer in [target, *others]:
        for kind in ("dealer", "contract"):
            make(f"{kind[:2].upper()}-{dealer.code}", kind, dealer=dealer)
            lists += 1
            rows += [(f"{kind[:2].upper()}-{dealer.code}", sku.code, "pc", 1 if kind == "dealer" else 48,
                      Decimal(rng.randint(280, 2900)) / 100) for sku in rng.sample(skus[:400], 10)]
    content = "\n".join([",".join(COLUMNS), *(f"{a},{b},{c},{d},{e}" for a, b, c, d, e in rows)]).encode()
    result = prices_import(actor=None, file=content, filename="bench.csv")
    assert result.applied, result.errors[:3]
    window = pricing.protection_window_create(
        actor=None, name="保价", starts_on=start, ends_on=timezone.localdate() + timedelta(days=30), dealer=target,
        prices=[(sku, piece, Decimal("2.00")) for sku in skus[:50]])
    price_rules = len(rows) + lists + 1 + window.prices.count()

    made = 0
    now = timezone.now()
    kinds = [("percent", lambda n: {"percent": str(1 + n % 9)}),
             ("threshold", lambda n: {"steps": [{"threshold": "1000", "off": str(10 + n % 40)},
                                                {"threshold": "5000", "off": str(100 + n % 200)}], "repeat": False}),
             ("tiered", lambda n: {"tiers": [{"min_quantity": 100, "percent": "2"},
                                             {"min_quantity": 500, "percent": "4"}], "basis": "sku"})]
    # A brand's promotions aim at something: most at a few SKUs, some at a category for one tier or region,
    # a few at named dealers, and spend thresholds (满减) per tier. `--broad` keeps the stress mix, where
    # every category and tier promotion reaches every cart (hundreds stacking on one order).
    for n in range(promotions):
        scope, slot = {}, n % 10
        if broad:
            kind, rule = kinds[n % len(kinds)]
            scope = [{"skus": rng.sample(skus[:400], 5)}, {"categories": [rng.choice(categories)]},
                     {"tiers": [rng.choice(tiers)]}, {"dealers": [rng.choice(others)]}][n % 4]
        elif slot < 5:
            kind, rule = kinds[(0, 2)[n % 2]]
            scope = {"skus": rng.sample(skus, 3)}
        elif slot < 7:
            kind, rule = kinds[0]
            scope = {"categories": [rng.choice(categories)], "tiers": [rng.choice(tiers)]}
        elif slot == 7:
            kind, rule = kinds[0]
            scope = {"dealers": [rng.choice(others)]}
        elif slot == 8:
            kind, rule = kinds[1]
            scope = {"tiers": [rng.choice(tiers)]}
        else:
            kind, rule = kinds[2]
            scope = {"categories": [rng.choice(categories)], "territories": [rng.choice(provinces)]}
        promotion = promo.promotion_create(actor=None, code=f"PR{n:04d}", name=f"促销{n}", kind=kind, rule=rule(n),
                                           starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
                                           priority=n % 10, stacking="stackable", **scope)
        promo.promotion_publish(actor=None, promotion=promotion)
        made += 1
    return {"target": target, "skus": skus, "piece": piece, "case": case, "price_rules": price_rules,
            "promotions": made}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--promotions", type=int, default=500)
    parser.add_argument("--broad", action="store_true", help="every category/tier promotion reaches every cart")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    django_setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from tenant_apps.pricing.engine import price_book_load
    from tenant_apps.pricing.quote_types import CartLine
    from tenant_apps.quoting.quote import dealer_context, quote_cart

    baseline = pgbench_select_only()
    rng = random.Random(3)
    with throwaway_tenant("Bench quote", "bench-quote", owner_password=secrets.token_urlsafe(12)) as tenant:
        with schema_context(tenant.schema_name):
            started = time.perf_counter()
            world = build(promotions=args.promotions, seed=1, broad=args.broad)
            build_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            skus = world["skus"]

            def cart(size: int) -> list[CartLine]:
                picked = rng.sample(skus[:600], size)
                return [CartLine(sku_id=sku.pk, unit_id=(world["case"] if n % 3 == 0 else world["piece"]).pk,
                                 quantity=rng.choice((1, 2, 5, 10, 24, 48, 120, 300))) for n, sku in enumerate(picked)]

            dealer = world["target"]
            for _ in range(10):
                quote_cart(dealer=dealer, lines=cart(200))  # warm-up
            carts = [cart(200) for _ in range(args.runs)]
            timings = []
            for lines in carts:
                started = time.perf_counter()
                quote = quote_cart(dealer=dealer, lines=lines)
                timings.append((time.perf_counter() - started) * 1000)
            assert len(quote.lines) == 200 and quote.total == sum(line.net for line in quote.lines)
            # The pricing half alone (dealer context, price book, list prices), on the same carts.
            pricing_ms = []
            for lines in carts:
                started = time.perf_counter()
                book = price_book_load(dealer_context(dealer), [line.sku_id for line in lines])
                priced = [book.price(line, index) for index, line in enumerate(lines)]
                pricing_ms.append((time.perf_counter() - started) * 1000)
            assert all(priced)
            sources = {}
            for line in quote.lines:
                sources[line.priced.price_source] = sources.get(line.priced.price_source, 0) + 1
            queries = {}
            for size in (20, 200):
                with CaptureQueriesContext(connection) as captured:
                    quote_cart(dealer=dealer, lines=cart(size))
                queries[size] = len([q for q in captured.captured_queries
                                     if not q["sql"].startswith("SET search_path")])
            applied = len(quote.promotions)

    print(f"rules: {world['price_rules']} price rules (lists, entries, breaks, protected prices), "
          f"{world['promotions']} published promotions; built in {build_s:.1f} s")
    print(f"quote_cart, 200 lines, {len(timings)} runs: p50 {percentile(timings, 50):.1f} ms, "
          f"p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms")
    print(f"  of which list pricing (context, price book, prices): p50 {percentile(pricing_ms, 50):.1f} ms, "
          f"p95 {percentile(pricing_ms, 95):.1f} ms; the rest is loading and applying promotions")
    print(f"  last quote: price sources {dict(sorted(sources.items()))}, {applied} promotions applied")
    print(f"queries per quote: {queries[20]} for 20 lines, {queries[200]} for 200 lines")
    print(f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
          f"{baseline['pgbench_select_tps']:.0f} tps")
    result = {"quote_p50_ms": percentile(timings, 50), "quote_p95_ms": percentile(timings, 95),
              "pricing_p50_ms": percentile(pricing_ms, 50), "pricing_p95_ms": percentile(pricing_ms, 95),
              "queries_20": queries[20], "queries_200": queries[200], "price_rules": world["price_rules"],
              "promotions": world["promotions"], "pgbench_select_ms": baseline["pgbench_select_ms"]}
    print("RESULT " + " ".join(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                               for key, value in result.items()))


if __name__ == "__main__":
    main()
