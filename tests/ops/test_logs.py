"""Structured logs: one JSON object per line (LOG_FORMAT=json) with the tenant, the request id and the user id of
the request it was written for, and no personal data."""

import io
import json
import logging

import pytest

from dms.logcontext import ContextFilter, JsonLineFormatter
from tests.conftest import OWNERS
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def json_lines():
    """The lines the access logger writes, through the production filter and JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("dms.access")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_signed_in_request_logs_tenant_request_id_and_user_id_and_no_email(client_a, tenant_a, in_tenant,
                                                                            json_lines):
    from tenant_apps.accounts.models import User

    with in_tenant(tenant_a):
        owner = User.objects.get(email=OWNERS["acme"])
    assert client_a.post("/accounts/login/", {"username": OWNERS["acme"], "password": DEFAULT_PASSWORD}
                         ).status_code == 302
    response = client_a.get("/console/", HTTP_X_REQUEST_ID="req-abcdef-123456")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-abcdef-123456"  # echoed to the caller
    line = json_lines()[-1]
    assert {key: line[key] for key in ("level", "logger", "message", "tenant", "request_id", "user_id", "method",
                                       "status")} == {
        "level": "INFO", "logger": "dms.access", "message": "request", "tenant": "t_acme",
        "request_id": "req-abcdef-123456", "user_id": owner.pk, "method": "GET", "status": 200}
    assert line["view"].startswith("console:") and line["duration_ms"] > 0 and "time" in line
    assert OWNERS["acme"] not in json.dumps(line)


def test_an_anonymous_request_gets_a_request_id_made_for_it(client_a, json_lines):
    response = client_a.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id with spaces")
    made = response["X-Request-ID"]
    assert made != "bad id with spaces" and len(made) == 32
    line = json_lines()[-1]
    assert (line["request_id"], line["user_id"], line["tenant"]) == (made, "-", "t_acme")


def test_personal_fields_passed_in_extra_are_masked():
    record = logging.makeLogRecord({"msg": "invited", "email": "someone@example.com", "phone": "13800000000",
                                    "dealer_id": 7})
    ContextFilter().filter(record)
    line = json.loads(JsonLineFormatter().format(record))
    assert (line["email"], line["phone"], line["dealer_id"]) == ("[masked]", "[masked]", 7)
