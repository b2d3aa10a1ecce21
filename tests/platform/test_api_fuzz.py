"""An API fuzz run: schemathesis against our own OpenAPI schema, in-process through the WSGI application.

Each run loads the schema the host serves (/api/schema/), generates up to MAX_EXAMPLES requests per operation
(valid and invalid ones) and checks every answer: no 5xx (`not_a_server_error`) and, for a documented status,
a body that matches the documented schema (`response_schema_conformance`: lists documented as paginated are
paginated, fields that may be null say so). Runs: the brand host (acme) anonymous, as the brand owner and as a
dealer buyer (token auth); the platform host anonymous and with a brand's token.

Isolation: the requests run inside the test's transaction, each in a savepoint rolled back after it (as if
every request were its own transaction that never committed), so the fuzzer's writes never reach another test
and one request cannot leave the transaction broken for the next.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tenant_apps.accounts.models import User
from tests.ordering.conftest import make_store

# Examples per operation and run: valid requests (positive) and requests that break the schema (negative).
# API_FUZZ_SCALE=10 multiplies them for a longer exploratory run (by hand, not in `make test`).
_SCALE = int(os.environ.get("API_FUZZ_SCALE", "1"))
EXAMPLES = {GenerationMode.POSITIVE: 3 * _SCALE, GenerationMode.NEGATIVE: 2 * _SCALE}
CHECKS = [not_a_server_error, response_schema_conformance]



@dataclass
class Tally:
    sent: int = 0
    operations: int = 0
    failures: list[str] = field(default_factory=list)


class _App:
    """Django's WSGI handler without closing the connection around each request (the test's transaction holds
    it), each request in a savepoint rolled back afterwards."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        sid = transaction.savepoint()
        try:
            return list(self.handler(environ, start_response))
        finally:
            transaction.savepoint_rollback(sid)
            connection.set_schema_to_public()


@pytest.fixture
def app(db):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _App()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema(app, host: str):
    """The schema the host serves (/api/schema/, asked for anonymously as a client first asks for it)."""
    return schemathesis.openapi.from_wsgi("/api/schema/", app, headers={"Host": host, "Accept": "application/json"})


def _draw(strategy, examples: int) -> list:
    """Up to `examples` cases of the strategy, derandomized: the same ones at every draw."""
    drawn = []

    @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def draw(case):
        drawn.append(case)

    draw()
    return drawn


def _cases(schema) -> dict[str, list[tuple[GenerationMode, list]]]:
    """The requests of a fuzz run, per operation ("METHOD /path") and generation mode: up to EXAMPLES[mode] cases
    of each, drawn once per host. Every identity that fuzzes the host sends these same cases (a draw for each
    identity drew the same ones, being derandomized; it took half the run's time)."""
    cases = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        negatable = any(len(part) for part in (operation.path_parameters, operation.query, operation.body))
        cases[label] = []
        for mode, examples in EXAMPLES.items():
            if mode == GenerationMode.NEGATIVE and not negatable:
                continue  # nothing to break: no parameter and no body
            try:
                cases[label].append((mode, _draw(operation.as_strategy(generation_mode=mode), examples)))
            except hypothesis.errors.Unsatisfiable:
                continue  # no invalid value exists for what the operation takes (e.g. one free-text parameter)
    return cases


def _fuzz(app, host: str, identity: str, headers: dict[str, str], cases) -> Tally:
    """Sends every case of the host as `identity`; the first failure of each operation and mode is reported."""
    tally = Tally()
    for label, by_mode in cases.items():
        tally.operations += 1
        for mode, drawn in by_mode:
            for case in drawn:
                tally.sent += 1
                try:
                    response = case.call(headers={"Host": host, **headers})
                    case.validate_response(response, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all failures, reported together
                    tally.failures.append(f"{host} {identity} {mode.value} {label}: {str(exc)[:2500]}\n"
                                          f"{case.as_curl_command(headers={'Host': host, **headers})}")
                    break
    return tally


@pytest.fixture
def tokens(tenant_a, in_tenant):
    """API tokens of acme's owner and of a dealer's buyer, with a priced catalog in stock to order from."""
    with in_tenant(tenant_a):
        store = make_store()
        owner = User.objects.get(email="owner@acme.test")
        return {"owner": Token.objects.create(user=owner).key, "buyer": Token.objects.create(user=store.buyer).key}


@pytest.mark.slow
def test_api_fuzz(app, tokens):
    started = time.perf_counter()
    runs = [
        ("acme.localhost", "anonymous", {}),
        ("acme.localhost", "owner", {"Authorization": f"Token {tokens['owner']}"}),
        ("acme.localhost", "dealer buyer", {"Authorization": f"Token {tokens['buyer']}"}),
        ("localhost", "anonymous", {}),
        ("localhost", "brand token", {"Authorization": f"Token {tokens['owner']}"}),
    ]
    sent, operations, failures, report = 0, 0, [], []
    served = {}  # host -> the cases drawn from its schema, loaded once: it is the same whoever sends the requests
    for host, identity, headers in runs:
        if host not in served:
            served[host] = _cases(_schema(app, host))
        tally = _fuzz(app, host, identity, headers, served[host])
        sent, operations, failures = sent + tally.sent, operations + tally.operations, failures + tally.failures
        report.append(f"{host} {identity}: {tally.operations} operations, {tally.sent} requests")
    report.append(f"total: {operations} operations, {sent} requests in {time.perf_counter() - started:.1f} s")
    print("\nAPI fuzz run\n" + "\n".join(report))  # noqa: T201 - the figures the issue note quotes
    assert failures == [], "\n\n".join(failures)
    assert operations > 250 and sent > 4 * operations  # the schema was read and every operation was exercised
