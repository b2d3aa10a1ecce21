"""Invoices (发票) to dealers: the tax details (the taxpayer ID's check character, a special invoice's extra
details), a request issued by the e-invoicing provider (the local fake on 127.0.0.1, over HTTP) with its number
and PDF stored, the provider down then the retry, a refusal, one open request per reference, and scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing_saas.fapiao_fake import FakeFapiaoProvider
from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance.errors import FinanceInvalid, InvoiceConflict, InvoiceNotFound, TaxProfileMissing
from tenant_apps.finance.models import DealerTaxProfile, InvoiceRequest
from tenant_apps.finance.selectors_invoices import invoice_get_for, invoices_for_reference
from tenant_apps.finance.services_invoices import (
    invoice_issue_run,
    invoice_request_cancel,
    invoice_request_create,
    invoice_request_issue,
    invoices_retry,
    tax_profile_set,
)

TENCENT = "9144030071526726XG"
PROFILE = {"kind": "ordinary", "title": "一号经销商有限公司", "tax_id": "9144 0300 7152 6726 xg",
           "email": "fapiao@one.test"}


@pytest.fixture
def provider(settings):
    with FakeFapiaoProvider(api_key="fake-key") as fake:
        settings.FAPIAO_API_BASE, settings.FAPIAO_API_KEY = fake.url, "fake-key"
        yield fake


def test_tax_details_are_checked(books):
    with pytest.raises(FinanceInvalid) as raised:
        tax_profile_set(actor=books.clerk, dealer=books.one, **(PROFILE | {"tax_id": "9144030071526726XH"}))
    assert "mistyped" in raised.value.fields["tax_id"][0]
    with pytest.raises(FinanceInvalid) as raised:
        tax_profile_set(actor=books.clerk, dealer=books.one, **(PROFILE | {"kind": "special", "email": "nope"}))
    assert sorted(raised.value.fields) == ["address", "bank_account", "bank_name", "email", "phone"]
    assert DealerTaxProfile.objects.count() == 0

    profile = tax_profile_set(actor=books.clerk, dealer=books.one, **PROFILE)
    assert (profile.tax_id, profile.title, profile.kind) == (TENCENT, "一号经销商有限公司", "ordinary")
    special = tax_profile_set(actor=books.finance, dealer=books.one, **(PROFILE | {
        "kind": "special", "bank_name": "招商银行上海分行", "bank_account": "6214 8321 0000 1234",
        "address": "上海市浦东新区世纪大道 1 号", "phone": "021-5555 0000"}))
    assert (special.pk, special.bank_account, special.bank_account_last4) == (profile.pk, "6214 8321 0000 1234",
                                                                              "1234")
    assert AuditEntry.objects.filter(action="finance.tax_profile.saved").count() == 2
    # the account is encrypted at rest, the audit shows only its last digits
    assert "6214" not in str(AuditEntry.objects.filter(action="finance.tax_profile.saved").last().after)


def test_a_request_needs_tax_details_and_is_one_per_reference(books):
    with pytest.raises(TaxProfileMissing):
        invoice_request_create(actor=books.clerk, dealer=books.one, subject="order", reference="SO-1",
                               amount="100.00")
    tax_profile_set(actor=books.clerk, dealer=books.one, **PROFILE)
    with pytest.raises(FinanceInvalid) as raised:
        invoice_request_create(actor=books.clerk, dealer=books.one, subject="statement", reference="SO-1",
                               amount="-1")
    assert sorted(raised.value.fields) == ["amount", "reference"]
    first = invoice_request_create(actor=books.clerk, dealer=books.one, subject="statement",
                                   reference="st-202611-001", amount="100.00")
    assert (first.reference, first.status, first.tax_id) == ("ST-202611-001", "requested", TENCENT)
    with pytest.raises(InvoiceConflict):
        invoice_request_create(actor=books.clerk, dealer=books.one, subject="statement",
                               reference="ST-202611-001", amount="100.00")
    invoice_request_cancel(actor=books.clerk, invoice=first)
    again = invoice_request_create(actor=books.clerk, dealer=books.one, subject="statement",
                                   reference="ST-202611-001", amount="90.00")
    assert InvoiceRequest.objects.count() == 2
    assert [invoice.pk for invoice in invoices_for_reference("ST-202611-001")] == [again.pk]


def _requested(books):
    tax_profile_set(actor=books.clerk, dealer=books.one, **PROFILE)
    return invoice_request_create(actor=books.clerk, dealer=books.one, subject="order", reference="SO-20261101-7",
                                  amount="1130.00")


def test_a_request_is_issued_by_the_provider_with_its_number_and_pdf(books, provider, media_root,
                                                                     django_capture_on_commit_callbacks):
    invoice = _requested(books)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_request_issue(actor=books.finance, invoice=invoice)  # the task runs (eager) after commit
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    assert len(invoice.number) == 20 and invoice.number == provider.issued[next(iter(provider.issued))]
    assert invoice.issued_at is not None
    with invoice.pdf.open("rb") as pdf:
        assert pdf.read().startswith(b"%PDF-")
    assert invoice.pdf.name.endswith(f"{invoice.number}.pdf")
    asked = provider.received[0]
    assert (asked["tax_id"], asked["title"], asked["amount"], asked["kind"]) == (TENCENT, "一号经销商有限公司",
                                                                               "1130.00", "ordinary")
    # issuing again is refused; the provider is not asked again
    with pytest.raises(InvoiceConflict):
        invoice_request_issue(actor=books.finance, invoice=invoice)
    assert len(provider.received) == 1
    assert [i.number for i in invoices_for_reference("SO-20261101-7", dealer=books.one)] == [invoice.number]
    assert list(AuditEntry.objects.filter(action__startswith="finance.invoice.").order_by("pk")
                .values_list("action", flat=True)) == ["finance.invoice.requested", "finance.invoice.issuing",
                                                       "finance.invoice.issued"]


def test_the_provider_down_then_the_retry(books, provider, media_root):
    invoice = _requested(books)
    provider.down = True
    invoice_request_issue(actor=books.finance, invoice=invoice)
    invoice = invoice_issue_run(invoice_id=invoice.pk)
    assert (invoice.status, invoice.retryable, invoice.attempts) == ("failed", True, 1)
    assert "could not issue now" in invoice.error
    # the periodic retry waits a while, then takes it up again
    assert invoices_retry() == 0
    provider.down = False
    later = timezone.now() + timedelta(minutes=6)
    assert invoices_retry(now=later) == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts) == ("issuing", 2)
    invoice = invoice_issue_run(invoice_id=invoice.pk)
    assert invoice.status == "issued" and invoice.number and invoice.pdf
    assert invoices_retry(now=later + timedelta(minutes=60)) == 0


def test_a_refusal_fails_until_finance_tries_again(books, provider, media_root):
    invoice = _requested(books)
    provider.refusing = "购买方税号不存在"
    invoice_request_issue(actor=books.finance, invoice=invoice)
    invoice = invoice_issue_run(invoice_id=invoice.pk)
    assert (invoice.status, invoice.retryable, invoice.error) == ("failed", False, "购买方税号不存在")
    assert invoices_retry(now=timezone.now() + timedelta(hours=1)) == 0  # not retried by itself
    provider.refusing = ""
    retried = invoice_request_issue(actor=books.finance, invoice=invoice)
    assert (retried.status, retried.error) == ("issuing", "")
    assert invoice_issue_run(invoice_id=invoice.pk).status == "issued"


def test_an_invoice_outside_the_scope_does_not_exist(books):
    tax_profile_set(actor=books.finance, dealer=books.two, **PROFILE)
    theirs = invoice_request_create(actor=books.finance, dealer=books.two, subject="order", reference="SO-2",
                                    amount="10.00")
    with pytest.raises(InvoiceNotFound):
        invoice_get_for(actor=books.clerk, invoice_id=theirs.pk)
    with pytest.raises(InvoiceNotFound):
        invoice_get_for(actor=books.clerk, invoice_id="1 OR 1=1")
    assert invoice_get_for(actor=books.finance, invoice_id=theirs.pk) == theirs
    assert Decimal(theirs.amount) == Decimal("10.00")
