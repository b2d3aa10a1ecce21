"""Price upsert through the integration API vs the file import of the same rows (1,000 by default, the API's
batch limit): both go through pricing.transfer.prices_import_rows, so the difference is the transport (HTTP
stack in-process, key, scope, rate, audit of the call, JSON to rows, Idempotency-Key record) against reading
a CSV.

  file_new / api_new              1,000 new prices into an empty list (one list for each)
  file_same / api_same            the same rows again: nothing written ("unchanged")
  api_replay                      the first API call repeated with its Idempotency-Key: the stored answer

Runs in its own throwaway tenant (enterprise plan), deleted and purged at the end.

Run: .venv/bin/python bench/bulk_upsert.py [--rows 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from decimal import Decimal

from _setup import django_setup, throwaway_tenant
from price_import import build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    django_setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from tenant_apps.integrations.services import api_key_create
    from tenant_apps.pricing import services as pricing
    from tenant_apps.pricing.models import PriceEntry
    from tenant_apps.pricing.transfer import COLUMNS, prices_import

    rng = random.Random(7)
    timings: dict[str, list[float]] = {}

    def timed(name: str, function):
        started = time.perf_counter()
        result = function()
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return result

    with throwaway_tenant("Bench bulk upsert", "bench-bulk") as tenant:
        with schema_context(tenant.schema_name):
            world = build(rows=args.rows)
            _api_key, secret = api_key_create(actor=None, name="bench", scopes=["prices:write"],
                                              rate_per_minute=100_000)
            codes = [sku.code for sku in world["skus"]]
            prices = [str(Decimal(rng.randint(100, 99999)) / 100) for _ in codes]
        client = Client(HTTP_HOST=f"{tenant.slug}.{settings.PLATFORM_HOST}", HTTP_AUTHORIZATION=f"Bearer {secret}")
        for run in range(args.repeat):
            with schema_context(tenant.schema_name):
                file_list = pricing.price_list_create(actor=None, code=f"FILE-{run}", name="file", kind="base")
                api_list = pricing.price_list_create(actor=None, code=f"API-{run}", name="api", kind="base")
                content = ("\n".join([",".join(COLUMNS), *(f"{file_list.code},{code},pc,1,{price}"
                                                          for code, price in zip(codes, prices, strict=True))])
                           + "\n").encode()
                for name in ("file_new", "file_same"):
                    result = timed(name, lambda content=content: prices_import(actor=None, file=content,
                                                                               filename="prices.csv"))
                    assert result.applied and result.created + result.unchanged == args.rows, result.errors[:3]
            body = json.dumps({"rows": [{"list_code": api_list.code, "sku_code": code, "unit_code": "pc",
                                         "price": price} for code, price in zip(codes, prices, strict=True)]})
            connection.set_schema_to_public()
            for name, key in (("api_new", f"new-{run}"), ("api_same", f"same-{run}"), ("api_replay", f"new-{run}")):
                response = timed(name, lambda key=key, body=body: client.post(
                    "/api/v1/integrations/prices/bulk/", body, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=key))
                assert response.status_code == 200, response.content[:300]
            with schema_context(tenant.schema_name):
                assert PriceEntry.objects.filter(price_list=api_list).count() == args.rows

    print(f"{args.rows} price rows, median of {args.repeat} runs (ms):")
    for name in ("file_new", "api_new", "file_same", "api_same", "api_replay"):
        print(f"  {name:11s} {statistics.median(timings[name]):8.1f}   (min {min(timings[name]):.1f})")
    print("RESULT " + " ".join(f"{name}_ms={statistics.median(values):.1f}" for name, values in timings.items())
          + f" rows={args.rows} body_kib={len(body) / 1024:.0f}")


if __name__ == "__main__":
    main()
