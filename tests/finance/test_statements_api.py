"""Statements through the API and the pages: scope (another dealer's statement does not exist), the dealer
confirms or disputes, finance answers and issues a period, downloads; the pages in both languages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import Client

from tenant_apps.finance import services
from tenant_apps.finance.models import Statement, StatementStatus
from tenant_apps.finance.services_statements import statements_generate
from tests.factories import UserFactory, token_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
API = "/api/v1/finance/statements/"


class TenantClient(Client):
    """Tenant A's host; puts the connection back on the test's schema after each request."""

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


def api(user) -> TenantClient:
    return TenantClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en",
                        HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def browser(user, language="en") -> TenantClient:
    client = TenantClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _issued(books) -> tuple[Statement, Statement]:
    with time_machine.travel(datetime(2026, 11, 5, 10, tzinfo=SHANGHAI), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="100.00", reference="BANK-1")
        services.top_up_record(actor=books.finance, dealer=books.two, amount="200.00", reference="BANK-2")
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), tick=False):
        statements_generate(actor=None)
    return Statement.objects.get(dealer=books.one), Statement.objects.get(dealer=books.two)


def test_a_dealers_clerk_sees_its_own_statement_and_another_dealers_does_not_exist(books):
    own, other = _issued(books)
    clerk = api(books.clerk)
    assert [row["number"] for row in clerk.get(API).json()["results"]] == ["ST-202611-fin-1"]
    detail = clerk.get(f"{API}{own.pk}/").json()
    assert (detail["opening"], detail["closing"], [line["amount"] for line in detail["lines"]]) == (
        "0.00", "100.00", ["100.00"])
    for path in (f"{API}{other.pk}/", f"{API}{other.pk}/pdf/", f"{API}{other.pk}/xlsx/", f"{API}abc/"):
        response = clerk.get(path)
        assert response.status_code == 404, path
    refused = clerk.post(f"{API}{other.pk}/confirm/")
    assert refused.status_code == 404 and refused.json()["code"] == "statement_not_found"
    other.refresh_from_db()
    assert other.status == StatementStatus.ISSUED
    finance = api(books.finance)
    assert {row["number"] for row in finance.get(API).json()["results"]} == {"ST-202611-fin-1", "ST-202611-fin-2"}
    pdf = clerk.get(f"{API}{own.pk}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert clerk.get(f"{API}{own.pk}/xlsx/").content[:2] == b"PK"


def test_dispute_answer_and_confirm_through_the_api(books):
    own, _ = _issued(books)
    clerk, finance = api(books.clerk), api(books.finance)
    line = own.lines.get()
    bad = clerk.post(f"{API}{own.pk}/dispute/", {"lines": [line.pk], "comment": " "},
                     content_type="application/json")
    assert bad.status_code == 400
    disputed = clerk.post(f"{API}{own.pk}/dispute/", {"lines": [line.pk], "comment": "少了一笔"},
                          content_type="application/json")
    assert disputed.status_code == 201
    dispute_id = disputed.json()[0]["id"]
    assert clerk.post(f"{API}{own.pk}/confirm/").status_code == 409
    assert clerk.post(f"{API}{own.pk}/resolve/", {"dispute": dispute_id, "reply": "x"},
                      content_type="application/json").status_code == 403
    waiting = finance.get(f"{API}?status=disputed").json()["results"]
    assert [(row["number"], row["open_disputes"]) for row in waiting] == [("ST-202611-fin-1", 1)]
    answered = finance.post(f"{API}{own.pk}/resolve/", {"dispute": dispute_id, "reply": "已补记",
                                                        "adjustment_amount": "7.00"}, content_type="application/json")
    assert answered.status_code == 200 and answered.json()["adjustment"] is not None
    assert finance.post(f"{API}{own.pk}/resolve/", {"dispute": dispute_id, "reply": "again"},
                        content_type="application/json").status_code == 409
    confirmed = clerk.post(f"{API}{own.pk}/confirm/")
    assert (confirmed.status_code, confirmed.json()["status"], confirmed.json()["issue_count"]) == (
        200, "confirmed", 2)


def test_finance_issues_a_period_now_and_again_changes_nothing(books):
    with time_machine.travel(datetime(2026, 10, 5, 10, tzinfo=SHANGHAI), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="10.00", reference="B")
    finance = api(books.finance)
    first = finance.post(f"{API}generate/", {"period": "2026-10"}, content_type="application/json").json()
    assert ([row["number"] for row in first["created"]], first["skipped"]) == (["ST-202610-fin-1"], 0)
    again = finance.post(f"{API}generate/", {"period": "2026-10"}, content_type="application/json").json()
    assert (again["created"], again["skipped"]) == ([], 1)
    late = finance.post(f"{API}generate/", {"period": "2099-01"}, content_type="application/json")
    assert late.status_code == 400 and "period" in late.json()["fields"]
    assert api(books.clerk).post(f"{API}generate/", {"period": "2026-10"},
                                 content_type="application/json").status_code == 403


def test_the_dealers_pages_list_show_confirm_and_dispute(books):
    own, other = _issued(books)
    clerk = browser(books.clerk, "zh-hans")
    listed = clerk.get("/account/finance/statements/")
    assert listed.status_code == 200 and "ST-202611-fin-1" in listed.content.decode()
    assert "ST-202611-fin-2" not in listed.content.decode()
    page = clerk.get(f"/account/finance/statements/{own.pk}/")
    assert page.status_code == 200
    assert clerk.get(f"/account/finance/statements/{other.pk}/").status_code == 404
    assert clerk.get(f"/account/finance/statements/{own.pk}/pdf/")["Content-Type"] == "application/pdf"
    line = own.lines.get()
    clerk.post(f"/account/finance/statements/{own.pk}/dispute/", {"line": [line.pk], "comment": "不对"})
    own.refresh_from_db()
    assert own.status == StatementStatus.DISPUTED
    buyer = browser(UserFactory(email="fin-buyer@acme.test", role="dealer_buyer", dealer=books.one))
    assert buyer.get("/account/finance/statements/").status_code == 403


def test_the_console_lists_waiting_disputes_answers_and_issues(books):
    own, _ = _issued(books)
    with time_machine.travel(datetime(2026, 12, 2, tzinfo=SHANGHAI), tick=False):
        from tenant_apps.finance.services_statements import statement_dispute

        dispute = statement_dispute(actor=books.clerk, statement=own, line_ids=[own.lines.get().pk],
                                    comment="金额有误")[0]
    finance = browser(books.finance)
    waiting = finance.get("/console/finance/statements/?status=waiting").content.decode()
    assert "ST-202611-fin-1" in waiting and "ST-202611-fin-2" not in waiting
    page = finance.get(f"/console/finance/statements/{own.pk}/")
    assert page.status_code == 200 and "金额有误" in page.content.decode()
    answered = finance.post(f"/console/finance/statements/{own.pk}/resolve/",
                            {"dispute": dispute.pk, "reply": "已核对"})
    assert answered.status_code == 302
    own.refresh_from_db()
    assert own.status == StatementStatus.ISSUED
    issued = finance.post("/console/finance/statements/generate/", {"period": "2026-11"})
    assert issued.status_code == 302
    zh = browser(books.finance, "zh-hans").get("/console/finance/statements/")
    assert zh.status_code == 200
    assert browser(books.clerk).get("/console/finance/statements/").status_code in (302, 403, 404)
