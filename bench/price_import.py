"""Price import: 50,000 price rows (one per SKU) into a new list, then a re-import of the same file with one
row changed, while a thread keeps quoting a 20-line cart for a dealer (quotes must never fail or wait on
the import):

  new        import time of the 50,000 rows into an empty list (validation + insert)
  one        re-import time with one changed price (must update exactly 1 row)
  quotes     p95 of quote_cart in the thread during the imports, and how many failed

Runs in its own throwaway tenant (enterprise plan), deleted and purged at the end.

Run: .venv/bin/python bench/price_import.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import threading
import time
from decimal import Decimal

from _setup import django_setup, percentile, pgbench_select_only, throwaway_tenant


def build(*, rows: int) -> dict:
    """SKUs by bulk insert (as bench/catalog.py does), a dealer, a base list (the previous prices, which the
    quotes use) and an empty tier list for the import."""
    from tenant_apps.catalog import services as catalog
    from tenant_apps.catalog.models import Product, Sku
    from tenant_apps.dealers import services as dealers
    from tenant_apps.pricing import services as pricing

    hq = dealers.headquarters_ensure(name="HQ")
    tier = dealers.tier_create(actor=None, code="A", name="A")
    dealer = dealers.dealer_create(actor=None, parent=hq, code="D1", legal_name="经销商", tier=tier, status="active")
    piece = catalog.unit_ensure(code="pc", name="件")
    root = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
    products = Product.objects.bulk_create([Product(code=f"P{n:06d}", name=f"商品{n}", category=root, status="on_sale")
                                            for n in range(rows // 5)], batch_size=5000)
    skus = Sku.objects.bulk_create([Sku(product=products[n // 5], code=f"S{n:06d}", name=f"规格{n}", base_unit=piece,
                                        search_text=f"s{n:06d}") for n in range(rows)], batch_size=5000)
    base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base", status="active")
    for sku in skus[:40]:
        pricing.price_entry_set(actor=None, price_list=base, sku=sku, unit=piece, price="10.00")
    pricing.price_list_create(actor=None, code="TIER-A", name="A 级", kind="tier", tier=tier, status="active")
    return {"dealer": dealer, "skus": skus, "piece": piece}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50000)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    django_setup()

    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from tenant_apps.pricing.models import PriceEntry
    from tenant_apps.pricing.quote_types import CartLine
    from tenant_apps.pricing.transfer import COLUMNS, prices_import
    from tenant_apps.quoting.quote import quote_cart

    baseline = pgbench_select_only()
    rng = random.Random(5)
    quote_ms: list[float] = []
    failures: list[str] = []
    stop = threading.Event()
    with throwaway_tenant("Bench prices", "bench-price", owner_password=secrets.token_urlsafe(12)) as tenant:
        try:
            with schema_context(tenant.schema_name):
                started = time.perf_counter()
                world = build(rows=args.rows)
                build_s = time.perf_counter() - started
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                prices = [Decimal(rng.randint(100, 99999)) / 100 for _ in world["skus"]]
                lines = [f"TIER-A,{sku.code},pc,1,{price}" for sku, price in zip(world["skus"], prices, strict=True)]
                first = ("\n".join([",".join(COLUMNS), *lines]) + "\n").encode()
                changed_at = len(lines) // 2
                lines[changed_at] = f"TIER-A,{world['skus'][changed_at].code},pc,1,{prices[changed_at] + 1}"
                second = ("\n".join([",".join(COLUMNS), *lines]) + "\n").encode()
                cart = [CartLine(sku_id=sku.pk, unit_id=world["piece"].pk, quantity=12) for sku in world["skus"][:20]]
                dealer = world["dealer"]

                def quoting() -> None:
                    with schema_context(tenant.schema_name):
                        try:
                            while not stop.is_set():
                                began = time.perf_counter()
                                try:
                                    quote = quote_cart(dealer=dealer, lines=cart)
                                    assert len(quote.lines) == 20, quote.unpriced
                                except Exception as error:  # noqa: BLE001 - a bench counts every failure
                                    failures.append(repr(error))
                                quote_ms.append((time.perf_counter() - began) * 1000)
                                time.sleep(0.005)
                        finally:
                            connections.close_all()

                thread = threading.Thread(target=quoting)
                thread.start()
                time.sleep(0.5)  # quotes before the import, as a baseline in the same list
                before = len(quote_ms)
                started = time.perf_counter()
                result = prices_import(actor=None, file=first, filename="prices.csv")
                new_s = time.perf_counter() - started
                assert result.applied and result.created == args.rows, result.errors[:3]
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    again = prices_import(actor=None, file=second, filename="prices.csv")
                    one_s = time.perf_counter() - started
                assert again.applied and (again.updated, again.created) == (1, 0), again
                updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
                stop.set()
                thread.join()
                assert PriceEntry.objects.filter(price_list__code="TIER-A").count() == args.rows
                during = quote_ms[before:]
                idle = quote_ms[:before]
        finally:
            stop.set()

    print(f"SKUs: {args.rows} (bulk) in {build_s:.1f} s")
    print(f"import {args.rows} new prices: {new_s:.2f} s; re-import with 1 changed row: {one_s:.2f} s, "
          f"{again.updated} row updated in {len(updates)} UPDATE statement(s), {again.unchanged} unchanged")
    print(f"quotes (20 lines) in a thread: before the import p95 {percentile(idle, 95):.1f} ms (n={len(idle)}); "
          f"during the imports p95 {percentile(during, 95):.1f} ms, max {max(during):.1f} ms (n={len(during)}), "
          f"failed {len(failures)}")
    print(f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
          f"{baseline['pgbench_select_tps']:.0f} tps")
    result = {"import_new_s": new_s, "import_one_changed_s": one_s, "rows_updated": again.updated,
              "quote_p95_idle_ms": percentile(idle, 95), "quote_p95_during_ms": percentile(during, 95),
              "quotes_during": len(during), "quotes_failed": len(failures),
              "pgbench_select_ms": baseline["pgbench_select_ms"]}
    print("RESULT " + " ".join(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                               for key, value in result.items()))


if __name__ == "__main__":
    main()
