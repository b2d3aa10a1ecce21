"""The bank API and pages: a dealer records its transfers (slip checked, own company only), brand finance imports
statements and matches lines; scope holds (another dealer's transfer is a 404)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenant_apps.finance.bank.matching import payment_code
from tenant_apps.finance.models import BankMatch, DealerAccount, LedgerEntry, Remittance, StatementImport
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, UserFactory, token_for
from tests.finance.bank_samples import GENERIC_CSV, sample

API = "/api/v1/finance"


def _client(user):
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def _browser(user):
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def _slip(data=None, name="slip.png", content_type="image/png"):
    return SimpleUploadedFile(name, _png() if data is None else data, content_type=content_type)


def _transfer(amount="1200.00", **extra):
    return {"amount": amount, "paid_on": "2026-12-01", "payer_name": "fin 一号经销商", "payer_bank": "工商银行",
            "remark": "DFIN-1", **extra}


@pytest.fixture
def people(books, in_tenant):
    with in_tenant(books.tenant):
        books.other_clerk = UserFactory(email="fin-clerk-2@acme.test", role="dealer_finance", dealer=books.two)
        books.clerk_api, books.other_api, books.finance_api = (
            _client(books.clerk), _client(books.other_clerk), _client(books.finance))
    return books


def test_a_dealer_records_a_transfer_with_a_slip_and_sees_only_its_own(people, in_tenant, media_root):
    made = people.clerk_api.post(f"{API}/remittances/", {**_transfer(), "slip": _slip()})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["dealer"], body["amount"], body["status"]) == (people.one.pk, "1200.00", "pending")
    assert body["slip_url"].startswith("/account/finance/transfers/")
    listed = people.clerk_api.get(f"{API}/remittances/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    # the other dealer's clerk: not in its list, a 404 by id, and no slip
    assert people.other_api.get(f"{API}/remittances/").json()["results"] == []
    assert people.other_api.get(f"{API}/remittances/{body['id']}/").status_code == 404
    assert _browser(people.other_clerk).get(body["slip_url"]).status_code == 404
    # its own dealer and brand finance see the slip, as an image (nosniff)
    for user in (people.clerk, people.finance):
        slip = _browser(user).get(body["slip_url"])
        assert (slip.status_code, slip["Content-Type"], slip["X-Content-Type-Options"]) == (
            200, "image/png", "nosniff")
    # never through the plain media route
    with in_tenant(people.tenant):
        stored = Remittance.objects.get().slip.name
    assert stored.startswith("bank_slips/") and not stored.endswith("slip.png")


@pytest.mark.parametrize("data, name, content_type", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "slip.png", "image/png"),
    (b"<html><script>alert(1)</script></html>", "slip.jpg", "image/jpeg"),
    (b"%PDF-1.4 not an image", "slip.pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n broken", "slip.png", "image/png"),
])
def test_a_hostile_slip_is_refused_with_a_field_error(people, in_tenant, media_root, data, name, content_type):
    refused = people.clerk_api.post(f"{API}/remittances/", {**_transfer(), "slip": _slip(data, name, content_type)})
    assert refused.status_code == 400, refused.json()
    assert set(refused.json()["fields"]) == {"slip"}
    with in_tenant(people.tenant):
        assert not Remittance.objects.exists()


def test_bad_transfer_input_is_a_400_with_field_errors(people, in_tenant):
    for body, field in [(_transfer(amount="-5"), "amount"), (_transfer(amount="1.234"), "amount"),
                        (_transfer(paid_on="2099-01-01"), "paid_on"), (_transfer(payer_name=""), "payer_name")]:
        refused = people.clerk_api.post(f"{API}/remittances/", body)
        assert refused.status_code == 400, (body, refused.json())
        assert set(refused.json()["fields"]) == {field}, refused.json()
    # brand finance has no company of its own to record for
    assert people.finance_api.post(f"{API}/remittances/", _transfer()).status_code == 403
    with in_tenant(people.tenant):
        assert not Remittance.objects.exists()


def test_finance_imports_a_statement_confirms_and_reverses(people, in_tenant):
    filename, data, _expected = sample("icbc")
    made = people.finance_api.post(f"{API}/bank-statements/",
                                   {"mapping": "icbc", "file": SimpleUploadedFile(filename, data)})
    assert made.status_code == 201, made.json()
    statement = made.json()
    assert (statement["lines_created"], statement["debits"]) == (1, 1)
    again = people.finance_api.post(f"{API}/bank-statements/",
                                    {"mapping": "icbc", "file": SimpleUploadedFile("again.csv", data)})
    assert (again.status_code, again.json()["code"]) == (409, "statement_already_imported")
    lines = people.finance_api.get(f"{API}/bank-statements/{statement['id']}/lines/").json()["results"]
    assert [(line["confidence"], line["suggested_dealer"], line["rule"]) for line in lines] == [
        ("high", people.one.pk, "payment_code")]
    line = lines[0]["id"]
    confirmed = people.finance_api.post(f"{API}/bank-lines/{line}/confirm/")
    assert confirmed.status_code == 201, confirmed.json()
    assert people.finance_api.post(f"{API}/bank-lines/{line}/confirm/").status_code == 409
    with in_tenant(people.tenant):
        assert DealerAccount.objects.get(dealer=people.one).balance == Decimal("1234.50")
    match = confirmed.json()["id"]
    assert people.finance_api.post(f"{API}/bank-matches/{match}/reverse/", {}).status_code == 400  # no reason
    reversed_ = people.finance_api.post(f"{API}/bank-matches/{match}/reverse/", {"reason": "付错"})
    assert (reversed_.status_code, reversed_.json()["active"]) == (200, False)
    with in_tenant(people.tenant):
        assert DealerAccount.objects.get(dealer=people.one).balance == Decimal("0.00")
    by_hand = people.finance_api.post(f"{API}/bank-lines/{line}/match/", {"dealer": people.two.pk})
    assert by_hand.status_code == 201, by_hand.json()
    with in_tenant(people.tenant):
        assert DealerAccount.objects.get(dealer=people.two).balance == Decimal("1234.50")
        assert BankMatch.objects.filter(reversal__isnull=True).count() == 1


def test_an_unreadable_statement_is_a_400_with_the_row_report_and_nothing_imported(people, in_tenant):
    bad = GENERIC_CSV.replace('"1,000.00"', "一千")
    refused = people.finance_api.post(f"{API}/bank-statements/",
                                      {"mapping": "generic", "file": SimpleUploadedFile("bad.csv", bad.encode())})
    assert refused.status_code == 400
    assert refused.json()["code"] == "statement_unreadable"
    assert refused.json()["errors"][0] == {"row": 2, "field": "credit",
                                           "message": "“一千” is not an amount (such as 1,234.50)."}
    unknown = people.finance_api.post(f"{API}/bank-statements/",
                                      {"mapping": "nope", "file": SimpleUploadedFile("a.csv", b"x")})
    assert unknown.status_code == 404
    with in_tenant(people.tenant):
        assert not StatementImport.objects.exists() and not LedgerEntry.objects.exists()


def test_dealers_cannot_import_statements_or_match(people, in_tenant):
    refused = people.clerk_api.post(f"{API}/bank-statements/",
                                    {"mapping": "generic", "file": SimpleUploadedFile("a.csv", GENERIC_CSV.encode())})
    assert refused.status_code == 403
    assert people.clerk_api.get(f"{API}/bank-mappings/").status_code == 403
    with in_tenant(people.tenant):
        assert not StatementImport.objects.exists()


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_transfer_page_shows_how_to_pay_and_records_a_transfer(people, in_tenant, media_root):
    with in_tenant(people.tenant):
        from tenant_apps.finance.bank import services
        services.bank_settings_update(actor=people.finance, account_name="测试品牌有限公司",
                                      bank_name="工商银行上海分行", account_number="1001 2345 0900 0012 345")
    browser = _browser(people.clerk)
    page = browser.get("/account/finance/transfers/")
    assert page.status_code == 200
    text = page.content.decode()
    assert payment_code(people.one) in text and "1001234509000012345" in text
    posted = browser.post("/account/finance/transfers/", {**_transfer(), "slip": _slip()})
    assert posted.status_code == 302
    bad = browser.post("/account/finance/transfers/", {**_transfer(), "slip": _slip(b"<svg/>", "x.png")})
    assert bad.status_code == 400 and "SVG" in bad.content.decode()
    with in_tenant(people.tenant):
        assert Remittance.objects.count() == 1
    assert _browser(people.finance).get("/account/finance/transfers/").status_code == 403


def test_the_console_imports_shows_suggestions_and_confirms(people, in_tenant):
    browser = _browser(people.finance)
    assert browser.get("/console/finance/bank/").status_code == 200
    filename, data, _expected = sample("boc")
    posted = browser.post("/console/finance/bank/", {"mapping": "boc", "file": SimpleUploadedFile(filename, data)})
    assert posted.status_code == 302, posted.content.decode()[:2000]
    page = browser.get(posted["Location"])
    assert page.status_code == 200 and "3000.00" in page.content.decode()
    with in_tenant(people.tenant):
        line = StatementImport.objects.get().lines.get()
    assert line.confidence == ""  # no remittance or order of that amount: nothing suggested
    matched = browser.post(f"/console/finance/bank/lines/{line.pk}/match/", {"dealer": people.one.code})
    assert matched.status_code == 302
    with in_tenant(people.tenant):
        assert DealerAccount.objects.get(dealer=people.one).balance == Decimal("3000.00")
    bad = browser.post("/console/finance/bank/", {"mapping": "boc", "file": SimpleUploadedFile("b.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 400 and "Nothing was imported" in bad.content.decode()
    for path in ("/console/finance/bank/mappings/", "/console/finance/bank/settings/",
                 "/console/finance/bank/mappings/new/"):
        assert browser.get(path).status_code == 200, path
    assert _browser(people.clerk).get("/console/finance/bank/").status_code == 403


def test_the_console_edits_a_mapping_and_refuses_a_bad_one(people, in_tenant):
    browser = _browser(people.finance)
    body = {"code": "hsbc", "name": "汇丰 HSBC", "encoding": "utf-8", "header_row": "2", "date_formats": "%d/%m/%Y",
            "credit_marks": "", "col_date": "Value Date", "col_credit": "Credit|Deposit", "col_payer_name": "Payer",
            "col_remark": "Narrative"}
    assert browser.post("/console/finance/bank/mappings/new/", body).status_code == 302
    bad = browser.post("/console/finance/bank/mappings/new/", {**body, "code": "other", "col_credit": ""})
    assert bad.status_code == 400 and "Name at least the date column" in bad.content.decode()
    csv = "HSBC statement\nValue Date,Credit,Payer,Narrative\n07/12/2026,\"2,500.00\",fin 一号经销商,DFIN-1\n"
    posted = browser.post("/console/finance/bank/",
                          {"mapping": "hsbc", "file": SimpleUploadedFile("h.csv", csv.encode())})
    assert posted.status_code == 302, posted.content.decode()[:3000]
    with in_tenant(people.tenant):
        line = StatementImport.objects.get().lines.get()
        assert (str(line.booked_on), line.amount, line.confidence) == ("2026-12-07", Decimal("2500.00"), "high")


def test_the_pages_speak_chinese(people):
    browser = _browser(people.finance)
    page = browser.get("/console/finance/bank/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "银行流水" in page and "待到账的汇款登记" in page
    page = _browser(people.clerk).get("/account/finance/transfers/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "银行转账付款" in page and "登记汇款" in page
