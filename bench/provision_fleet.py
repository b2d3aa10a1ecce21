"""bench/provision.py --fleet N: provisioning on a database holding N tenants, on connections that served them all.

See bench/provision.py's docstring for what is measured; this module runs it.
"""

from __future__ import annotations

import os
import secrets
import time

import _fleet
from _setup import percentile, pgbench_select_only


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total


def _discard() -> None:
    """DISCARD ALL at the end of a request: plans, prepared statements and the session's settings go."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL")
    connection.search_path_forget()
    connection._prepared_statements = None  # tenant_apps.core.prepared prepares them again


def _policy(name: str, args, creds: dict, password_hash: str, run_id: str) -> dict:
    from django.conf import settings
    from django.db import connection
    from order import serve

    from billing_saas.models import Plan
    from tenants import services
    from tenants.models import PooledSchema

    bound = args.bound if args.bound is not None else settings.DB_CONN_MAX_SCHEMAS
    limit = bound if name == "bound" else 0
    # persistent, but under "age": closed at a request boundary once older than DB_CONN_MAX_AGE (60 s by default)
    max_age = settings.DATABASES["default"]["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = max_age if name == "age" else None
    connection.close()
    pool_before = PooledSchema.objects.count()
    services.tenant_pool_fill(size=pool_before + args.pool)  # untimed: the background refill's job
    connection.close()
    server, port, _worker = serve(args.web_workers, extra_env={
        "DB_CONN_MAX_SCHEMAS": str(limit), "DB_CONN_MAX_AGE": str(max_age) if name == "age" else "3600"})
    made = []
    try:
        started = time.perf_counter()
        _fleet.warm_server(port, {slug: {**c, "host": f"{c['host']}:{port}"} for slug, c in creds.items()},
                           clients=args.web_workers)
        warm_s = time.perf_counter() - started
        web_pids = _fleet.backends("bench-web")
        web_memory = _fleet.backend_memory(web_pids)

        settings.DB_CONN_MAX_SCHEMAS = limit
        recycled_before = connection.recycled
        peak = [0]
        count = [0]
        pids = set()

        def after_request() -> None:
            if name == "discard":
                _discard()
            count[0] += 1
            if connection.connection is not None:
                pids.add(connection.connection.info.backend_pid)
            if count[0] % 200 == 0:
                peak[0] = max(peak[0], *_fleet.backend_memory([_fleet.own_backend()]).values())

        started = time.perf_counter()
        statuses = _fleet.serve_tenants(creds, after_request=after_request)
        visit_ms = (time.perf_counter() - started) * 1000 / len(creds)
        own = _fleet.backend_memory([_fleet.own_backend()])
        own_bytes = next(iter(own.values()), 0)
        peak[0] = max(peak[0], own_bytes)
        schemas_on_connection = connection.schemas_used()
        backends_used = max(len(pids), connection.recycled - recycled_before + 1)

        # The beat's refill (each minute, and after every claim) ends by warming the pool's schemas
        # (tenants.services.tenant_pool_warm): untimed here, off the request path there.
        if args.warm:
            services.tenant_pool_warm()
        # Provisioning on this connection, as the sign-up form of a web worker that served them does.
        web_ticks = _cpu_ticks(web_pids)
        plan = Plan.objects.filter(is_default=True).first()  # the sign-up form's choice, read while validating
        timings: dict[str, list[float]] = {"pool": [], "clone": [], "purge": []}
        for method, count_ in (("pool", args.pool), ("clone", args.clone)):
            for i in range(count_):
                slug = f"bench-{run_id}-{name[0]}{method[0]}{i}"
                t0 = time.perf_counter()
                tenant = services.tenant_provision(actor="bench", name=slug, slug=slug, method=method, plan=plan,
                                                   owner=services.Owner(email=f"owner@{slug}.test",
                                                                        password_hash=password_hash))
                timings[method].append((time.perf_counter() - t0) * 1000)
                made.append(tenant)
        web_cpu_ms = (_cpu_ticks(web_pids) - web_ticks) * 1000 / os.sysconf("SC_CLK_TCK")
    finally:
        server.terminate()
        server.wait(timeout=30)
        for tenant in made:
            services.tenant_delete(actor="bench", tenant=tenant, reason="bench clean-up")
            t0 = time.perf_counter()
            services.tenant_purge(actor="bench", tenant=tenant, confirm_slug=tenant.slug)
            timings["purge"].append((time.perf_counter() - t0) * 1000)
        settings.DB_CONN_MAX_SCHEMAS = bound
        connection.settings_dict["CONN_MAX_AGE"] = max_age
        connection.close()
        services.tenant_pool_fill(size=pool_before)
    return {
        "policy": {"bound": f"bound ({limit})", "age": f"age ({max_age} s)"}.get(name, name),
        "statuses": statuses, "warm_s": warm_s,
        "own": own_bytes, "peak": peak[0], "schemas": schemas_on_connection, "backends": backends_used,
        "web": sorted(web_memory.values()), "visit_ms": visit_ms, "web_cpu_ms": web_cpu_ms,
        **{f"{method}_p50": percentile(values, 50) for method, values in timings.items() if values},
        **{f"{method}_p95": percentile(values, 95) for method, values in timings.items() if values},
    }


def fleet_main(args) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from tenants import services
    from tenants.models import Tenant

    baseline = pgbench_select_only()
    services.tenant_template_migrate()
    slugs = _fleet.fleet_ensure(args.fleet)
    creds = _fleet.fleet_credentials(slugs)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class")
        relations = cursor.fetchone()[0]
    print(f"database: {Tenant.objects.count()} tenants, {relations} relations in pg_class")
    password_hash = make_password(secrets.token_hex(8))
    run_id = secrets.token_hex(3)
    rows = []
    for name in args.policies.split(","):
        row = _policy(name, args, creds, password_hash, run_id)
        rows.append(row)
        web = row["web"]
        print(f"{row['policy']:12} served {len(creds)} tenants ({row['statuses']}), {row['visit_ms']:.0f} ms a "
              f"visit, {row['backends']} backend(s) in turn, the last on {row['schemas']} schemas; its memory "
              f"{_fleet.mb(row['own'])} (peak {_fleet.mb(row['peak'])}); the {len(web)} web workers' backends "
              f"{_fleet.mb(web[0]) if web else '-'}..{_fleet.mb(web[-1]) if web else '-'}; provisioning: pool p50 "
              f"{row['pool_p50']:.1f} ms (p95 {row['pool_p95']:.1f}), clone p50 {row.get('clone_p50', 0):.0f} ms, "
              f"purge p50 {row['purge_p50']:.0f} ms; the idle web backends used {row['web_cpu_ms']:.0f} ms CPU "
              f"meanwhile")
    print(f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
          f"{baseline['pgbench_select_tps']:.0f} tps")
    for row in rows:
        print("RESULT " + " ".join([f"policy={row['policy'].split()[0]}", f"fleet={len(creds)}",
                                    f"own_mb={row['own'] / 2**20:.1f}", f"peak_mb={row['peak'] / 2**20:.1f}",
                                    f"web_max_mb={max(row['web'], default=0) / 2**20:.1f}",
                                    f"visit_ms={row['visit_ms']:.1f}", f"pool_p50={row['pool_p50']:.1f}",
                                    f"clone_p50={row.get('clone_p50', 0):.0f}", f"purge_p50={row['purge_p50']:.0f}",
                                    f"web_cpu_ms={row['web_cpu_ms']:.0f}",
                                    f"pgbench_select_tps={baseline['pgbench_select_tps']:.0f}"]))
