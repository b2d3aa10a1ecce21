"""A fleet for the benchmarks: many tenant workspaces in one database, and connections that served them.

  fleet_ensure(n)   n tenants `fleet-0000`.. (schema, tenant and domain rows, subscription), each a copy of one
                    model workspace with a small catalog, prices, stock and dealers whose buyers have API tokens.
                    Made once and kept (a full schema is ~0.5 s to copy); `fleet_drop()` removes them.
  serve_tenants()   what web traffic does to a connection: for each tenant, a buyer lists products, reads the
                    cart, submits a 3-line order and lists its orders, through Django's WSGI handler in this
                    process (so this process's connection is the one that served them, with the request
                    boundaries, and DB_CONN_MAX_SCHEMAS, as in a web worker).
  warm_server()     the same requests over HTTP to a running server (its workers' connections serve them).
  backend_memory()  the private memory (RssAnon) of PostgreSQL backends: what a session's caches hold.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import secrets
import threading
import time
import uuid
from contextlib import contextmanager

PREFIX = "fleet-"
MODEL = "fleet-model"
MODEL_SKUS = 40
MODEL_DEALERS = 2


def _model():
    """The model workspace (made once): the catalog, prices, stock and dealers every fleet tenant copies."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_tenants.utils import tenant_context

    from billing_saas.models import Plan
    from tenants import services
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(slug=MODEL).first()
    if tenant is not None:
        return tenant
    services.tenant_template_migrate()
    tenant = services.tenant_provision(actor="bench", name="Fleet model", slug=MODEL, method="clone",
                                       plan=Plan.objects.get(code="enterprise"),
                                       owner=services.Owner(email="owner@fleet.test",
                                                            password_hash=make_password(secrets.token_hex(8))))
    from order import build

    with tenant_context(tenant):
        build(sku_count=MODEL_SKUS, dealer_count=MODEL_DEALERS)
    connection.set_schema_to_public()
    return tenant


def fleet_ensure(count: int, *, jobs: int = 2, batch: int = 1, log=print) -> list[str]:
    """The slugs of `count` fleet tenants, made where missing: the model workspace's schema dumped once (pg_dump, schema
    and data), restored under each new name (`jobs` psql at once, `batch` schemas a
    transaction: each of its ~850 relations takes a lock slot until the commit, and a server's lock table holds
    max_locks_per_transaction x max_connections, 6,400 by default), then the tenants'
    public rows as sign-up makes them (tenant, domain, subscription). Copying with django-tenants' clone function
    took ~3 s a schema, slower as the catalogue grew (it reads it for every object); a restore does not read it."""
    import subprocess
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from _setup import _pg_bin
    from django.db import connection, connections, transaction

    from billing_saas import services as billing
    from tenants.models import Domain, Tenant, TenantStatus, tenant_host

    model = _model()
    slugs = [f"{PREFIX}{n:04d}" for n in range(count)]
    have = set(Tenant.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    missing = [slug for slug in slugs if slug not in have]
    if not missing:
        return slugs
    log(f"fleet: making {len(missing)} tenants (copies of {model.schema_name}) ...")
    started = time.monotonic()
    params = connection.settings_dict
    env = {**os.environ, "PGHOST": params["HOST"] or "127.0.0.1", "PGPORT": str(params["PORT"] or 5432),
           "PGUSER": params["USER"] or "postgres", "PGPASSWORD": params["PASSWORD"] or "",
           "PGDATABASE": params["NAME"], "PGOPTIONS": "-c synchronous_commit=off"}
    dump = subprocess.run([_pg_bin("pg_dump"), "-n", model.schema_name, "--no-owner", "--no-privileges"],
                          env=env, check=True, capture_output=True, text=True).stdout
    dump = "\n".join(line for line in dump.splitlines()
                      if not line.startswith(("SET transaction_timeout", "\\restrict", "\\unrestrict")))
    schema_of = {slug: "t_" + slug.replace("-", "_") for slug in missing}
    with connection.cursor() as cursor:  # restored by an interrupted run (each restore is one transaction)
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(schema_of.values())])
        restored = {row[0] for row in cursor.fetchall()}
    done = [0]

    def register(part: list[str]) -> None:
        connection.set_schema_to_public()
        with transaction.atomic():
            for slug in part:
                tenant = Tenant.objects.create(name=f"Fleet {slug[-4:]}", slug=slug, schema_name=schema_of[slug],
                                               status=TenantStatus.ACTIVE, provisioned_by="clone")
                Domain.objects.create(domain=tenant_host(slug), tenant=tenant, is_primary=True)
                billing.subscription_start(actor="bench", tenant=tenant, plan=model.plan)

    def restore(part: list[str]) -> None:
        try:
            text = "\n".join(dump.replace(model.schema_name, schema_of[slug]) for slug in part)
            with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
                file.write(text)
                file.flush()
                ran = subprocess.run([_pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", file.name],
                                     env=env, capture_output=True, text=True)
            if ran.returncode:
                raise RuntimeError(f"fleet: restore failed: {ran.stderr[-1000:]}")
            register(part)
            done[0] += len(part)
            if done[0] % 100 < batch:  # about every hundred
                log(f"fleet: {done[0]}/{len(missing)} schemas ({done[0] / (time.monotonic() - started):.1f}/s)")
        finally:
            connections.close_all()

    register([slug for slug in missing if schema_of[slug] in restored])
    to_restore = [slug for slug in missing if schema_of[slug] not in restored]
    parts = [to_restore[n:n + batch] for n in range(0, len(to_restore), batch)]
    with _fsync_off(), ThreadPoolExecutor(jobs) as pool:
        list(pool.map(restore, parts))
    connection.set_schema_to_public()  # not analysed: over ~950,000 relations ANALYZE takes many minutes
    log(f"fleet: {len(missing)} made in {time.monotonic() - started:.0f} s")
    return slugs


@contextmanager
def _fsync_off():
    """The server's fsync off while the copies are restored (a superuser's ALTER SYSTEM and a reload), on again
    after. Each CREATE INDEX syncs its file to disk (PostgreSQL <= 15), some 400 per schema: with fsync on, 1,000
    schemas took over an hour here, off about ten minutes. Nothing is measured meanwhile."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW fsync")
        if cursor.fetchone()[0] != "on":
            yield
            return
        cursor.execute("ALTER SYSTEM SET fsync = off")
        cursor.execute("SELECT pg_reload_conf()")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER SYSTEM RESET fsync")
            cursor.execute("SELECT pg_reload_conf()")
            cursor.execute("CHECKPOINT")


def fleet_drop(log=print) -> None:
    from tenants.models import Tenant
    from tenants.services import tenant_delete, tenant_purge

    for tenant in Tenant.objects.filter(slug__startswith=PREFIX):
        tenant_delete(actor="bench", tenant=tenant, reason="bench fleet clean-up")
        tenant_purge(actor="bench", tenant=tenant, confirm_slug=tenant.slug)
    log("fleet: dropped")


def fleet_credentials(slugs: list[str]) -> dict[str, dict]:
    """Per fleet tenant: its host, a buyer's token and the SKU ids (the same in every copy)."""
    from django_tenants.utils import tenant_context
    from rest_framework.authtoken.models import Token

    from tenant_apps.catalog.models import Sku
    from tenants.models import Tenant, tenant_host

    model = Tenant.objects.get(slug=MODEL)
    with tenant_context(model):
        token = Token.objects.order_by("user__email").values_list("key", flat=True).first()
        skus = list(Sku.objects.order_by("pk").values_list("pk", flat=True))
    return {slug: {"host": tenant_host(slug), "token": token, "skus": skus} for slug in slugs}


def _visits(credentials: dict, n: int) -> list[tuple[str, str, bytes | None]]:
    """A buyer's visit: (method, path, body) of each request."""
    skus = credentials["skus"]
    lines = [{"sku": skus[(n * 7 + k * 13) % len(skus)], "quantity": 1 + (n + k) % 5} for k in range(3)]
    return [("GET", "/api/v1/catalog/skus/", None), ("GET", "/api/v1/cart/", None),
            ("POST", "/api/v1/orders/", json.dumps({"lines": lines}).encode()), ("GET", "/api/v1/orders/", None)]


def serve_tenants(credentials: dict[str, dict], *, after_request=None) -> dict[str, int]:
    """Each tenant's visit through Django's WSGI handler, in this process: answers by status."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    statuses: dict[str, int] = {}
    for n, (_slug, creds) in enumerate(credentials.items()):
        for method, path, body in _visits(creds, n):
            environ = {
                "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": creds["host"],
                "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": creds["host"],
                "HTTP_AUTHORIZATION": f"Token {creds['token']}", "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
                "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body or b"")),
                "wsgi.input": io.BytesIO(body or b""), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
                "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
                "wsgi.version": (1, 0), "REMOTE_ADDR": "127.0.0.1",
            }
            answer: list[str] = []
            response = handler(environ, lambda status, headers, exc_info=None, answer=answer: answer.append(status))
            response.close()  # request_finished: the end-of-request bookkeeping (close_old_connections)
            key = answer[0][:3]
            statuses[key] = statuses.get(key, 0) + 1
            if after_request is not None:
                after_request()
    return statuses


def warm_server(port: int, credentials: dict[str, dict], *, clients: int = 3) -> dict[str, int]:
    """Each tenant's visit over HTTP to the server on `port`, `clients` at a time: answers by status."""
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    items = list(credentials.items())

    def client(part: int) -> None:
        for n in range(part, len(items), clients):
            _slug, creds = items[n]
            for method, path, body in _visits(creds, n):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request(method, path, body=body, headers={
                    "Host": creds["host"], "Authorization": f"Token {creds['token']}",
                    "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
                status = str(conn.getresponse().status)
                conn.close()
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def backend_memory(pids: list[int]) -> dict[int, int]:
    """Private (anonymous) resident memory of each PostgreSQL backend, in bytes (/proc: the server runs here)."""
    sizes = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as file:
                for line in file:
                    if line.startswith("RssAnon:"):
                        sizes[pid] = int(line.split()[1]) * 1024
        except OSError:
            continue
    return sizes


def backends(application_name: str) -> list[int]:
    """The backends of the sessions that named themselves `application_name`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])
        return [row[0] for row in cursor.fetchall()]


def own_backend() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def mb(size: float) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


__all__ = ["fleet_ensure", "fleet_drop", "fleet_credentials", "serve_tenants", "warm_server", "backend_memory",
           "backends", "own_backend", "mb", "os"]
