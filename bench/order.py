"""Ordering under load, through the HTTP API of a production-like server:

  load       16 dealers (one buyer each, token auth) submit 20-line orders for 30 s, each request with its own
             Idempotency-Key, against gunicorn (sync workers, DEBUG off) on the embedded PostgreSQL:
             orders/s, p50/p99 latency, and every answer's status; three rounds by default, the median is the
             figure
  baseline   pgbench tpcb-like (the default script) on the same server, 16 clients, 10 s just after each round:
             the host's speed drifts (on a shared machine by half within minutes), so each round stands beside a
             baseline of its own moment
  big        a 1,000-line order (a tile dealer's whole project), three times, timed end to end

The tenant: 2,000 SKUs on a base price list and tier lists, stock in two warehouses (one serving the
dealers' region), a published 满减 promotion with steps, 16 active dealers with shipping addresses, and an
order history (500 orders by default, placed through the service, then ANALYZE): a server whose plans were
made against empty order tables would measure sequential scans that no tenant in use has. Built in its own
throwaway tenant (enterprise plan), deleted and purged at the end.

The load generator runs on the same two cores as the server, so it is lean (raw sockets, answers parsed only
when they are not 201, each request's connection half-closed once sent: see _post), and its clients are
threads of 4 processes (in one interpreter, a client whose answer had come waited for the others' turns at its
lock). The CPU each side used per order is printed too.

Run: .venv/bin/python bench/order.py [--seconds 30] [--rounds 3] [--clients 16] [--client-processes 4]
                                     [--workers 3] [--history 500]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import _fleet
from _setup import ROOT, _pg_bin, django_setup, percentile, throwaway_tenant

SKUS = 2000
DEALERS = 16


def build(sku_count: int = SKUS, dealer_count: int = DEALERS) -> dict:
    """Catalog and prices in bulk, people and rules through the services. Returns what the clients need."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from tenant_apps.accounts.services import user_create
    from tenant_apps.catalog import services as catalog
    from tenant_apps.catalog.models import Product, Sku
    from tenant_apps.dealers import services as dealers
    from tenant_apps.inventory import services as inventory
    from tenant_apps.inventory.models import Stock
    from tenant_apps.pricing import services as pricing
    from tenant_apps.pricing.models import PriceEntry
    from tenant_apps.promotions import services as promo

    hq = dealers.headquarters_ensure(name="HQ")
    tiers = [dealers.tier_create(actor=None, code=code, name=code, rank=n) for n, code in enumerate("AB", 1)]
    east = dealers.territory_create(actor=None, code="EAST", name="华东")
    west = dealers.territory_create(actor=None, code="WEST", name="西部")
    unit = catalog.unit_ensure(code="pc", name="件")
    root = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
    products = Product.objects.bulk_create([Product(code=f"P{n:05d}", name=f"瓷砖{n}", category=root, status="on_sale")
                                            for n in range(sku_count // 5)])
    skus = Sku.objects.bulk_create([Sku(product=products[n // 5], code=f"S{n:05d}", name=f"瓷砖{n // 5} 规格{n % 5}",
                                        base_unit=unit, search_text=f"s{n:05d}") for n in range(sku_count)])
    base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base", status="active")
    tier_a = pricing.price_list_create(actor=None, code="TIER-A", name="A 级", kind="tier", tier=tiers[0],
                                       status="active")
    PriceEntry.objects.bulk_create(
        [PriceEntry(price_list=base, sku=sku, unit=unit, min_quantity=1, price=Decimal(20 + n % 50))
         for n, sku in enumerate(skus)]
        + [PriceEntry(price_list=base, sku=sku, unit=unit, min_quantity=50, price=Decimal(18 + n % 50))
           for n, sku in enumerate(skus)]
        + [PriceEntry(price_list=tier_a, sku=sku, unit=unit, min_quantity=1, price=Decimal(19 + n % 50))
           for n, sku in enumerate(skus[::2])])
    near = inventory.warehouse_create(actor=None, code="SH", name="上海仓", territories=[east])
    far = inventory.warehouse_create(actor=None, code="CD", name="成都仓", territories=[west])
    Stock.objects.bulk_create([Stock(sku=sku, warehouse=warehouse, on_hand=10_000_000, reserved=0)
                               for sku in skus for warehouse in (near, far)])
    # The ledger must sum to on-hand: record the opening stock as receipts in one statement.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO inventory_stockmovement (stock_id, kind, on_hand_delta, reserved_delta, reference, "
                       "reason, actor_label, created_at) SELECT id, 'receipt', on_hand, 0, 'bench', '', 'bench', now() "
                       "FROM inventory_stock")
    threshold = promo.promotion_create(
        actor=None, code="MJ", name="满 2000 减 100, 满 5000 减 300", kind="threshold",
        rule={"steps": [{"threshold": "2000", "off": "100"}, {"threshold": "5000", "off": "300"}]},
        starts_at=timezone.now() - timedelta(days=1))
    promo.promotion_publish(actor=None, promotion=threshold, reason="bench")
    tokens = []
    for n in range(dealer_count):
        dealer = dealers.dealer_create(actor=None, parent=hq, code=f"D{n:02d}", legal_name=f"经销商{n}",
                                       tier=tiers[n % 2], territories=[east], status="active")
        dealers.address_add(actor=None, dealer=dealer, kind="shipping", recipient="收货人", phone="13800000000",
                            territory=east, line=f"上海市 {n} 号", is_default=True)
        user = user_create(actor=None, email=f"buyer{n}@bench.test", password=secrets.token_urlsafe(12),
                           role="dealer_buyer", dealer=dealer)
        tokens.append(Token.objects.create(user=user).key)
    return {"sku_ids": [sku.pk for sku in skus], "tokens": tokens}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(workers: int, relay: str = "thread", schema: str = "", extra_env: dict | None = None) -> tuple:
    """gunicorn on the same database as this process, production-like: DEBUG off, sync workers. relay "thread":
    the outbox is relayed by a background thread of each web process (no broker: the embedded default); "inline":
    by the web request itself right after its commit; "worker": by a separate `webhooks_worker` process on the
    same cores, as a deployment with a worker does. Its sessions name
    themselves `bench-web` (PGAPPNAME), so their backends can be found in pg_stat_activity."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    port = _free_port()
    host = db["HOST"] or "127.0.0.1"
    url = (f"postgres://{db['USER']}@/{db['NAME']}?host={host}&port={db['PORT']}" if host.startswith("/")
           else f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT']}/{db['NAME']}")
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}, "DEBUG": "false",
           "DATABASE_URL": url, "PLATFORM_DOMAIN": f"localhost:{port}", "LOG_LEVEL": "WARNING",
           "TENANT_POOL_REFILL": "off", "DB_CONN_MAX_AGE": "600",
           "EVENTS_RELAY": relay if relay in ("thread", "inline") else "off", "PGAPPNAME": "bench-web",
           **(extra_env or {})}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # its log goes to a file: a pipe nobody reads fills up (one access line per request) and blocks the workers
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([str(gunicorn), "dms.wsgi:application", "--pythonpath", "platform", "--bind",
                               f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "1", "--timeout", "60",
                               "--backlog", "256"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=log)
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                worker = None
                if relay == "worker":
                    worker = subprocess.Popen([sys.executable, "manage.py", "webhooks_worker", "--schema", schema,
                                               "--sleep", "0.05"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                              stderr=log)
                return server, port, worker
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                log.seek(0)
                raise RuntimeError("gunicorn did not start: " + log.read().decode(errors="replace")[-2000:]) from None
            time.sleep(0.2)


def submit(conn: http.client.HTTPConnection, host: str, token: str, lines: list[dict]) -> tuple[int, float, dict]:
    body = json.dumps({"lines": lines})
    started = time.perf_counter()
    conn.request("POST", "/api/v1/orders/", body=body, headers={
        "Host": host, "Authorization": f"Token {token}", "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex})
    response = conn.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return response.status, elapsed, (json.loads(payload) if payload[:1] in (b"{", b"[") else {})


def _post(port: int, request: bytes) -> tuple[int, bytes]:
    """One request on its own connection (gunicorn's sync workers close it after the answer): the status and the
    body. Raw sockets: the load generator shares the two cores with what it measures, so it does no more than
    this (http.client parsed every answer's headers with the email package). The request sent, the client says
    it has no more to send (half-close): gunicorn's sync worker, its answer written, waits until the peer closes
    before it takes the next connection (gunicorn.util.close_graceful). A proxy in front of it closes at once;
    this load generator, sharing the two cores with the server, was often not scheduled for a millisecond or
    more, and the wait (~8% of a worker's time) measured the clients, not the server."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _sep, body = answer.partition(b"\r\n\r\n")
    return int(head[9:12]), body


def _clients(port: int, host: str, data: dict, numbers: range, stop: float, barrier) -> tuple[list, list, float]:
    """The clients `numbers` as threads of this process until `stop` (time.monotonic): their (status, ms) answers,
    the first errors, and the CPU seconds this process used meanwhile."""
    import resource

    results: list[tuple[int, float]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(number)
        token = data["tokens"][number % len(data["tokens"])]
        head = (f"POST /api/v1/orders/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {token}\r\n"
                "Content-Type: application/json\r\nConnection: close\r\n").encode()
        barrier.wait()
        mine = []
        while time.monotonic() < stop:
            body = json.dumps({"lines": [{"sku": sku, "quantity": rng.randint(1, 60)}
                                         for sku in rng.sample(data["sku_ids"], 20)]}).encode()
            request = (head + f"Idempotency-Key: {uuid.uuid4().hex}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                       + body)
            started = time.perf_counter()
            try:
                status, answer = _post(port, request)
            except OSError as error:
                with lock:
                    errors.append(repr(error))
                continue
            mine.append((status, (time.perf_counter() - started) * 1000))
            if status != 201 and len(errors) < 5:
                with lock:
                    errors.append(f"{status} {answer[:300]!r}")
        with lock:
            results.extend(mine)

    before = resource.getrusage(resource.RUSAGE_SELF)
    threads = [threading.Thread(target=client, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return results, errors[:5], after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _client_process(port, host, data, numbers, stop, barrier, queue) -> None:
    queue.put(_clients(port, host, data, numbers, stop, barrier))


def load(*, port: int, host: str, data: dict, seconds: float, clients: int, processes: int = 1) -> dict:
    """`clients` dealers' buyers (token each), submitting 20-line orders (random SKUs and quantities, a new
    Idempotency-Key each) one after the other for `seconds`: threads shared over `processes` forked processes,
    so that an answer is read (and its connection closed, which a sync worker waits for) without waiting for
    the other clients' turn at one interpreter's lock."""
    import multiprocessing

    processes = max(1, min(processes, clients))
    groups = [range(n, clients, processes) for n in range(processes)]
    started = time.monotonic()
    stop = started + seconds
    if processes == 1:
        results, errors, client_cpu = _clients(port, host, data, groups[0], stop, threading.Barrier(clients))
    else:
        fork = multiprocessing.get_context("fork")
        barrier, queue = fork.Barrier(clients), fork.Queue()
        children = [fork.Process(target=_client_process, args=(port, host, data, group, stop, barrier, queue))
                    for group in groups]
        for child in children:
            child.start()
        parts = [queue.get(timeout=seconds + 120) for _child in children]
        for child in children:
            child.join()
        results = [answer for part in parts for answer in part[0]]
        errors = [error for part in parts for error in part[1]][:5]
        client_cpu = sum(part[2] for part in parts)
    wall = time.monotonic() - started
    ok = [elapsed for status, elapsed in results if status == 201]
    statuses: dict[int, int] = {}
    for status, _elapsed in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {"orders": len(ok), "wall_s": wall, "orders_per_s": len(ok) / wall, "statuses": statuses,
            "p50_ms": percentile(ok, 50) if ok else 0.0, "p99_ms": percentile(ok, 99) if ok else 0.0,
            "errors": errors, "client_cpu_s": client_cpu}


def history(data: dict, orders: int) -> None:
    """Orders the dealers placed before the measured load, through the same service (a tenant that has been
    ordering for a while, not one whose order tables were empty when the server's plans were made), then the
    statistics PostgreSQL plans from."""
    from django.db import connection

    from tenant_apps.accounts.models import User
    from tenant_apps.ordering.submission import SubmitLine, order_submit

    rng = random.Random(7)
    buyers = list(User.objects.filter(email__startswith="buyer", email__endswith="@bench.test")
                  .select_related("dealer").order_by("email"))
    for number in range(orders):
        buyer = buyers[number % len(buyers)]
        order_submit(actor=buyer, dealer=buyer.dealer, idempotency_key=f"history-{number}",
                     lines=[SubmitLine(sku, None, rng.randint(1, 60)) for sku in rng.sample(data["sku_ids"], 20)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def cpu_ticks() -> dict[str, int]:
    """CPU ticks used so far by the server's processes (gunicorn, PostgreSQL)."""
    used = {"gunicorn": 0, "relay worker": 0, "postgres": 0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read()
            with open(f"/proc/{pid}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kind = ("gunicorn" if b"gunicorn" in command else "relay worker" if b"webhooks_worker" in command
                else "postgres" if b"postgres" in command else None)
        if kind:
            used[kind] += int(fields[11]) + int(fields[12])
    return used


@contextmanager
def pgbench_tpcb(clients: int = 16):
    """pgbench's default (TPC-B-like) script on the same server, the write baseline for this machine: a database
    initialised once (scale 16), then `run(seconds)` as often as asked, each run's tps and average latency."""
    from django.db import connection

    params = connection.settings_dict
    env = {**os.environ, "PGHOST": params["HOST"] or "127.0.0.1", "PGPORT": str(params["PORT"] or 5432),
           "PGUSER": params["USER"] or "postgres", "PGPASSWORD": params["PASSWORD"] or ""}
    db = "bench_pgbench_tpcb"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db}"')
        cursor.execute(f'CREATE DATABASE "{db}"')
    connection.close()

    def run(seconds: int = 10) -> dict:
        out = subprocess.run([_pg_bin("pgbench"), "-c", str(clients), "-j", "2", "-T", str(seconds), db], env=env,
                             check=True, capture_output=True, text=True).stdout
        return {"tps": float(re.search(r"tps = ([\d.]+)", out).group(1)),
                "latency_ms": float(re.search(r"latency average = ([\d.]+) ms", out).group(1))}

    try:
        subprocess.run([_pg_bin("pgbench"), "-i", "-q", "-s", "16", db], env=env, check=True, capture_output=True)
        yield run
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=3,
                        help="loads, each followed by pgbench; the median is the figure")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--history", type=int, default=500, help="orders placed before the load")
    parser.add_argument("--relay", choices=("thread", "inline", "worker"), default="thread",
                        help="who relays the outbox: a background thread of each web process (EVENTS_RELAY=thread, "
                             "the default without a broker), the web request itself after its commit (inline), or "
                             "a worker process")
    parser.add_argument("--fleet", type=int, default=0,
                        help="the database holds this many other tenants (bench/_fleet.py, made once and kept) and "
                             "the web workers serve every one of them before the load")
    parser.add_argument("--conn-max-schemas", type=int, default=None,
                        help="DB_CONN_MAX_SCHEMAS of the web workers (default: the setting's)")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    django_setup()

    from django.conf import settings
    from django.db import connection
    from django_tenants.utils import schema_context

    server = worker = None
    rounds = []
    with throwaway_tenant("Bench orders", "bench-ord", owner_password=secrets.token_urlsafe(12)) as tenant:
        try:
            with schema_context(tenant.schema_name):
                started = time.perf_counter()
                data = build()
                history(data, args.history)
                print(f"built {SKUS} SKUs, {DEALERS} dealers and {args.history} orders of history in "
                      f"{time.perf_counter() - started:.1f} s")
            connection.set_schema_to_public()
            fleet = _fleet.fleet_credentials(_fleet.fleet_ensure(args.fleet)) if args.fleet else {}
            with pgbench_tpcb() as pgbench:
                extra = {} if args.conn_max_schemas is None else {"DB_CONN_MAX_SCHEMAS": str(args.conn_max_schemas)}
                server, port, worker = serve(args.workers, args.relay, tenant.schema_name, extra)
                host = f"{tenant.slug}.{settings.PLATFORM_HOST.split(':')[0]}:{port}"
                if fleet:  # every other tenant's buyer visits (untimed): the workers' connections serve them all
                    started = time.perf_counter()
                    answers = _fleet.warm_server(port, {slug: {**creds, "host": f"{creds['host']}:{port}"}
                                                        for slug, creds in fleet.items()}, clients=args.workers)
                    web = _fleet.backend_memory(_fleet.backends("bench-web"))
                    print(f"fleet: {len(fleet)} tenants served by {args.workers} web workers in "
                          f"{time.perf_counter() - started:.0f} s (answers {answers}); their backends now: "
                          + ", ".join(_fleet.mb(size) for size in web.values()))
                # Warm every worker (imports, connections), untimed.
                load(port=port, host=host, data=data, seconds=3, clients=args.workers)
                # The 1,000-line order first, on a quiet server (after the load, autovacuum and the checkpoint of
                # what the load wrote would be measured with it).
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                rng = random.Random(99)
                big = []
                for _ in range(3):
                    big_lines = [{"sku": sku, "quantity": rng.randint(1, 200)}
                                 for sku in rng.sample(data["sku_ids"], 1000)]
                    big.append(submit(conn, host, data["tokens"][0], big_lines))
                conn.close()
                # Rounds, each load followed by pgbench: the host's speed drifts (on a shared machine by half
                # within minutes), so each round's orders/s stands beside a baseline taken moments later.
                for number in range(1, args.rounds + 1):
                    before = cpu_ticks()
                    result = load(port=port, host=host, data=data, seconds=args.seconds, clients=args.clients,
                                  processes=args.client_processes)
                    after = cpu_ticks()
                    orders = max(result["orders"], 1)
                    cpu = {kind: (after[kind] - before[kind]) / os.sysconf("SC_CLK_TCK") * 1000 / orders
                           for kind in after}
                    cpu["clients"] = result["client_cpu_s"] * 1000 / orders
                    baseline = pgbench()
                    rounds.append((result, cpu, baseline))
                    _print_round(number, args, result, cpu, baseline)
                web = _fleet.backend_memory(_fleet.backends("bench-web"))
                print("web backends after the load: " + ", ".join(_fleet.mb(size) for size in web.values()))
                server.terminate()
                server.wait(timeout=30)
                server = None
                drained = _outbox_drained(tenant.schema_name)
                if worker is not None:
                    worker.terminate()
                    worker.wait(timeout=30)
                    worker = None
            with schema_context(tenant.schema_name):
                from tenant_apps.inventory.selectors import ledger_mismatches
                from tenant_apps.ordering.models import Order

                total = Order.objects.count()
                mismatches = len(ledger_mismatches())
            connection.set_schema_to_public()
        finally:
            for process in (server, worker):
                if process is not None:
                    process.kill()

    result, cpu, baseline = sorted(rounds, key=lambda r: r[0]["orders_per_s"])[len(rounds) // 2]
    big_ms = [elapsed for status, elapsed, _body in big if status == 201]
    print(f"median round: {result['orders_per_s']:.1f} orders/s, p50 {result['p50_ms']:.1f} ms, "
          f"p99 {result['p99_ms']:.1f} ms, beside pgbench {baseline['tps']:.0f} tps; rounds' orders/s "
          + ", ".join(f"{r[0]['orders_per_s']:.1f}" for r in rounds))
    print(f"1,000-line order: {', '.join(f'{ms:.0f} ms' for ms in big_ms)} "
          f"(statuses {[status for status, _e, _b in big]})")
    print(f"orders in the database {total}; ledger mismatches {mismatches}; outbox relayed by {args.relay}: "
          f"{drained['events']} events, {drained['left']} left unrelayed {drained['waited_s']:.1f} s after the load, "
          f"{drained['notifications']} notifications written")
    print(f"RESULT orders_per_s={result['orders_per_s']:.1f} p50_ms={result['p50_ms']:.1f} "
          f"p99_ms={result['p99_ms']:.1f} big_order_ms={min(big_ms) if big_ms else -1:.0f} "
          f"pgbench_tpcb_tps={baseline['tps']:.0f} fleet={args.fleet} "
          f"web_backend_max_mb={max(web.values(), default=0) / 1024 / 1024:.1f}")


def _outbox_drained(schema: str, wait_s: float = 60) -> dict:
    """After the load: wait (up to wait_s) for the outbox to be relayed; how many events, how many left."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenant_apps.events.models import OutboxEvent
    from tenant_apps.notifications.models import Notification

    started = time.perf_counter()
    with schema_context(schema):
        while (left := OutboxEvent.objects.filter(relayed_at__isnull=True).count()) and \
                time.perf_counter() - started < wait_s:
            time.sleep(0.5)
        found = {"events": OutboxEvent.objects.count(), "left": left, "waited_s": time.perf_counter() - started,
                 "notifications": Notification.objects.count()}
    connection.set_schema_to_public()
    return found


def _print_round(number: int, args, result: dict, cpu: dict, baseline: dict) -> None:
    print(f"round {number}: {args.clients} clients x 20-line orders for {args.seconds:.0f} s, gunicorn "
          f"{args.workers} sync workers, outbox relayed {args.relay}: {result['orders']} orders, "
          f"{result['orders_per_s']:.1f} orders/s, "
          f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms; statuses {result['statuses']}")
    if result["errors"]:
        print("  first errors:", result["errors"])
    print("  CPU per order: " + ", ".join(f"{kind} {ms:.1f} ms" for kind, ms in cpu.items())
          + f" (two cores: {2000 / sum(cpu.values()):.0f} orders/s if nothing else ran); pgbench tpcb-like, "
          f"16 clients, same server, just after: {baseline['tps']:.0f} tps, {baseline['latency_ms']:.2f} ms average")


if __name__ == "__main__":
    main()
