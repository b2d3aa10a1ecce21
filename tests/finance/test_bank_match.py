"""Matching statement lines: the rules and their confidence, confirming (the payment is posted with the match,
once), matching by hand, marking a line not ours, reversing exactly, and a constant number of queries."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers.models import Dealer, Node
from tenant_apps.finance import selectors as finance_selectors
from tenant_apps.finance import services as finance
from tenant_apps.finance.bank import services
from tenant_apps.finance.bank.matching import name_key, payment_code
from tenant_apps.finance.errors import BankLineNotOpen, BankMatchReversed, PaymentAlreadyReversed
from tenant_apps.finance.models import (
    BankMatch,
    BankStatementLine,
    DealerAccount,
    DealerSettlement,
    EntryKind,
    LedgerEntry,
    LineStatus,
    Remittance,
    RemittanceStatus,
    StatementImport,
)
from tenants.models import Tenant
from tests.finance.conftest import make_books
from tests.racing import at_once


def _statement(tag="s"):
    return StatementImport.objects.create(mapping=_mapping(), filename=f"{tag}.csv", sha256=uuid.uuid4().hex)


def _mapping():
    services.bank_mappings_ensure()
    from tenant_apps.finance.models import BankMapping
    return BankMapping.objects.get(code="generic")


def _line(statement, amount, *, payer="", remark="", serial=None):
    return BankStatementLine.objects.create(
        statement=statement, row=2, booked_on=dt.date(2026, 12, 1), currency="CNY", amount=Decimal(amount),
        payer_name=payer, remark=remark, serial=serial or "", dedupe_key=serial or uuid.uuid4().hex)


def _owing(books, dealer, reference, amount):
    """`dealer` owes `amount` on credit for order `reference`."""
    services_ = finance
    services_.dealer_settlement_set(actor=books.finance, dealer=dealer, mode="credit", credit_limit="100000.00")
    return services_.credit_hold(actor=None, dealer=dealer, amount=amount, currency="CNY", reference=reference)


def _remit(books, dealer, amount, payer="", remark=""):
    return services.remittance_record(actor=books.clerk, dealer=dealer, amount=amount, paid_on=dt.date.today(),
                                      payer_name=payer or dealer.legal_name, remark=remark)


def test_names_are_compared_normalised():
    assert name_key("上海 浦东贸易有限公司") == name_key("上海浦东贸易（有限公司）") == name_key("上海浦东贸易")
    assert name_key("ＡＣＭＥ Trading Co., Ltd.") == name_key("acme trading")


def test_the_rules_in_order_and_their_confidence(books, in_tenant):
    with in_tenant(books.tenant):
        _owing(books, books.one, "SO-2026-0001", "1000.00")
        _owing(books, books.two, "SO-2026-0002", "777.00")
        remittance = _remit(books, books.two, "500.00", payer="张三")
        statement = _statement()
        by_order = _line(statement, "1000.00", payer="谁", remark="货款 SO20260001")
        by_code = _line(statement, "250.00", payer="谁", remark=f"{payment_code(books.two)} 货款")
        by_payer = _line(statement, "500.00", payer="张 三")  # the remittance's payer, spaced
        by_name = _line(statement, "777.00", payer="ＦＩＮ 二号经销商有限公司")  # the order's dealer, full-width
        amount_only = _line(statement, "777.00", payer="别人")  # the 777 is taken by the better line above
        nothing = _line(statement, "12.34", payer="别人")
        run = services.bank_lines_match(actor=books.finance)
        assert (run.lines, run.high, run.medium, run.low) == (6, 2, 2, 0)
        got = {line.pk: (line.confidence, line.suggested_dealer_id, line.suggested_reference,
                         line.suggested_remittance_id, line.rule) for line in BankStatementLine.objects.all()}
        assert got == {
            by_order.pk: ("high", books.one.pk, "SO-2026-0001", None, "order_number"),
            by_code.pk: ("high", books.two.pk, "", None, "payment_code"),
            by_payer.pk: ("medium", books.two.pk, "", remittance.pk, "amount_and_payer"),
            by_name.pk: ("medium", books.two.pk, "SO-2026-0002", None, "amount_and_payer"),
            amount_only.pk: ("", None, "", None, ""),
            nothing.pk: ("", None, "", None, ""),
        }


def test_an_amount_alone_is_a_low_suggestion_never_confirmed_automatically(books, in_tenant):
    with in_tenant(books.tenant):
        services.bank_settings_update(actor=books.finance, account_name="品牌", bank_name="工行",
                                      account_number="1001", auto_confirm_high=True)
        _remit(books, books.one, "300.00", payer="李四")
        statement = _statement()
        low = _line(statement, "300.00", payer="陌生人")
        high = _line(statement, "40.00", payer="陌生人", remark=f"附言 {payment_code(books.one)}")
        run = services.bank_lines_match(actor=books.finance)
        assert (run.low, run.high, run.confirmed) == (1, 1, 1)
        low.refresh_from_db()
        high.refresh_from_db()
        assert (low.status, low.confidence, high.status) == ("open", "low", "matched")
        assert BankMatch.objects.get().how == "auto"
        assert DealerAccount.objects.get(dealer=books.one).balance == Decimal("40.00")


def test_confirming_posts_the_payment_with_the_match_and_settles_the_order(books, in_tenant):
    with in_tenant(books.tenant):
        _owing(books, books.one, "SO-9", "1000.00")
        remittance = _remit(books, books.one, "1000.00", remark="SO-9")
        line = _line(_statement(), "1000.00", payer="x", remark="SO-9 货款")
        services.bank_lines_match(actor=books.finance)
        match = services.bank_line_confirm(actor=books.finance, line=line)
        entry = match.entry
        assert (entry.kind, entry.amount, entry.reference, entry.credit_delta) == (
            "payment", Decimal("1000.00"), "SO-9", Decimal("-1000.00"))
        account = DealerAccount.objects.get(dealer=books.one)
        assert (account.credit_used, account.balance) == (Decimal("0.00"), Decimal("0.00"))
        remittance.refresh_from_db()
        assert remittance.status == RemittanceStatus.MATCHED
        with pytest.raises(BankLineNotOpen):
            services.bank_line_confirm(actor=books.finance, line=line)
        assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
        assert AuditEntry.objects.filter(action="finance.bank.matched").count() == 1
        # the order is no longer an open item: a second line of the same amount is not suggested for it
        other = _line(_statement("t"), "1000.00", payer="y", remark="SO-9")
        services.bank_lines_match(actor=books.finance)
        other.refresh_from_db()
        assert other.confidence == ""


def test_match_by_hand_ignore_and_reopen(books, in_tenant):
    with in_tenant(books.tenant):
        _owing(books, books.two, "SO-7", "50.00")
        line = _line(_statement(), "80.00", payer="某人")
        match = services.bank_line_match(actor=books.finance, line=line, dealer=books.two, reference="SO-7")
        assert (match.how, match.reference, match.entry.reference) == ("manual", "SO-7", "SO-7")
        account = DealerAccount.objects.get(dealer=books.two)
        assert (account.credit_used, account.balance) == (Decimal("0.00"), Decimal("30.00"))
        stranger = _line(_statement("u"), "9.00", payer="退款")
        services.bank_line_ignore(actor=books.finance, line=stranger, note="利息")
        with pytest.raises(BankLineNotOpen):
            services.bank_line_match(actor=books.finance, line=stranger, dealer=books.one)
        services.bank_line_reopen(actor=books.finance, line=stranger)
        stranger.refresh_from_db()
        assert stranger.status == LineStatus.OPEN


def test_a_reference_the_dealer_was_never_charged_under_is_refused(books, in_tenant):
    with in_tenant(books.tenant):
        line = _line(_statement(), "80.00")
        with pytest.raises(Exception) as refused:
            services.bank_line_match(actor=books.finance, line=line, dealer=books.one, reference="SO-NONE")
        assert refused.value.status == 400 and "reference" in refused.value.fields
        assert not LedgerEntry.objects.exists()


def test_a_reversal_restores_the_ledger_exactly(books, in_tenant):
    with in_tenant(books.tenant):
        _owing(books, books.one, "SO-5", "600.00")
        before = DealerAccount.objects.get(dealer=books.one)
        remittance = _remit(books, books.one, "1000.00")
        line = _line(_statement(), "1000.00", payer=books.one.legal_name)
        services.bank_lines_match(actor=books.finance)
        match = services.bank_line_confirm(actor=books.finance, line=line)
        paid = DealerAccount.objects.get(dealer=books.one)
        assert (paid.credit_used, paid.balance) == (Decimal("0.00"), Decimal("400.00"))
        services.bank_match_reverse(actor=books.finance, match=match, reason="退回")
        after = DealerAccount.objects.get(dealer=books.one)
        assert (after.balance, after.credit_used, after.rebate_balance) == (
            before.balance, before.credit_used, before.rebate_balance)
        reversal = LedgerEntry.objects.get(kind=EntryKind.PAYMENT_REVERSAL)
        assert (reversal.reverses_id, reversal.amount, reversal.reference) == (
            match.entry_id, Decimal("-1000.00"), match.entry.reference)
        assert finance_selectors.ledger_mismatches() == []
        line.refresh_from_db()
        remittance.refresh_from_db()
        assert (line.status, remittance.status) == ("open", "pending")
        with pytest.raises(BankMatchReversed):
            services.bank_match_reverse(actor=books.finance, match=match, reason="again")
        with pytest.raises(PaymentAlreadyReversed):
            finance.payment_reverse(actor=books.finance, entry=match.entry, reason="again")
        assert AuditEntry.objects.filter(action="finance.bank.match_reversed").count() == 1
        # matched again after the reversal: one active match, the old one kept as history
        services.bank_line_match(actor=books.finance, line=line, dealer=books.one)
        assert BankMatch.objects.filter(line=line).count() == 2
        assert BankMatch.objects.filter(line=line, reversal__isnull=True).count() == 1
        assert finance_selectors.ledger_mismatches() == []


def test_matching_costs_the_same_queries_for_ten_lines_as_for_two_hundred(books, in_tenant, count_queries):
    counts = []
    with in_tenant(books.tenant):
        for size in (10, 200):
            BankStatementLine.objects.filter(status="open").update(status="ignored")
            statement = _statement(f"q{size}")
            for index in range(size):
                if index % 3 == 0:
                    _remit(books, books.one, f"{index + 1}.00", payer="王五")
                _line(statement, f"{index + 1}.00", payer="王五" if index % 2 else "",
                      remark=payment_code(books.two) if index % 5 == 0 else "")
            with count_queries() as queries:
                run = services.bank_lines_match(actor=books.finance)
            assert run.lines == size
            counts.append(len(queries.sql))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10


def test_two_confirms_of_the_same_line_at_the_same_moment_one_wins_one_409(django_db_setup, django_db_blocker):
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        marks = {"audit": AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0,
                 "nodes": set(Node.objects.values_list("id", flat=True))}
        books = make_books(tag)
        statement = _statement(tag)
        line = _line(statement, "100.00", remark=payment_code(books.one), serial=f"R-{tag}")
        services.bank_lines_match(actor=books.finance)
        connection.set_schema_to_public()

    def racer(index):
        try:
            services.bank_line_confirm(actor=books.finance, line=line)
            return "matched"
        except BankLineNotOpen as conflict:
            return f"refused {conflict.status}"

    with django_db_blocker.unblock():
        outcomes = at_once(tenant, 2, racer)
        connection.set_tenant(tenant)
        try:
            assert sorted(outcomes) == ["matched", "refused 409"]
            assert BankMatch.objects.filter(line=line).count() == 1
            assert LedgerEntry.objects.filter(dealer=books.one, kind=EntryKind.PAYMENT).count() == 1
            assert DealerAccount.objects.get(dealer=books.one).balance == Decimal("100.00")
            assert finance_selectors.ledger_mismatches() == []
        finally:
            _clean(books, marks, statement)
            connection.set_schema_to_public()


def _clean(books, marks, statement):
    dealers = [books.one.pk, books.two.pk]
    BankMatch.objects.filter(dealer_id__in=dealers).delete()
    BankStatementLine.objects.filter(statement=statement).delete()
    statement.delete()
    Remittance.objects.filter(dealer_id__in=dealers).delete()
    with connection.cursor() as cursor:  # the ledger refuses deletes through the ORM: append-only
        cursor.execute("DELETE FROM finance_ledgerentry WHERE dealer_id = ANY(%s)", [dealers])
    DealerAccount.objects.filter(dealer_id__in=dealers).delete()
    DealerSettlement.objects.filter(dealer_id__in=dealers).delete()
    User.objects.filter(pk__in=[books.finance.pk, books.controller.pk, books.clerk.pk]).delete()
    Dealer.objects.filter(pk__in=dealers).delete()
    for node in sorted(Node.objects.exclude(id__in=marks["nodes"]), key=lambda node: -node.depth):
        node.delete()
    AuditEntry.objects.filter(id__gt=marks["audit"]).delete()


def test_only_a_payment_can_be_reversed(books, in_tenant):
    with in_tenant(books.tenant):
        top_up = finance.top_up_record(actor=books.finance, dealer=books.one, amount="10.00")
        with pytest.raises(Exception) as refused:
            finance.payment_reverse(actor=books.finance, entry=top_up, reason="x")
        assert refused.value.status == 400 and "entry" in refused.value.fields
        payment = finance.payment_record(actor=books.finance, dealer=books.one, amount="5.00", currency="CNY")
        with pytest.raises(Exception) as refused:
            finance.payment_reverse(actor=books.finance, entry=payment, reason=" ")
        assert "reason" in refused.value.fields
        assert LedgerEntry.objects.count() == 2
