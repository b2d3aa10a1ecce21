"""Pages of rebates and invoices: the console's rebate rules and runs (add a rule, approve a run), the invoice
queue (issue through the fake provider, the PDF), the dealer's invoices page (tax details, asking for an invoice,
the rebate pool), and the API over HTTP; who may open what, and scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing_saas.fapiao_fake import FakeFapiaoProvider
from tenant_apps.finance.models import DealerTaxProfile, InvoiceRequest, RebateLine, RebateRule
from tenant_apps.finance.services_invoices import invoice_request_create, tax_profile_set
from tenant_apps.finance.services_rebates import rebate_credit, rebate_run_compute
from tests.factories import UserFactory
from tests.fulfillment.conftest import TenantClient, client_for

TENCENT = "9144030071526726XG"


@pytest.fixture
def provider(settings):
    with FakeFapiaoProvider() as fake:
        settings.FAPIAO_API_BASE = fake.url
        yield fake


def _session(user) -> TenantClient:
    return client_for(user, token=False)


def test_the_console_adds_a_rule_and_approves_a_run(books):
    finance = _session(books.finance)
    page = finance.get("/console/finance/rebates/")
    assert page.status_code == 200 and b'id="add"' in page.content
    added = finance.post("/console/finance/rebates/", {
        "name": "季度返利", "period": "quarter", "mode": "excess", "tiers": "1,000,000 2%\n500000 1",
        "active_from": "2025-01-01", "dealer_codes": "fin-1"})
    assert added.status_code == 302
    rule = RebateRule.objects.get()
    assert (rule.tiers, [d.code for d in rule.dealers.all()]) == (
        [{"threshold": "500000.00", "rate": "1.000"}, {"threshold": "1000000.00", "rate": "2.000"}], ["fin-1"])
    refused = finance.post("/console/finance/rebates/", {"name": "x", "period": "week", "mode": "whole",
                                                         "tiers": "abc", "active_from": "2025-01-01"})
    assert refused.status_code == 400 and RebateRule.objects.count() == 1

    run = rebate_run_compute(actor=None, rule=rule, period_start=date(2025, 1, 1))
    line = RebateLine.objects.create(run=run, dealer=books.one, basis="600000.00", rate="1", amount="1000.00")
    shown = finance.get(f"/console/finance/rebates/runs/{run.pk}/")
    assert shown.status_code == 200 and f'data-line="{line.pk}"'.encode() in shown.content
    assert finance.post(f"/console/finance/rebates/runs/{run.pk}/approve/").status_code == 302
    run.refresh_from_db()
    assert run.status == "approved"
    assert finance.get("/api/v1/finance/accounts/").status_code == 200

    analyst = _session(UserFactory(email="rb-analyst@acme.test", role="analyst"))
    assert analyst.get("/console/finance/rebates/").status_code == 403
    clerk = _session(books.clerk)
    assert clerk.get("/console/finance/rebates/").status_code == 403


def test_the_dealer_keeps_its_tax_details_and_asks_for_an_invoice(books):
    clerk = _session(books.clerk)
    rebate_credit(actor=None, dealer=books.one, amount="88.00", currency="CNY", reference="RB-P")
    page = clerk.get("/account/finance/invoices/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "返利池".encode() in page.content and "¥88.00".encode() in page.content
    bad = clerk.post("/account/finance/invoices/", {"form": "profile", "kind": "ordinary", "title": "一号",
                                                    "tax_id": "9144030071526726XH", "email": "a@b.test"})
    assert bad.status_code == 400 and DealerTaxProfile.objects.count() == 0
    saved = clerk.post("/account/finance/invoices/", {"form": "profile", "kind": "ordinary", "title": "一号",
                                                      "tax_id": TENCENT.lower(), "email": "a@b.test"})
    assert saved.status_code == 302 and DealerTaxProfile.objects.get().tax_id == TENCENT
    asked = clerk.post("/account/finance/invoices/", {"form": "invoice", "subject": "order", "reference": "SO-9",
                                                      "amount": "100.00"})
    assert asked.status_code == 302
    assert list(InvoiceRequest.objects.values_list("dealer_id", "reference", "amount")) == [
        (books.one.pk, "SO-9", Decimal("100.00"))]
    buyer = _session(UserFactory(email="rb-buyer@acme.test", role="dealer_buyer", dealer=books.one))
    assert buyer.get("/account/finance/invoices/").status_code == 403


def test_finance_issues_from_the_queue_and_the_dealer_downloads_the_pdf(books, provider, media_root,
                                                                         django_capture_on_commit_callbacks):
    other = UserFactory(email="two-clerk@acme.test", role="dealer_finance", dealer=books.two)
    tax_profile_set(actor=books.clerk, dealer=books.one, kind="ordinary", title="一号", tax_id=TENCENT,
                    email="a@b.test")
    invoice = invoice_request_create(actor=books.clerk, dealer=books.one, subject="order", reference="SO-9",
                                     amount="100.00")
    finance = _session(books.finance)
    assert f'data-invoice="{invoice.pk}"'.encode() in finance.get("/console/finance/invoices/").content
    with django_capture_on_commit_callbacks(execute=True):
        assert finance.post(f"/console/finance/invoices/{invoice.pk}/", {"action": "issue"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.number
    pdf = _session(books.clerk).get(f"/account/finance/invoices/{invoice.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # another dealer's clerk: it does not exist
    assert _session(other).get(f"/account/finance/invoices/{invoice.pk}/pdf/").status_code == 404
    assert client_for(other).get(f"/api/v1/finance/invoices/{invoice.pk}/").status_code == 404
    mine = client_for(books.clerk).get("/api/v1/finance/invoices/").json()["results"]
    assert [(row["number"], row["pdf_url"]) for row in mine] == [
        (invoice.number, f"/account/finance/invoices/{invoice.pk}/pdf/")]


def test_the_api_makes_a_rule_and_a_dealer_sets_its_tax_details(books):
    finance = client_for(books.finance)
    made = finance.post("/api/v1/finance/rebate-rules/", {
        "name": "年度返利", "period": "year", "mode": "whole", "active_from": "2026-01-01",
        "tiers": [{"threshold": "1000000.00", "rate": "2"}], "dealers": [books.one.pk]},
        content_type="application/json")
    assert made.status_code == 201, made.json()
    assert (made.json()["tiers"], made.json()["dealers"]) == ([{"threshold": "1000000.00", "rate": "2.000"}],
                                                              [books.one.pk])
    clerk = client_for(books.clerk)
    put = clerk.put(f"/api/v1/finance/dealers/{books.one.pk}/tax-profile/", {
        "kind": "special", "title": "一号", "tax_id": TENCENT, "email": "a@b.test"}, content_type="application/json")
    assert put.status_code == 400 and set(put.json()["fields"]) == {"address", "bank_account", "bank_name", "phone"}
    theirs = clerk.put(f"/api/v1/finance/dealers/{books.two.pk}/tax-profile/", {
        "kind": "ordinary", "title": "二号", "tax_id": TENCENT, "email": "a@b.test"}, content_type="application/json")
    assert theirs.status_code == 404
