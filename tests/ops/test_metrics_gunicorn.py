"""Metrics under gunicorn as production runs it: several worker processes, PROMETHEUS_MULTIPROC_DIR set, the
configuration file of the image. Whichever worker answers a scrape, it shows the requests of all of them."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.ops.test_metrics import sample

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "gunicorn-metrics-token-0123456789"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": "localhost", **headers})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served(db, tmp_path):
    database = settings.DATABASES["default"]
    url = (f"postgres://{database['USER'] or 'postgres'}:{database['PASSWORD'] or ''}@"
           f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}")
    if str(database["HOST"]).startswith("/"):  # a socket directory (the embedded database): in the query
        url = (f"postgres://{database['USER'] or 'postgres'}@/{database['NAME']}"
               f"?host={database['HOST']}&port={database['PORT']}")
    metrics_dir = tmp_path / "prometheus"
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
           "DJANGO_ENV": "development", "DEBUG": "false", "PLATFORM_DOMAIN": "localhost", "LOG_LEVEL": "WARNING",
           "ACCESS_LOG_LEVEL": "WARNING", "DATABASE_URL": url, "DMS_DATA_DIR": str(tmp_path),
           "STRIPE_FAKE": "false", "CNPAY_FAKE": "false", "METRICS_TOKEN": TOKEN,
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PORT": str(port), "WEB_CONCURRENCY": "2"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "dms.wsgi:application", "--config", "platform/dms/gunicorn_conf.py",
                               "--bind", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    pytest.fail("gunicorn did not start: " + server.stderr.read().decode()[-3000:])
                time.sleep(0.3)
        yield base, metrics_dir
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_scrape_of_any_worker_adds_up_every_workers_requests(served):
    base, metrics_dir = served
    port = int(base.rsplit(":", 1)[1])
    # One worker is held by a request whose headers are not finished (a sync worker serves one at a time), so the
    # other one answers the next 39; then the held one answers too: both processes have counted requests.
    with socket.create_connection(("127.0.0.1", port), timeout=30) as held:
        held.sendall(b"GET /no-such-page/held/ HTTP/1.1\r\nHost: localhost\r\n")
        time.sleep(0.5)
        statuses = [_get(f"{base}/no-such-page/{i}/")[0] for i in range(39)]
        held.sendall(b"Connection: close\r\n\r\n")
        statuses.append(int(held.recv(64).split()[1]))
    assert statuses == [404] * 40
    assert len(list(metrics_dir.glob("counter_*.db"))) == 2  # both worker processes counted requests
    for _ in range(4):  # each scrape may reach either worker: every one sees all 40
        status, text = _get(f"{base}/internal/metrics", Authorization=f"Bearer {TOKEN}")
        assert status == 200
        assert sample(text, "dms_http_requests_total", view="<unresolved>", method="GET", status="4xx") == 40
    assert _get(f"{base}/internal/metrics")[0] == 401
