"""The finance read API: brand finance sees every account in scope, a dealer's finance clerk only its own."""

from tenant_apps.finance import services
from tenant_apps.finance.models import DealerAccount
from tests.conftest import host_client
from tests.factories import token_for


def _client(user):
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def _accounts(books):
    services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="prepay")
    services.top_up_record(actor=books.finance, dealer=books.one, amount="100", reference="T1")
    services.top_up_record(actor=books.finance, dealer=books.two, amount="200", reference="T2")
    services.credit_hold(actor=books.clerk, dealer=books.one, amount="30", currency="CNY", reference="SO-1")
    return DealerAccount.objects.get(dealer=books.one), DealerAccount.objects.get(dealer=books.two)


def test_brand_finance_sees_every_account_and_a_ledger_newest_first(books):
    one, two = _accounts(books)
    finance = _client(books.finance)
    listed = finance.get("/api/v1/finance/accounts/").json()["results"]
    assert {(row["dealer_code"], row["balance"]) for row in listed} >= {("fin-1", "70.00"), ("fin-2", "200.00")}
    ledger = finance.get(f"/api/v1/finance/accounts/{one.pk}/ledger/").json()["results"]
    assert [(row["kind"], row["amount"], row["balance_after"]) for row in ledger] == [
        ("order_charge", "-30.00", "70.00"), ("top_up", "100.00", "100.00")]


def test_a_dealers_clerk_sees_only_its_own_account(books):
    one, two = _accounts(books)
    clerk = _client(books.clerk)
    assert [row["id"] for row in clerk.get("/api/v1/finance/accounts/").json()["results"]] == [one.pk]
    assert clerk.get(f"/api/v1/finance/accounts/{one.pk}/ledger/").status_code == 200
    other = clerk.get(f"/api/v1/finance/accounts/{two.pk}/ledger/")
    assert other.status_code == 404 and other.json()["code"] == "account_not_found"
    assert clerk.get("/api/v1/finance/accounts/abc/ledger/").status_code == 404
    assert clerk.get("/api/v1/finance/accounts/99999999999999999999999/ledger/").status_code == 404


def test_a_buyer_without_finance_rights_is_refused(books):
    from tests.factories import UserFactory

    buyer = _client(UserFactory(email="fin-buyer@acme.test", role="dealer_buyer", dealer=books.one))
    assert buyer.get("/api/v1/finance/accounts/").status_code == 403
    assert host_client("acme.localhost").get("/api/v1/finance/accounts/").status_code == 401
