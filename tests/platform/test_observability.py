"""Logs carry the tenant and the request id; Sentry events carry the tenant as a tag.

Sentry is replaced at the network boundary by a small local HTTP server that records envelopes.
"""

import io
import json
import logging
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.core.signals import request_finished
from django.db import connection
from django.db.models.signals import class_prepared, post_init, pre_init
from django.http import HttpResponse
from django.test import RequestFactory

from dms.celery import app
from dms.logcontext import ContextFilter, KeyValueFormatter
from dms.observability import init_sentry
from tenants.middleware import TenantRoutingMiddleware


def test_log_lines_carry_tenant_and_request_id(client_a):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(KeyValueFormatter("tenant=%(tenant)s request_id=%(request_id)s %(message)s"))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client_a.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0123456789")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert stream.getvalue().startswith("tenant=t_acme request_id=req-0123456789 Not Found: /no-such-page/")


class _Collector(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        type(self).envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _events():
    events = []
    for envelope in _Collector.envelopes:
        for line in envelope.splitlines():
            item = json.loads(line) if line.startswith(b"{") else None
            if item and "message" in item or item and "exception" in item:
                events.append(item)
    return events


@contextmanager
def _sentry_on(dsn: str):
    previous = sentry_sdk.get_client()
    init_sentry(dsn=dsn, environment="test")
    try:
        yield
    finally:
        sentry_sdk.get_client().close(timeout=2)
        # Off again as before. Not `init(dsn=None)`: that keeps the auto-enabled Django integration, whose signal
        # spans then slowed every later test that sends signals, migrations most (32 s instead of 8).
        sentry_sdk.get_global_scope().set_client(previous)


@pytest.fixture
def sentry_server():
    _Collector.envelopes = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with _sentry_on(f"http://publickey@127.0.0.1:{server.server_port}/1"):
        yield
    server.shutdown()


def test_sentry_events_of_a_request_are_tagged_with_the_tenant(tenant_a, sentry_server):
    def view(request):
        sentry_sdk.capture_message("order export failed")
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_HOST="acme.localhost")
    with sentry_sdk.isolation_scope():
        assert TenantRoutingMiddleware(view)(request).status_code == 200
    sentry_sdk.flush(timeout=5)
    [event] = _events()
    assert event["message"] == "order export failed"
    assert event["tags"]["tenant"] == "t_acme"


def test_sentry_events_of_a_task_are_tagged_with_the_tenant(tenant_b, sentry_server):
    @app.task(name="tests.report_problem")
    def report_problem():
        sentry_sdk.capture_message("stock sync failed")

    connection.set_tenant(tenant_b)
    with sentry_sdk.isolation_scope():
        report_problem.delay()
    sentry_sdk.flush(timeout=5)
    [event] = _events()
    assert event["message"] == "stock sync failed"
    assert event["tags"]["tenant"] == "t_globex"



class _Sender:
    pass


def _receiver(**kwargs):
    pass


def _wrapped(signal) -> bool:
    """Is `_receiver`, connected to `signal`, called through a Sentry span wrapper when the signal is sent?"""
    signal.connect(_receiver, weak=False)
    try:
        sync_receivers, _async = signal._live_receivers(_Sender)
        [mine] = [r for r in sync_receivers if getattr(r, "__wrapped__", r) is _receiver]
        return mine is not _receiver
    finally:
        signal.disconnect(_receiver)


def test_without_traces_sentry_wraps_no_signal_receiver(sentry_server):
    assert not _wrapped(request_finished)
    assert not _wrapped(class_prepared)


def test_with_traces_a_request_signal_is_a_span_but_the_model_signals_are_not(monkeypatch):
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "1.0")
    with _sentry_on("http://publickey@127.0.0.1:9/1"):
        assert _wrapped(request_finished)
        assert not _wrapped(class_prepared) and not _wrapped(post_init) and not _wrapped(pre_init)
    # and off again afterwards, for every test after this one
    assert not _wrapped(request_finished)
