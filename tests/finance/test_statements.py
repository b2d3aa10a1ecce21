"""Dealer statements: opening + lines == closing == the ledger's running total at the period's end, consecutive
statements chain (each entry in exactly one), a statement issued is frozen, the dispute and answer flow, the
daily task is idempotent, kinds the statement does not know yet are never dropped."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance import selectors, services, statement_sections
from tenant_apps.finance.errors import CreditShort, FinanceInvalid, StatementNotFound, StatementStateError
from tenant_apps.finance.models import (
    Adjustment,
    DealerAccount,
    FinanceSettings,
    LedgerEntry,
    Statement,
    StatementLine,
    StatementStatus,
)
from tenant_apps.finance.selectors_statements import statement_view
from tenant_apps.finance.services_statements import (
    dispute_resolve,
    period_bounds,
    period_last_ended,
    section_of,
    statement_confirm,
    statement_dispute,
    statements_generate,
)
from tenant_apps.finance.tasks import statements_generate_due

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def _net(account: DealerAccount) -> Decimal:
    account.refresh_from_db()
    return account.balance + account.rebate_balance - account.credit_used


def _sum_before(dealer, end) -> Decimal:
    return sum((e.amount for e in LedgerEntry.objects.filter(dealer=dealer, created_at__lt=end)), D("0.00"))


def _check_chain(dealer, account):
    statements = list(Statement.objects.filter(dealer=dealer).order_by("ends_at"))
    assert statements, "no statement issued"
    assert statements[0].opening == _sum_before(dealer, statements[0].starts_at)
    seen = []
    for before, after in zip(statements, statements[1:], strict=False):
        assert after.opening == before.closing
        assert after.first_entry_id == before.last_entry_id
    for statement in statements:
        lines = list(statement.lines.order_by("entry_id"))
        assert statement.opening + sum((line.amount for line in lines), D("0.00")) == statement.closing
        assert statement.closing == _sum_before(dealer, statement.ends_at)
        seen += [line.entry_id for line in lines]
    entries = list(LedgerEntry.objects.filter(dealer=dealer, created_at__gte=statements[0].starts_at,
                                              created_at__lt=statements[-1].ends_at)
                   .order_by("id").values_list("id", flat=True))
    assert seen == entries  # every entry in exactly one statement, none between two
    assert statements[-1].closing == _net(account)


# --- periods -------------------------------------------------------------------------------------------------


def test_periods_end_at_month_end_or_at_the_brands_cut_off_day(books):
    assert period_bounds("2026-11") == (at(2026, 11, 1), at(2026, 12, 1))
    assert period_bounds("2026-12", 25) == (at(2026, 11, 26), at(2026, 12, 26))
    assert period_bounds("2026-03", 28) == (at(2026, 3, 1), at(2026, 3, 29))  # after 28 Feb
    assert period_bounds("2027-01", None) == (at(2027, 1, 1), at(2027, 2, 1))
    assert period_last_ended(at(2026, 12, 1, 0, 0, 1)) == "2026-11"
    assert period_last_ended(at(2026, 12, 25, 23), 25) == "2026-11"
    assert period_last_ended(at(2026, 12, 26, 0, 1), 25) == "2026-12"
    for bad in ["2026-13", "26-11", "2026-1", "", None, "2026-11-01", "abcd-ef"]:
        with pytest.raises(FinanceInvalid) as error:
            period_bounds(bad)
        assert "period" in error.value.fields


def test_a_period_not_over_yet_is_refused(books):
    with time_machine.travel(at(2026, 11, 20), tick=False), pytest.raises(FinanceInvalid) as error:
        statements_generate(actor=books.finance, period="2026-11")
    assert "period" in error.value.fields


# --- the balance adds up -------------------------------------------------------------------------------------


def _mixed_month(books):
    services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="mixed", credit_limit="5000")
    with time_machine.travel(at(2026, 10, 28, 10), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="100.00", reference="BANK-0")
    with time_machine.travel(at(2026, 11, 3, 10), tick=False):
        services.credit_hold(actor=books.clerk, dealer=books.one, amount="300.00", currency="CNY",
                             reference="SO-1")
    with time_machine.travel(at(2026, 11, 10, 10), tick=False):
        services.credit_release(actor=books.finance, dealer=books.one, amount="50.00", currency="CNY",
                                reference="SO-1")
        services.payment_record(actor=books.clerk, dealer=books.one, amount="120.00", currency="CNY",
                                reference="SO-1")
        services.refund_record(actor=books.finance, dealer=books.one, amount="20.00", currency="CNY",
                               reference="SO-1")
        services.adjustment_request(actor=books.finance, dealer=books.one, amount="-5.00", reason="运费差额")
        services.top_up_record(actor=books.finance, dealer=books.one, amount="40.00", reference="=HYPERLINK(1)")
    with time_machine.travel(at(2026, 11, 30, 23, 59, 59), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="1.00", reference="LAST")
    with time_machine.travel(at(2026, 12, 1, 0, 0, 0), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="2.00", reference="FIRST-DEC")
    with time_machine.travel(at(2026, 12, 1, 2), tick=False):
        return statements_generate(actor=None)


def test_a_month_of_mixed_entries_adds_up_to_the_ledger_at_the_periods_end(books):
    result = _mixed_month(books)
    assert result.period == "2026-11"
    statement = Statement.objects.get(dealer=books.one)
    assert [s.number for s in result.created] == ["ST-202611-fin-1"]
    assert (statement.opening, statement.closing, statement.status) == (
        D("100.00"), D("-14.00"), StatementStatus.ISSUED)
    view = statement_view(statement)
    assert [(s.key, [line.amount for line in s.lines], s.total) for s in view.sections] == [
        ("orders", [D("-300.00")], D("-300.00")),
        ("releases", [D("50.00"), D("-20.00")], D("30.00")),
        ("payments", [D("120.00")], D("120.00")),
        ("top_ups", [D("40.00"), D("1.00")], D("41.00")),
        ("adjustments", [D("-5.00")], D("-5.00")),
    ]
    assert statement.closing == _sum_before(books.one, statement.ends_at)
    assert statement.closing == statement.lines.order_by("-entry_id").first().running
    assert AuditEntry.objects.filter(action="finance.statement.issued", dealer_id=books.one.pk).count() == 1
    assert not Statement.objects.filter(dealer=books.two).exists()  # no entries: no statement


def test_a_kind_the_statement_does_not_know_is_shown_under_other_entries(books):
    assert section_of("bonus_points") == "other"
    assert section_of("rebate") == "rebates" and section_of("price_protection") == "price_protection"


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["top_up", "hold", "release", "payment", "refund", "adjust"]),
              st.decimals(min_value=D("0.01"), max_value=D("400"), places=2),
              st.integers(min_value=0, max_value=19 * 24)),  # hours to wait before it
    min_size=1, max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS, cutoff=st.sampled_from([None, 1, 15, 28]))
def test_consecutive_statements_chain_and_end_at_the_accounts_net_position(books, operations, cutoff):
    with transaction.atomic():
        FinanceSettings.objects.update_or_create(pk=1, defaults={"statement_cutoff_day": cutoff})
        services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="mixed", credit_limit="800")
        now = at(2026, 1, 20, 9)
        issued = {period_last_ended(now, cutoff)}  # nothing before the first entry
        holds = []
        for number, (name, amount, hours) in enumerate(operations):
            now += timedelta(hours=hours, seconds=1)
            with time_machine.travel(now, tick=False):
                due = period_last_ended(now, cutoff)
                if due not in issued:  # the daily task's run after a period's end, before this entry
                    statements_generate(actor=None, period=due)
                    issued.add(due)
                try:
                    if name == "top_up":
                        services.top_up_record(actor=books.finance, dealer=books.one, amount=amount, reference="t")
                    elif name == "hold":
                        services.credit_hold(actor=books.clerk, dealer=books.one, amount=amount, currency="CNY",
                                             reference=f"SO-{number}")
                        holds.append(f"SO-{number}")
                    elif name == "release" and holds:
                        services.credit_release(actor=books.finance, dealer=books.one, amount=amount,
                                                currency="CNY", reference=holds[-1])
                    elif name == "payment":
                        services.payment_record(actor=books.clerk, dealer=books.one, amount=amount, currency="CNY")
                    elif name == "refund":
                        services.refund_record(actor=books.finance, dealer=books.one, amount=amount,
                                               currency="CNY")
                    elif name == "adjust":
                        services.adjustment_request(actor=books.finance, dealer=books.one, amount=-amount,
                                                    reason="h")
                except (CreditShort, FinanceInvalid):
                    pass
        end = period_bounds(period_last_ended(now, cutoff), cutoff)[1]
        # the last period with an entry, issued once its end has passed
        final = period_last_ended(max(end, now) + timedelta(days=35), cutoff)
        with time_machine.travel(period_bounds(final, cutoff)[1] + timedelta(hours=1), tick=False):
            while final not in issued:
                pending = sorted(p for p in _periods_between(min(issued), final) if p not in issued)[0]
                statements_generate(actor=None, period=pending)
                issued.add(pending)
        account = DealerAccount.objects.filter(dealer=books.one).first()
        if account is not None:
            _check_chain(books.one, account)
        assert selectors.ledger_mismatches() == []
        transaction.set_rollback(True)


def _periods_between(first: str, last: str) -> list[str]:
    year, month = (int(p) for p in first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


# --- frozen --------------------------------------------------------------------------------------------------


def test_a_statement_is_frozen_and_a_later_entry_falls_in_the_next_period(books):
    _mixed_month(books)
    statement = Statement.objects.get(dealer=books.one)
    lines = list(statement.lines.values_list("entry_id", "amount", "running"))
    statement_confirm(actor=books.clerk, statement=statement)
    with time_machine.travel(at(2026, 12, 3), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="500.00", reference="LATE")
    with time_machine.travel(at(2026, 12, 1, 3), tick=False):  # the task again: nothing new
        assert statements_generate(actor=None).created == []
    statement.refresh_from_db()
    assert (statement.status, statement.closing) == (StatementStatus.CONFIRMED, D("-14.00"))
    assert list(statement.lines.values_list("entry_id", "amount", "running")) == lines
    with time_machine.travel(at(2027, 1, 1, 1), tick=False):
        december = statements_generate(actor=None).created
    assert [(s.number, s.opening, s.closing) for s in december] == [("ST-202612-fin-1", D("-14.00"),
                                                                      D("488.00"))]
    assert [line.reference for line in december[0].lines.all()] == ["FIRST-DEC", "LATE"]
    with pytest.raises(StatementStateError):
        statement_confirm(actor=books.clerk, statement=statement)


# --- the dealer's answer -------------------------------------------------------------------------------------


def test_a_dispute_is_answered_with_an_adjustment_and_the_statement_issued_again(books):
    _mixed_month(books)
    statement = Statement.objects.get(dealer=books.one)
    orders, release = statement.lines.order_by("entry_id")[:2]
    with pytest.raises(StatementNotFound):  # brand staff do not answer for the dealer
        statement_dispute(actor=books.finance, statement=statement, line_ids=[orders.pk], comment="x")
    with pytest.raises(FinanceInvalid) as error:
        statement_dispute(actor=books.clerk, statement=statement, line_ids=[orders.pk], comment="  ")
    assert "comment" in error.value.fields
    with pytest.raises(FinanceInvalid) as error:
        statement_dispute(actor=books.clerk, statement=statement, line_ids=[999999], comment="?")
    assert "lines" in error.value.fields
    disputes = statement_dispute(actor=books.clerk, statement=statement, line_ids=[orders.pk, release.pk],
                                 comment="运费不应计入")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISPUTED and len(disputes) == 2
    with pytest.raises(FinanceInvalid):  # the same line again while it waits
        statement_dispute(actor=books.clerk, statement=statement, line_ids=[orders.pk], comment="again")
    with pytest.raises(StatementStateError):
        statement_confirm(actor=books.clerk, statement=statement)

    with time_machine.travel(at(2026, 12, 5), tick=False):
        dispute_resolve(actor=books.finance, dispute=disputes[0], reply="已退运费", adjustment_amount="15.00")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DISPUTED  # one still open
    adjustment = Adjustment.objects.get(dealer=books.one, amount=D("15.00"))
    assert adjustment.reason == "ST-202611-fin-1: 已退运费" and adjustment.entry is not None
    with pytest.raises(StatementStateError):
        dispute_resolve(actor=books.finance, dispute=disputes[0], reply="again")
    dispute_resolve(actor=books.finance, dispute=disputes[1], reply="金额无误")
    statement.refresh_from_db()
    assert (statement.status, statement.issue_count, statement.closing) == (StatementStatus.ISSUED, 2,
                                                                            D("-14.00"))
    statement_confirm(actor=books.clerk, statement=statement)
    statement.refresh_from_db()
    assert (statement.status, statement.confirmed_by) == (StatementStatus.CONFIRMED, books.clerk)
    assert list(AuditEntry.objects.filter(dealer_id=books.one.pk, action__startswith="finance.statement.")
                .order_by("id").values_list("action", flat=True)) == [
        "finance.statement.issued", "finance.statement.disputed", "finance.statement.dispute_resolved",
        "finance.statement.dispute_resolved", "finance.statement.reissued", "finance.statement.confirmed"]
    with time_machine.travel(at(2027, 1, 1, 1), tick=False):
        december = statements_generate(actor=None).created[0]
    assert [line.amount for line in december.lines.all()] == [D("2.00"), D("15.00")]  # the correction


# --- the task ------------------------------------------------------------------------------------------------


def test_the_daily_task_is_idempotent_and_the_database_allows_one_statement_per_period(books):
    services.top_up_record(actor=books.finance, dealer=books.two, amount="10.00", reference="x")
    services.top_up_record(actor=books.finance, dealer=books.two, amount="3.00", currency="USD", reference="y")
    later = datetime.now(tz=SHANGHAI) + timedelta(days=40)
    with time_machine.travel(later, tick=False):
        assert statements_generate_due() == 2
        assert statements_generate_due() == 0
    numbers = sorted(Statement.objects.filter(dealer=books.two).values_list("number", flat=True))
    assert len(numbers) == 2 and numbers[1].endswith("-fin-2-USD")
    first = Statement.objects.filter(dealer=books.two).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.create(dealer=books.two, currency=first.currency, period=first.period,
                                 number="ST-DUP", starts_at=first.starts_at, ends_at=first.ends_at,
                                 opening=0, closing=0)


def test_informational_sections_come_from_the_registry_and_are_stored_at_issue(books):
    from tenant_apps.finance.statement_sections import Section

    def note(*, dealer, currency, starts_at, ends_at):
        return Section(key="note", title="Shipments", columns=["Order"], rows=[[f"=cmd {dealer.code}"]])

    statement_sections.register("test-note", note)
    try:
        _mixed_month(books)
    finally:
        statement_sections._sources.pop("test-note")
    statement = Statement.objects.get(dealer=books.one)
    assert {"key": "note", "title": "Shipments", "columns": ["Order"], "rows": [["=cmd fin-1"]]} in \
        statement.extra_sections
    assert StatementLine.objects.filter(statement=statement).count() == 7


def test_the_daily_beat_runs_the_statements_in_every_active_tenant(books, tenant_b, in_tenant):
    from django.conf import settings as django_settings

    from tenants.tasks import for_each_tenant

    beat = django_settings.CELERY_BEAT_SCHEDULE["finance-statements"]
    assert (beat["task"], beat["args"], beat["schedule"]) == (
        "tenants.tasks.for_each_tenant", ["finance.tasks.statements_generate_due"], 24 * 3600.0)
    services.top_up_record(actor=books.finance, dealer=books.one, amount="10.00", reference="x")
    with time_machine.travel(datetime.now(tz=SHANGHAI) + timedelta(days=40), tick=False):
        assert for_each_tenant.delay("finance.tasks.statements_generate_due").get() == 2
        assert for_each_tenant.delay("finance.tasks.statements_generate_due").get() == 2  # skips what exists
    assert Statement.objects.filter(dealer=books.one).count() == 1


def test_an_account_whose_ledger_does_not_add_up_gets_no_statement_and_holds_up_no_other(books):
    services.top_up_record(actor=books.finance, dealer=books.one, amount="10.00", reference="x")
    services.top_up_record(actor=books.finance, dealer=books.two, amount="20.00", reference="y")
    broken = DealerAccount.objects.get(dealer=books.two)
    LedgerEntry.objects.create(account=broken, dealer=books.two, currency="CNY", kind="top_up", amount=5,
                               balance_delta=5, balance_after=999, credit_used_after=0)  # not through the service
    with time_machine.travel(datetime.now(tz=SHANGHAI) + timedelta(days=40), tick=False):
        result = statements_generate(actor=None)
    assert ([s.dealer_id for s in result.created], result.failed) == ([books.one.pk], [str(broken.pk)])
    assert not Statement.objects.filter(dealer=books.two).exists()


def test_when_the_cut_off_day_moves_the_next_statement_covers_the_gap(books):
    FinanceSettings.objects.update_or_create(pk=1, defaults={"statement_cutoff_day": 25})
    with time_machine.travel(at(2026, 11, 10), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="10.00", reference="NOV")
    with time_machine.travel(at(2026, 11, 26, 2), tick=False):
        november = statements_generate(actor=None).created[0]
    assert (november.starts_at, november.ends_at, november.closing) == (at(2026, 10, 26), at(2026, 11, 26),
                                                                         D("10.00"))
    with time_machine.travel(at(2026, 11, 28), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="1.00", reference="GAP")
    FinanceSettings.objects.filter(pk=1).update(statement_cutoff_day=None)
    with time_machine.travel(at(2026, 12, 10), tick=False):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="2.00", reference="DEC")
    with time_machine.travel(at(2027, 1, 1, 2), tick=False):
        december = statements_generate(actor=None).created[0]
    assert (december.period, december.starts_at, december.ends_at) == ("2026-12", at(2026, 11, 26), at(2027, 1, 1))
    assert (december.opening, [line.reference for line in december.lines.all()], december.closing) == (
        D("10.00"), ["GAP", "DEC"], D("13.00"))
    _check_chain(books.one, DealerAccount.objects.get(dealer=books.one))
