"""The supplier's receivables as its people use them (/supplier/receivables/ and /api/v1/supplier/receivables/): what
the sub-dealer owes for the order it placed with the agent, a payment received from it, the credit and terms the
agent gives it; bad input is a 400 with field errors and writes nothing; the sub-dealer's own finance page shows what
it owes the agent apart from its account with the brand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.finance.models import DealerAccount, LedgerEntry, SupplierTerms
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import host_client
from tests.factories.suppliers import chain as make_chain
from tests.ordering.conftest import store  # noqa: F401 - the ordering fixture
from tests.ordering.test_pages import signed_in

HOST = "acme.localhost"


@pytest.fixture
def chain(store, in_tenant):  # noqa: F811
    with in_tenant(store.tenant):
        made = make_chain(store, store.tenant)
        made.order = order_submit(actor=made.js.sub_buyer, dealer=made.js.sub,
                                  lines=[SubmitLine(store.sku.pk, None, 10)]).order  # 55.00
        made.token = Token.objects.create(user=made.js.owner).key
        yield made


def _owed(dealer, node) -> str:
    return str(DealerAccount.objects.get(dealer=dealer, creditor=node).credit_used)


def test_the_agent_sees_what_its_sub_dealer_owes_and_records_a_payment(chain, in_tenant):
    js = chain.js
    owner = signed_in(js.owner)
    listing = owner.get("/supplier/receivables/").content.decode()
    assert js.sub.code in listing and "55.00" in listing and "Cash on delivery" in listing
    url = f"/supplier/receivables/{js.sub.pk}/"
    page = owner.get(url).content.decode()
    assert chain.order.number in page and 'value="payment"' in page
    assert owner.post(url, {"action": "payment", "amount": "20.00", "method": "bank_transfer",
                            "reference": chain.order.number}).status_code == 302
    with in_tenant(chain.store.tenant):
        assert _owed(js.sub, js.node) == "35.00"
        entry = LedgerEntry.objects.get(dealer=js.sub, kind="payment")
        assert (entry.creditor_id, entry.reference, entry.actor_id) == (js.node.pk, chain.order.number, js.owner.pk)
    assert "35.00" in owner.get(url).content.decode()


def test_a_bad_payment_is_a_400_with_the_fields_and_writes_nothing(chain, in_tenant):
    js = chain.js
    owner = signed_in(js.owner)
    url = f"/supplier/receivables/{js.sub.pk}/"
    answer = owner.post(url, {"action": "payment", "amount": "-5", "method": "bank_transfer"})
    assert answer.status_code == 400 and 'id="record-payment"' in answer.content.decode()
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {chain.token}")
    answer = api.post(f"/api/v1/supplier/receivables/{js.sub.pk}/payments/", {"amount": "0", "method": "cheque"},
                      content_type="application/json")
    assert answer.status_code == 400 and set(answer.json()["fields"]) == {"method"}
    answer = api.post(f"/api/v1/supplier/receivables/{js.sub.pk}/payments/", {"amount": "0", "method": "cash"},
                      content_type="application/json")
    assert answer.status_code == 400 and set(answer.json()["fields"]) == {"amount"}
    with in_tenant(chain.store.tenant):
        assert _owed(js.sub, js.node) == "55.00"
        assert not LedgerEntry.objects.filter(kind="payment").exists()


def test_the_agent_sets_credit_and_terms_over_the_api_and_a_payment_is_idempotent(chain, in_tenant):
    js = chain.js
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {chain.token}")
    url = f"/api/v1/supplier/receivables/{js.sub.pk}/"
    answer = api.post(url + "terms/", {"mode": "credit", "credit_limit": "100.00", "terms_days": 15},
                      content_type="application/json")
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("mode", "credit_limit", "credit_used", "available", "terms_days")} == {
        "mode": "credit", "credit_limit": "100.00", "credit_used": "55.00", "available": "45.00", "terms_days": 15}
    for _ in range(2):
        paid = api.post(url + "payments/", {"amount": "5.00", "method": "cash"}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="cash-1")
        assert (paid.status_code, paid.json()["credit_used_after"]) == (201, "50.00")
    [item] = api.get(url).json()["items"]
    assert (item["reference"], item["open"]) == (chain.order.number, "50.00")
    with in_tenant(chain.store.tenant):
        terms = SupplierTerms.objects.get(dealer=js.sub)
        assert (terms.creditor_id, terms.credit_limit, terms.terms_days) == (js.node.pk, D("100.00"), 15)
        assert LedgerEntry.objects.filter(kind="payment").count() == 1


def test_the_agents_buyer_reads_but_records_nothing(chain):
    js = chain.js
    buyer = signed_in(js.buyer)
    url = f"/supplier/receivables/{js.sub.pk}/"
    page = buyer.get(url)
    assert page.status_code == 200 and 'value="payment"' not in page.content.decode()
    assert buyer.post(url, {"action": "payment", "amount": "1.00", "method": "cash"}).status_code == 403
    assert buyer.post(url, {"action": "terms", "mode": "credit", "credit_limit": "9"}).status_code == 403


def test_the_sub_dealers_finance_page_shows_what_it_owes_the_agent_apart_from_the_brand(chain, in_tenant):
    js = chain.js
    with in_tenant(chain.store.tenant):
        from tests.factories import UserFactory

        owner = UserFactory(email="owner@js-sub.test", role="dealer_owner", dealer=js.sub, full_name="")
    page = signed_in(owner).get("/account/finance/").content.decode()
    assert 'id="owed-to-supplier"' in page and "江苏省代" in page
    owed = page.split('id="supplier-owed">', 1)[1].split("<", 1)[0]
    assert "55.00" in owed
    brand = page.split('id="account-CNY"', 1)[1].split("</section>", 1)[0]  # its account with the brand: nothing
    assert "55.00" not in brand and "0.00" in brand
    assert chain.order.number not in page.split('id="recent"', 1)[1]  # nor in the brand's ledger
