"""Browser tests: a real platform (gunicorn + its own database on the same PostgreSQL server) driven
by Playwright in Debian's Chromium. `make test` installs Chromium when it is missing."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_params() -> dict:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or "127.0.0.1", "port": str(db["PORT"] or 5432), "user": db["USER"] or "postgres",
            "password": db["PASSWORD"] or ""}


def _admin(params: dict, sql: str) -> None:
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


class _Preparation:
    """The live platform's own database, migrated and seeded with the demo by one background process started
    when the run holds browser tests (tests/conftest.py): it runs beside the tests before them, instead of
    making the first browser test wait about 45 s for it.

    Under pytest-xdist the controller starts it and hands its description to the workers (`as_dict`); the worker
    that runs the browser tests waits for the status file the background process writes when it ends."""

    def __init__(self, described: dict | None = None) -> None:
        if described is not None:
            self.__dict__.update(described, mail_dir=Path(described["mail_dir"]), process=None)
            return
        params = _server_params()
        self.params = params
        self.name = f"e2e_{secrets.token_hex(4)}"
        _admin(params, f'CREATE DATABASE "{self.name}"')
        self.port, self.empty_port = _free_port(), _free_port()
        self.mail_dir = Path(tempfile.mkdtemp(prefix="e2e-mail-"))
        work = Path(tempfile.mkdtemp(prefix="e2e-prep-"))
        self.status_file, self.log_file = str(work / "status"), str(work / "log")
        auth = (f"{quote(params['user'])}:{quote(params['password'])}@" if params["password"]
                else f"{quote(params['user'])}@")
        host = params["host"]
        url = (f"postgres://{auth}/{self.name}?host={quote(host, safe='')}&port={params['port']}"
               if host.startswith("/") else f"postgres://{auth}{host}:{params['port']}/{self.name}")
        self.env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
                    "DJANGO_ENV": "development", "DEBUG": "false", "DATABASE_URL": url,
                    "PLATFORM_DOMAIN": f"localhost:{self.port}", "TENANT_POOL_SIZE": "2", "LOG_LEVEL": "WARNING",
                    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                    "EMAIL_FILE_PATH": str(self.mail_dir),
                    # a page loaded right after an action shows its notifications: relayed before the response
                    "EVENTS_RELAY": "inline"}
        self.empty_name = f"{self.name}_empty"
        # each platform's own fake Stripe (test mode, started by gunicorn's master: dms/gunicorn_conf.py) on a
        # port and with a state file of its own
        self.env.update(STRIPE_FAKE_PORT=str(_free_port()), DMS_DATA_DIR=str(work / "data"))
        self.empty_env = {**self.env, "DATABASE_URL": url.replace(f"/{self.name}", f"/{self.empty_name}", 1),
                          "PLATFORM_DOMAIN": f"localhost:{self.empty_port}", "STRIPE_FAKE_PORT": str(_free_port()),
                          "DMS_DATA_DIR": str(work / "data-empty")}
        manage = f'"{sys.executable}" manage.py'
        # migrate once; copy the migrated, unseeded database (with its template schema and warm pool) for the
        # empty platform; then seed the demo into the first. The exit status goes to a file any process can read.
        copy = f'"{sys.executable}" -m tests.e2e.conftest copy {self.name} {self.empty_name}'
        steps = f"{manage} platform_migrate -v 0 && {copy} && {manage} seed_demo --brand acme"
        self.process = subprocess.Popen(
            ["bash", "-c", f'( {steps} ) 2>"{self.log_file}"; echo $? >"{self.status_file}.part"; '
                           f'mv "{self.status_file}.part" "{self.status_file}"'],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL)

    def as_dict(self) -> dict:
        return {key: (str(value) if isinstance(value, Path) else value)
                for key, value in self.__dict__.items() if key != "process"}

    def wait(self) -> None:
        status = Path(self.status_file)
        deadline = time.monotonic() + 600
        while not status.exists():
            if time.monotonic() > deadline:
                pytest.fail("the browser tests' platform was not migrated and seeded within 10 minutes")
            time.sleep(0.2)
        if status.read_text().strip() != "0":
            pytest.fail("migrating or seeding the browser tests' platform failed: "
                        + Path(self.log_file).read_text(errors="replace")[-3000:])

    def drop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)
        _admin(self.params, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        _admin(self.params, f'DROP DATABASE IF EXISTS "{self.empty_name}" WITH (FORCE)')
        shutil.rmtree(Path(self.status_file).parent, ignore_errors=True)


_preparation: _Preparation | None = None
_handed_over = False  # this process runs on a preparation another process made and drops


def prepare_in_background() -> _Preparation:
    """Start migrating and seeding the live platform's database (once per session)."""
    global _preparation
    if _preparation is None:
        _preparation = _Preparation()
    return _preparation


def preparation_adopt(described: dict) -> None:
    """In an xdist worker: use the preparation the controller started (it drops it at the end)."""
    global _preparation, _handed_over
    _preparation, _handed_over = _Preparation(described), True


def preparation_drop() -> None:
    """Stop the preparation if it still runs and drop its database (at the session's end, however it ends)."""
    global _preparation
    if _preparation is not None and not _handed_over:
        _preparation.drop()
        _preparation = None


def _serve(port: int, env: dict):
    """gunicorn on the port until /readyz answers; returns the process and the base URL."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # its log goes to a file: a pipe nobody reads fills up (one access line per request) and blocks the workers
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([str(gunicorn), "dms.wsgi:application", "--pythonpath", "platform",
                               "-c", "platform/dms/gunicorn_conf.py",
                               "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                log.seek(0)
                pytest.fail("platform did not start: " + log.read().decode(errors="replace")[-3000:])
            time.sleep(0.3)


@pytest.fixture(scope="session")
def _prepared(django_db_blocker):
    """The preparation, waited for; its databases are dropped at the session's end."""
    prepare_in_background()
    preparation = _preparation
    try:
        preparation.wait()
        yield preparation
    finally:
        preparation_drop()


@pytest.fixture(scope="session")
def sms_fake():
    """A fake of Aliyun's SMS endpoint on loopback, in this process (tests/notifications/sms_fake.py): the live
    platform sends its SMS there, and a test reads what it received (`.messages`)."""
    from tests.notifications.sms_fake import AliyunSmsFake

    with AliyunSmsFake() as fake:
        yield fake


def _sms_env(fake) -> dict:
    """The platform's SMS settings (settings.NOTIFICATIONS_SMS) for the fake."""
    config = fake.settings()
    return {"SMS_PROVIDER": config["provider"], "SMS_ENDPOINT": config["endpoint"],
            "SMS_ACCESS_KEY_ID": config["access_key_id"], "SMS_ACCESS_KEY_SECRET": config["access_key_secret"],
            "SMS_SIGN_NAME": config["sign_name"], "SMS_TEMPLATE_CODE": config["template_code"]}


@pytest.fixture(scope="session")
def live_platform(_prepared, sms_fake):
    """A platform served by gunicorn on a free port, on a database of its own with the demo seed of the brand
    acme (the one the browser tests use; seeding globex too cost ~15 s); yields its base URL, port, environment,
    mail folder and the fake SMS endpoint it sends SMS to."""
    env = {**_prepared.env, **_sms_env(sms_fake)}
    server, base = _serve(_prepared.port, env)
    yield {"base": base, "port": _prepared.port, "env": env, "mail_dir": _prepared.mail_dir, "sms": sms_fake}
    server.terminate()
    server.wait(timeout=15)


@pytest.fixture(scope="session")
def empty_platform(_prepared):
    """A second platform, migrated but never seeded: no brand exists until a test signs one up (the same mail
    folder as the live platform)."""
    server, base = _serve(_prepared.empty_port, _prepared.empty_env)
    yield {"base": base, "port": _prepared.empty_port, "env": _prepared.empty_env, "mail_dir": _prepared.mail_dir}
    server.terminate()
    server.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    """Per module: Playwright's sync API keeps an event loop in this thread while it is open, and
    Django refuses ORM calls from a thread with a running loop (the tests after these need them)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def demo_platform(live_platform):
    """The live platform with the demo seed (every live platform has it: seeded while it was prepared)."""
    return live_platform


if __name__ == "__main__":  # `python -m tests.e2e.conftest copy SOURCE TARGET`, run by the preparation
    # between migrating and seeding, when the source database (DATABASE_URL) has no other connection
    _command, source, target = sys.argv[1:4]
    connection = psycopg2.connect(os.environ["DATABASE_URL"].replace(f"/{source}", "/postgres", 1))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    connection.close()
