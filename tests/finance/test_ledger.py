"""The dealer's account and its ledger: top-ups, holds and releases by settlement mode, adjustments with a second
person above the threshold, bad input refused with field errors, the account always the sum of its ledger."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance import selectors, services
from tenant_apps.finance.errors import CreditShort, FinanceInvalid, SecondPersonRequired
from tenant_apps.finance.models import DealerAccount, LedgerEntry

D = Decimal


def _account(dealer, currency="CNY"):
    return DealerAccount.objects.get(dealer=dealer, currency=currency)


def test_a_top_up_raises_the_balance_with_one_ledger_row_and_one_audit_entry(books):
    entry = services.top_up_record(actor=books.finance, dealer=books.one, amount="1000.00", reference="BANK-1",
                                   reason="wire")
    assert (entry.kind, entry.amount, entry.balance_after, entry.actor_label) == (
        "top_up", D("1000.00"), D("1000.00"), books.finance.email)
    assert _account(books.one).balance == D("1000.00")
    assert AuditEntry.objects.filter(action="finance.ledger.top_up", dealer_id=books.one.pk).count() == 1
    assert selectors.ledger_mismatches() == []


def test_the_ledger_refuses_to_be_changed_or_deleted(books):
    entry = services.top_up_record(actor=books.finance, dealer=books.one, amount="10", reference="x")
    entry.amount = D("99")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("99"))
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("10.00")


def test_prepay_holds_from_the_balance_and_refuses_beyond_it(books):
    services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="prepay")
    services.top_up_record(actor=books.finance, dealer=books.one, amount="100", reference="T1")
    services.credit_hold(actor=books.clerk, dealer=books.one, amount="60", currency="CNY", reference="SO-1")
    with pytest.raises(CreditShort) as short:
        services.credit_hold(actor=books.clerk, dealer=books.one, amount="50", currency="CNY", reference="SO-2")
    assert short.value.status == 409
    assert "40.00 CNY available, 50.00 CNY needed" in str(short.value.detail)
    assert short.value.as_dict()["available"] == "40.00"
    services.credit_release(actor=books.finance, dealer=books.one, amount="60", currency="CNY", reference="SO-1")
    assert (_account(books.one).balance, _account(books.one).credit_used) == (D("100.00"), D("0.00"))
    with pytest.raises(FinanceInvalid):  # nothing more is held for SO-1
        services.credit_release(actor=books.finance, dealer=books.one, amount="1", currency="CNY", reference="SO-1")
    assert selectors.ledger_mismatches() == []


def test_mixed_takes_the_balance_first_then_credit_and_releases_credit_first(books):
    services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="mixed", credit_limit="500")
    services.top_up_record(actor=books.finance, dealer=books.one, amount="100", reference="T1")
    entry = services.credit_hold(actor=books.clerk, dealer=books.one, amount="250", currency="CNY", reference="SO-1")
    assert (entry.balance_delta, entry.credit_delta, entry.amount) == (D("-100.00"), D("150.00"), D("-250.00"))
    with pytest.raises(CreditShort):
        services.credit_hold(actor=books.clerk, dealer=books.one, amount="350.01", currency="CNY", reference="SO-2")
    services.credit_release(actor=books.finance, dealer=books.one, amount="200", currency="CNY", reference="SO-1")
    account = _account(books.one)
    assert (account.balance, account.credit_used) == (D("50.00"), D("0.00"))
    assert selectors.ledger_mismatches() == []


def test_credit_uses_the_limit_and_cod_is_never_refused(books):
    services.finance_settings_update(actor=books.finance, settlement_mode="credit", credit_limit="300")
    assert services.settlement_for(books.two).mode == "credit"
    services.credit_hold(actor=books.clerk, dealer=books.one, amount="300", currency="CNY", reference="SO-1")
    with pytest.raises(CreditShort):
        services.credit_hold(actor=books.clerk, dealer=books.one, amount="0.01", currency="CNY", reference="SO-2")
    services.dealer_settlement_set(actor=books.finance, dealer=books.two, mode="cod")
    services.credit_hold(actor=books.clerk, dealer=books.two, amount="100000", currency="CNY", reference="SO-3")
    assert _account(books.two).credit_used == D("100000.00")
    assert services.settlement_for(books.one).credit_limit == D("300.00")


def test_an_adjustment_above_the_threshold_waits_for_a_second_person(books):
    services.finance_settings_update(actor=books.finance, adjustment_threshold="1000")
    small = services.adjustment_request(actor=books.finance, dealer=books.one, amount="-200", reason="运费补差")
    assert small.status == "applied" and _account(books.one).balance == D("-200.00")
    big = services.adjustment_request(actor=books.finance, dealer=books.one, amount="5000", reason="返利补录")
    assert big.status == "pending" and _account(books.one).balance == D("-200.00")
    with pytest.raises(SecondPersonRequired):
        services.adjustment_approve(actor=books.finance, adjustment=big)
    assert _account(books.one).balance == D("-200.00")
    approved = services.adjustment_approve(actor=books.controller, adjustment=big)
    assert (approved.status, approved.approved_by, approved.entry.amount) == ("applied", books.controller, D("5000"))
    assert _account(books.one).balance == D("4800.00")
    assert AuditEntry.objects.filter(action="finance.adjustment.approved").count() == 1
    assert selectors.ledger_mismatches() == []


@pytest.mark.parametrize("amount", [0, -5, "1.001", "1e20", "NaN", "Infinity", "abc", 1.5, True, None, "",
                                    "1000000000000"])
def test_bad_amounts_are_refused_with_a_field_error(books, amount):
    with pytest.raises(FinanceInvalid) as bad:
        services.top_up_record(actor=books.finance, dealer=books.one, amount=amount, reference="x")
    assert bad.value.status == 400 and "amount" in bad.value.fields
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("currency", ["cny", "XYZ", "", "CNYY", None])
def test_a_wrong_currency_is_refused_with_a_field_error(books, currency):
    with pytest.raises(FinanceInvalid) as bad:
        services.credit_hold(actor=books.clerk, dealer=books.one, amount="1", currency=currency, reference="x")
    assert "currency" in bad.value.fields


def test_an_adjustment_needs_a_reason_and_a_non_zero_amount(books):
    with pytest.raises(FinanceInvalid) as bad:
        services.adjustment_request(actor=books.finance, dealer=books.one, amount="5", reason=" ")
    assert "reason" in bad.value.fields
    with pytest.raises(FinanceInvalid) as bad:
        services.adjustment_request(actor=books.finance, dealer=books.one, amount="0", reason="x")
    assert "amount" in bad.value.fields


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["top_up", "hold", "release", "adjust", "mode"]),
              st.decimals(min_value=D("0.01"), max_value=D("500"), places=2), st.booleans()),
    min_size=1, max_size=30,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_accounts_always_equal_the_sum_of_their_ledger(books, operations):
    modes = iter(["prepay", "credit", "mixed", "cod"] * 10)
    for name, amount, first in operations:
        dealer = books.one if first else books.two
        try:
            if name == "top_up":
                services.top_up_record(actor=books.finance, dealer=dealer, amount=amount, reference="h")
            elif name == "hold":
                services.credit_hold(actor=books.clerk, dealer=dealer, amount=amount, currency="CNY", reference="h")
            elif name == "release":
                services.credit_release(actor=books.finance, dealer=dealer, amount=amount, currency="CNY",
                                        reference="h")
            elif name == "adjust":
                services.adjustment_request(actor=books.finance, dealer=dealer, amount=-amount, reason="h")
            else:
                services.dealer_settlement_set(actor=books.finance, dealer=dealer, mode=next(modes),
                                               credit_limit=amount)
        except (CreditShort, FinanceInvalid):
            pass
        assert selectors.ledger_mismatches() == []
        for account in DealerAccount.objects.all():
            assert account.credit_used >= 0
    call_command("finance_check", tenant="acme")  # raises CommandError on any mismatch


def test_what_an_order_owes_counts_payments_their_reversals_and_refunds(books):
    from tenant_apps.finance.payments.services import amount_owed

    services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="credit", credit_limit="500")
    services.credit_hold(actor=books.clerk, dealer=books.one, amount="100", currency="CNY", reference="SO-9")
    owed = lambda: amount_owed(dealer=books.one, reference="SO-9", currency="CNY")  # noqa: E731
    assert owed() == D("100.00")
    payment = services.payment_record(actor=books.finance, dealer=books.one, amount="100", currency="CNY",
                                      reference="SO-9")
    assert owed() == D("0.00")
    services.payment_reverse(actor=books.finance, entry=payment, reason="bounced")  # the transfer came back
    assert owed() == D("100.00")
    assert [row["owed"] for row in selectors.owed_by_reference(LedgerEntry.objects.all())] == [D("100.00")]
