"""With the database unreachable, the WSGI server still answers clearly: liveness 200, readiness
503 naming the database, and 503 pages / JSON on tenant hosts, never a 500."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port, host, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request("GET", path, headers={"Host": host, "Accept-Language": "en"})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


@pytest.fixture(scope="module")
def server_without_database():
    port = _free_port()
    dead_port = _free_port()  # nothing listens there
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "PLATFORM_DOMAIN": "localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead_port}/dms",
        "DB_CONNECT_TIMEOUT": "2",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "dms.wsgi:application",
            "--pythonpath",
            "platform",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if _get(port, "localhost", "/healthz")[0] == 200:
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.slow
def test_liveness_stays_ok(server_without_database):
    status, _headers, body = _get(server_without_database, "acme.localhost", "/healthz")
    assert (status, body) == (200, "ok\n")


@pytest.mark.slow
def test_readiness_names_the_database(server_without_database):
    status, _headers, body = _get(server_without_database, "acme.localhost", "/readyz")
    data = json.loads(body)
    assert status == 503
    assert data["ready"] is False
    assert data["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert data["checks"]["cache"]["ok"] is True


@pytest.mark.slow
def test_tenant_page_is_a_clear_503(server_without_database):
    status, headers, body = _get(server_without_database, "acme.localhost", "/")
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert 'data-code="service_unavailable"' in body
    assert "Service temporarily unavailable" in body


@pytest.mark.slow
def test_tenant_api_is_a_503_json(server_without_database):
    status, _headers, body = _get(server_without_database, "acme.localhost", "/api/v1/me/")
    assert status == 503
    assert json.loads(body)["code"] == "service_unavailable"


@pytest.mark.slow
def test_platform_pages_that_need_the_database_are_a_503(server_without_database):
    conn = http.client.HTTPConnection("127.0.0.1", server_without_database, timeout=15)
    # the sign-up API's subdomain check reads the tenants (the platform host has no sign-in API: brands have it)
    conn.request("GET", "/api/v1/signup/check-slug/?slug=abcde", headers={"Host": "localhost"})
    response = conn.getresponse()
    assert response.status == 503
    assert json.loads(response.read())["code"] == "service_unavailable"
