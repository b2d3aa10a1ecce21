"""The finance write API: top-ups, adjustments and their approval, the brand's settlement defaults and a dealer's
override. Brand finance only (finance.edit); a dealer outside the actor's scope does not exist (404)."""

from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance.models import Adjustment, DealerAccount, DealerSettlement, LedgerEntry
from tests.conftest import host_client
from tests.factories import UserFactory, token_for

API = "/api/v1/finance"


def _client(user):
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def _post(client, path, body):
    return client.post(f"{API}/{path}", body, content_type="application/json")


def _put(client, path, body):
    return client.put(f"{API}/{path}", body, content_type="application/json")


def test_finance_records_a_top_up_and_the_balance_goes_up(books, in_tenant):
    with in_tenant(books.tenant):
        finance = _client(books.finance)
    made = _post(finance, "top-ups/", {"dealer": books.one.pk, "amount": "1500.50", "reference": "BANK-7",
                                       "reason": "工行转账"})
    assert made.status_code == 201, made.json()
    assert (made.json()["kind"], made.json()["amount"], made.json()["balance_after"], made.json()["currency"]) == (
        "top_up", "1500.50", "1500.50", "CNY")
    with in_tenant(books.tenant):
        assert DealerAccount.objects.get(dealer=books.one).balance == 1500.50
    with in_tenant(books.tenant):
        assert AuditEntry.objects.filter(action="finance.ledger.top_up").count() == 1


def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(books, in_tenant):
    with in_tenant(books.tenant):
        finance = _client(books.finance)
    for body, field in [({"dealer": books.one.pk, "amount": "-1"}, "amount"),
                        ({"dealer": books.one.pk, "amount": "1.234"}, "amount"),
                        ({"dealer": books.one.pk, "amount": "abc"}, "amount"),
                        ({"dealer": "x", "amount": "1"}, "dealer"),
                        ({"dealer": books.one.pk, "amount": "1", "currency": "XYZ"}, "currency")]:
        refused = _post(finance, "top-ups/", body)
        assert refused.status_code == 400, (body, refused.json())
        assert set(refused.json()["fields"]) == {field}, refused.json()
    refused = _post(finance, "adjustments/", {"dealer": books.one.pk, "amount": "0", "reason": "x"})
    assert (refused.status_code, set(refused.json()["fields"])) == (400, {"amount"})
    refused = _post(finance, "adjustments/", {"dealer": books.one.pk, "amount": "5"})
    assert (refused.status_code, set(refused.json()["fields"])) == (400, {"reason"})
    refused = _put(finance, "settings/", {"settlement_mode": "barter", "terms_days": 900})
    assert (refused.status_code, set(refused.json()["fields"])) == (400, {"settlement_mode", "terms_days"})
    refused = _put(finance, f"dealers/{books.one.pk}/settlement/", {"credit_limit": "-1"})
    assert (refused.status_code, set(refused.json()["fields"])) == (400, {"credit_limit"})
    with in_tenant(books.tenant):
        assert not LedgerEntry.objects.exists() and not Adjustment.objects.exists()
    with in_tenant(books.tenant):
        assert not DealerSettlement.objects.exists()


def test_a_dealer_unknown_or_outside_the_scope_is_a_404(books, in_tenant):
    with in_tenant(books.tenant):
        finance = _client(books.finance)
    missing = _post(finance, "top-ups/", {"dealer": 987654321, "amount": "10"})
    assert (missing.status_code, missing.json()["code"]) == (404, "dealer_not_found")
    assert finance.get(f"{API}/dealers/987654321/settlement/").status_code == 404
    assert finance.get(f"{API}/dealers/99999999999999999999999/settlement/").status_code == 404
    assert _post(finance, "adjustments/987654321/approve/", {}).status_code == 404
    with in_tenant(books.tenant):
        assert not LedgerEntry.objects.exists()


def test_people_without_finance_edit_are_refused(books, in_tenant):
    """A dealer's finance clerk, and a regional manager (no finance.edit in the matrix: 403 before any look-up
    of the dealer, in their region or not)."""
    with in_tenant(books.tenant):
        manager = UserFactory(email="fin-rm@acme.test", role="regional_manager")
        clients = [_client(user) for user in (books.clerk, manager)]
    for client in clients:
        assert _post(client, "top-ups/", {"dealer": books.one.pk, "amount": "10"}).status_code == 403
        assert _post(client, "adjustments/", {"dealer": books.one.pk, "amount": "10",
                                              "reason": "x"}).status_code == 403
        assert client.get(f"{API}/adjustments/").status_code == 403
        assert _put(client, "settings/", {"terms_days": 10}).status_code == 403
        assert _put(client, f"dealers/{books.one.pk}/settlement/", {"mode": "credit"}).status_code == 403
        assert client.get(f"{API}/settings/").status_code == 403
    with in_tenant(books.tenant):
        assert not LedgerEntry.objects.exists() and not DealerSettlement.objects.exists()


def test_a_large_adjustment_waits_for_a_second_person(books, in_tenant):
    with in_tenant(books.tenant):
        finance, controller = _client(books.finance), _client(books.controller)
    small = _post(finance, "adjustments/", {"dealer": books.one.pk, "amount": "-20.00", "reason": "运费差额"})
    assert (small.status_code, small.json()["status"], small.json()["amount"]) == (201, "applied", "-20.00")
    large = _post(finance, "adjustments/", {"dealer": books.one.pk, "amount": "20000.00", "reason": "返利补发"})
    assert (large.status_code, large.json()["status"], large.json()["entry"]) == (201, "pending", None)
    pending = finance.get(f"{API}/adjustments/", {"status": "pending"}).json()["results"]
    assert [row["id"] for row in pending] == [large.json()["id"]]
    own = _post(finance, f"adjustments/{large.json()['id']}/approve/", {})
    assert (own.status_code, own.json()["code"]) == (409, "second_person_required")
    approved = _post(controller, f"adjustments/{large.json()['id']}/approve/", {})
    assert (approved.status_code, approved.json()["status"]) == (200, "applied")
    assert approved.json()["approved_by"] == books.controller.pk
    again = _post(controller, f"adjustments/{large.json()['id']}/approve/", {})
    assert (again.status_code, again.json()["code"]) == (409, "adjustment_not_pending")
    with in_tenant(books.tenant):
        assert DealerAccount.objects.get(dealer=books.one).balance == 19980
    assert finance.get(f"{API}/adjustments/", {"status": "pending"}).json()["count"] == 0


def test_brand_defaults_and_a_dealers_override(books, in_tenant):
    with in_tenant(books.tenant):
        finance = _client(books.finance)
    assert finance.get(f"{API}/settings/").json()["settlement_mode"] == "cod"  # owed, never refused, until set
    changed = _put(finance, "settings/", {"settlement_mode": "credit", "credit_limit": "50000.00",
                                          "terms_days": 60})
    assert changed.status_code == 200, changed.json()
    assert finance.get(f"{API}/settings/").json() == {
        "settlement_mode": "credit", "credit_limit": "50000.00", "terms_days": 60, "overdue_block_days": 30,
        "adjustment_threshold": "10000.00"}
    path = f"dealers/{books.one.pk}/settlement/"
    before = finance.get(f"{API}/{path}").json()
    assert (before["mode"], before["credit_limit"], before["effective"]["mode"],
            before["effective"]["credit_limit"]) == ("", None, "credit", "50000.00")
    set_ = _put(finance, path, {"mode": "mixed", "credit_limit": "8000.00"})
    assert set_.status_code == 200, set_.json()
    assert set_.json()["effective"] == {"mode": "mixed", "credit_limit": "8000.00", "terms_days": 60,
                                        "currency": "CNY"}
    cleared = _put(finance, path, {}).json()
    assert (cleared["mode"], cleared["credit_limit"], cleared["effective"]["mode"]) == ("", None, "credit")
    with in_tenant(books.tenant):
        assert AuditEntry.objects.filter(action="finance.settlement.set").count() == 2
