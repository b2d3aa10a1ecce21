"""Provisioning a tenant (schema ready, owner can sign in), each way the platform supports.

  pool     claim a ready schema from the warm pool by renaming it (the sign-up path)
  clone    copy the migrated template schema (fallback)
  migrate  CREATE SCHEMA + every tenant migration (last resort)

Targets (DESIGN.md): pool p50 < 20 ms, clone < 1 s, never migrations on the sign-up path.
The owner's password is hashed and the plan read before the timed call, as the sign-up form does while validating
(the hash time is printed separately). Cleans up: every bench tenant is deleted and purged.

Run: .venv/bin/python bench/provision.py [--pool N] [--clone N] [--migrate N]

At fleet size (--fleet N): the database holds N tenant workspaces (bench/_fleet.py: made once, kept), and
provisioning is timed on a connection that has just served every one of them (each tenant's buyer lists SKUs, reads
the cart, submits an order and lists orders, through Django's WSGI handler in this process, as a web worker whose
sign-up form provisions), while gunicorn's workers, which served them too, stay open beside it. Once per policy of
what one connection keeps:

  none      no bound (DB_CONN_MAX_SCHEMAS=0, persistent connections): the session lives on
  age       closed at a request boundary once older than DB_CONN_MAX_AGE (60 s by default), as before
  discard   no bound, DISCARD ALL after every request (plans, prepared statements, session state)
  bound     DB_CONN_MAX_SCHEMAS (the setting, or --bound): closed at the request boundary past that many schemas

Per policy: the backends' private memory (RssAnon) after serving the fleet, the time a tenant's visit took, and
pool / clone provisioning and purge (DROP SCHEMA) p50 on that connection. Before the timed claims the pool is
warmed (tenants.services.tenant_pool_warm, untimed), as the beat's refill does each minute and after each claim;
--no-warm claims without it.

Run: DATABASE_URL=... .venv/bin/python bench/provision.py --fleet 1000 [--policies none,age,discard,bound]
     [--bound K] [--web-workers 3] [--pool 20] [--clone 5]
"""

from __future__ import annotations

import argparse
import secrets
import time

from _setup import django_setup, percentile, pgbench_select_only


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pool", type=int, default=20)
    parser.add_argument("--clone", type=int, default=20)
    parser.add_argument("--migrate", type=int, default=5)
    parser.add_argument("--fleet", type=int, default=0, help="tenants the database holds (see the docstring)")
    parser.add_argument("--policies", default="none,age,discard,bound")
    parser.add_argument("--bound", type=int, default=None, help="DB_CONN_MAX_SCHEMAS of the bound policy")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--no-warm", dest="warm", action="store_false",
                        help="at fleet size, claim without the refill's warming of the pool first")
    args = parser.parse_args()
    django_setup()
    if args.fleet:
        from provision_fleet import fleet_main

        fleet_main(args)
        return

    from django.contrib.auth import authenticate
    from django.contrib.auth.hashers import make_password
    from django_tenants.utils import schema_context

    from billing_saas.models import Plan
    from tenants import services
    from tenants.models import PooledSchema, Tenant

    password = "bench-" + secrets.token_hex(8)
    started = time.perf_counter()
    password_hash = make_password(password)
    hash_ms = (time.perf_counter() - started) * 1000
    plan = Plan.objects.filter(is_default=True).first()  # the sign-up form's choice, read while validating

    baseline = pgbench_select_only()
    services.tenant_template_migrate()
    run_id = secrets.token_hex(3)
    made: list[Tenant] = []
    timings: dict[str, list[float]] = {}
    pool_before = set(PooledSchema.objects.values_list("schema_name", flat=True))
    try:
        services.tenant_pool_fill(size=len(pool_before) + args.pool)  # untimed: the background refill's job
        for method, count in (("pool", args.pool), ("clone", args.clone), ("migrate", args.migrate)):
            timings[method] = []
            for i in range(count):
                slug = f"bench-{run_id}-{method[0]}{i}"
                owner = services.Owner(email=f"owner@{slug}.test", password_hash=password_hash)
                t0 = time.perf_counter()
                tenant = services.tenant_provision(
                    actor="bench", name=slug, slug=slug, owner=owner, method=method, plan=plan
                )
                timings[method].append((time.perf_counter() - t0) * 1000)
                made.append(tenant)
                assert tenant.provisioned_by == method, tenant.provisioned_by
            with schema_context(made[-1].schema_name):  # the owner can sign in
                assert authenticate(username=f"owner@{made[-1].slug}.test", password=password) is not None
    finally:
        for tenant in made:
            services.tenant_delete(actor="bench", tenant=tenant, reason="bench clean-up")
            services.tenant_purge(actor="bench", tenant=tenant, confirm_slug=tenant.slug)
        # restore the pool to what it was
        services.tenant_pool_fill(size=len(pool_before))

    result = {}
    for method, values in timings.items():
        print(
            f"{method:8} n={len(values):3}  p50={percentile(values, 50):8.1f} ms  p95={percentile(values, 95):8.1f} ms"
            f"  max={max(values):8.1f} ms"
        )
        result[f"{method}_p50"] = percentile(values, 50)
        result[f"{method}_p95"] = percentile(values, 95)
    print(f"password hash (outside the timed call): {hash_ms:.1f} ms")
    print(
        f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
        f"{baseline['pgbench_select_tps']:.0f} tps"
    )
    result["migrate_to_pool_ratio"] = result["migrate_p50"] / result["pool_p50"]
    result["clone_to_pool_ratio"] = result["clone_p50"] / result["pool_p50"]
    result["hash_ms"] = hash_ms
    result.update(baseline)
    print("RESULT " + " ".join(f"{key}={value:.3f}" for key, value in result.items()))


if __name__ == "__main__":
    main()
