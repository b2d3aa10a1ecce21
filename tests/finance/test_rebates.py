# ruff: noqa: F811 - the fixtures of tests/ordering and tests/fulfillment, imported by name
"""Rebates: tiers (whole amount or the part above), the basis of a period from real shipments net of returns
through fulfillment's registered function, runs made once per rule and period, approval crediting the rebate
pool exactly once (excluded lines never), and what the pool may pay of an order."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance import rebate_basis
from tenant_apps.finance import services as finance
from tenant_apps.finance.errors import FinanceInvalid, RebateRunNotDraft
from tenant_apps.finance.models import EntryKind, FinanceSettings, LedgerEntry, RebateLine, RebateRun
from tenant_apps.finance.selectors import ledger_mismatches
from tenant_apps.finance.selectors_rebates import rebate_pool
from tenant_apps.finance.services_rebates import (
    last_closed_period,
    period_bounds,
    rebate_compute,
    rebate_credit,
    rebate_line_exclude,
    rebate_rule_create,
    rebate_run_approve,
    rebate_run_compute,
    rebate_runs_due,
    rebate_usable,
    tiers_clean,
)
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.fulfillment.models import ReturnRequest, Shipment
from tenant_apps.fulfillment.selectors import shipped_amounts
from tests.factories.dealers import DealerFactory
from tests.fulfillment.conftest import approved_order, people  # noqa: F401
from tests.ordering.conftest import store  # noqa: F401

TIERS = [{"threshold": "1000000", "rate": "2"}, {"threshold": "500000", "rate": "1"}]


def _rebate(mode, basis):
    return rebate_compute(mode=mode, tiers=tiers_clean(TIERS, "CNY"), basis=Decimal(basis), currency="CNY")


def test_tiers_whole_amount_or_the_part_above():
    assert tiers_clean(TIERS, "CNY") == [{"threshold": "500000.00", "rate": "1.000"},
                                         {"threshold": "1000000.00", "rate": "2.000"}]
    # whole: the highest tier reached on everything
    nothing = _rebate("whole", "499999.99")
    assert (nothing.rate, nothing.amount) == (Decimal("0.00"), Decimal("0.00"))
    reached = _rebate("whole", "500000")
    assert (reached.rate, reached.amount) == (Decimal("1.000"), Decimal("5000.00"))
    assert _rebate("whole", "1200000").amount == Decimal("24000.00")
    # excess: 1 % of 500,000..1,000,000 and 2 % above: 5,000 + 4,000
    assert _rebate("excess", "1200000").amount == Decimal("9000.00")
    assert _rebate("excess", "700000").amount == Decimal("2000.00")
    assert _rebate("excess", "0").amount == Decimal("0.00")
    # rounded half up to the fen
    assert rebate_compute(mode="whole", tiers=tiers_clean([{"threshold": "0", "rate": "1.5"}], "CNY"),
                          basis=Decimal("0.33"), currency="CNY").amount == Decimal("0.00")
    assert rebate_compute(mode="whole", tiers=tiers_clean([{"threshold": "0", "rate": "1.5"}], "CNY"),
                          basis=Decimal("1.00"), currency="CNY").amount == Decimal("0.02")


@pytest.mark.parametrize("tiers", [[], [{"threshold": "-1", "rate": "1"}], [{"threshold": "1", "rate": "101"}],
                                   [{"threshold": "1", "rate": 1.5}], [{"threshold": "1", "rate": "1"},
                                                                        {"threshold": "1.00", "rate": "2"}],
                                   "2%", [{"threshold": "0.001", "rate": "1"}]])
def test_bad_tiers_are_field_errors(tiers):
    with pytest.raises(FinanceInvalid) as raised:
        tiers_clean(tiers, "CNY")
    assert list(raised.value.fields) == ["tiers"]


def test_periods():
    assert period_bounds("month", date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("quarter", date(2026, 5, 31)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_bounds("year", date(2026, 5, 31)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert last_closed_period("quarter", date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert last_closed_period("month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_fulfillment_registered_its_basis():
    assert shipped_amounts in rebate_basis.registered()


def _last_month() -> tuple[date, date]:
    return last_closed_period("month", timezone.localdate())


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def shipped_last_month(store, people):  # noqa: F811
    """The store's dealer got 120 cans (600.00) and 10 of the 330 ml (60.00) last month and sent 2 cans (10.00)
    back; a shipment still picking and a return only approved do not count. Moved into last month by date."""
    order = approved_order(store, people)
    fulfillment.order_allocate(actor=people.warehouse, order=order)
    from tests.factories.fulfillment import ship_everything

    ship_everything(order, people)
    start, end = _last_month()
    Shipment.objects.filter(order=order).update(shipped_at=_at(start))
    can = order.lines.get(sku=store.sku)
    received = fulfillment.return_request_create(actor=store.buyer, order=order, reason_code="damaged",
                                                 lines={can.pk: 2})
    fulfillment.return_decide(actor=people.owner, rma=received, approve=True)
    fulfillment.return_receive(actor=people.warehouse, rma=received)
    ReturnRequest.objects.filter(pk=received.pk).update(received_at=_at(end))
    waiting = fulfillment.return_request_create(actor=store.buyer, order=order, reason_code="surplus",
                                                lines={can.pk: 3})
    fulfillment.return_decide(actor=people.owner, rma=waiting, approve=True)
    return order


def test_the_basis_is_shipped_net_of_returns_in_the_period(store, shipped_last_month):
    start, end = _last_month()
    other = DealerFactory(code="RB-OTHER")
    assert sum(line.net for line in shipped_last_month.lines.all()) == Decimal("660.00")
    assert rebate_basis.shipped_net(start, end, [store.dealer.pk, other.pk], currency="CNY") == {
        store.dealer.pk: Decimal("650.00")}
    # the month before holds nothing, and another currency nothing
    before = last_closed_period("month", start)
    assert rebate_basis.shipped_net(*before, [store.dealer.pk], currency="CNY") == {}
    assert rebate_basis.shipped_net(start, end, [store.dealer.pk], currency="USD") == {}


def test_the_basis_is_one_query(store, shipped_last_month, count_queries):
    start, end = _last_month()
    dealers = [store.dealer.pk] + [DealerFactory(code=f"RB-Q{n}").pk for n in range(5)]
    with count_queries() as counted:
        shipped_amounts(start, end, dealers, currency="CNY")
    assert len(counted.sql) == 1


def _rule(**overrides):
    start, _end = _last_month()
    fields = {"name": "月度返利", "period": "month", "mode": "whole",
              "tiers": [{"threshold": "100", "rate": "2"}, {"threshold": "600", "rate": "3"}],
              "active_from": start - timedelta(days=400)} | overrides
    return rebate_rule_create(actor=None, **fields)


def test_a_run_is_made_once_per_rule_and_period(store, shipped_last_month):
    rule = _rule()
    start, end = _last_month()
    run = rebate_run_compute(actor=None, rule=rule, period_start=start + timedelta(days=3))
    assert (run.period_start, run.period_end, run.status) == (start, end, "draft")
    assert list(run.lines.values_list("dealer_id", "basis", "rate", "amount")) == [
        (store.dealer.pk, Decimal("650.00"), Decimal("3.000"), Decimal("19.50"))]
    again = rebate_run_compute(actor=None, rule=rule, period_start=start)
    assert again.pk == run.pk
    assert rebate_runs_due() == 0  # the beat finds it done
    assert (RebateRun.objects.count(), RebateLine.objects.count()) == (1, 1)
    # the period now running has not closed
    with pytest.raises(FinanceInvalid):
        rebate_run_compute(actor=None, rule=rule, period_start=timezone.localdate())


def test_the_beat_computes_the_period_just_closed(store, shipped_last_month):
    rule = _rule()
    assert rebate_runs_due() == 1
    assert rebate_runs_due() == 0
    assert RebateRun.objects.get().rule_id == rule.pk


def test_a_rule_covers_only_its_dealers(store, shipped_last_month):
    other_tier = _rule(name="B 级返利", dealer_tiers=[])
    assert other_tier.dealer_tiers.count() == 0
    from tests.factories.dealers import TierFactory

    rule = _rule(name="只给 B 级", dealer_tiers=[TierFactory(code="B", name="B")])
    run = rebate_run_compute(actor=None, rule=rule, period_start=_last_month()[0])
    assert run.lines.count() == 0


def test_approval_credits_the_pool_once_and_skips_excluded_lines(store, shipped_last_month, books):
    rule = _rule(mode="excess")
    run = rebate_run_compute(actor=None, rule=rule, period_start=_last_month()[0])
    # excess: 2 % of 100..600 (10.00) and 3 % of 600..650 (1.50)
    line = run.lines.get()
    assert (line.basis, line.amount) == (Decimal("650.00"), Decimal("11.50"))
    extra = RebateLine.objects.create(run=run, dealer=books.one, basis="5000.00", rate="3", amount="150.00")
    with pytest.raises(FinanceInvalid):
        rebate_line_exclude(actor=books.finance, line=extra, reason=" ")
    rebate_line_exclude(actor=books.finance, line=extra, reason="窜货，取消返利")

    approved = rebate_run_approve(actor=books.finance, run=run)
    assert (approved.status, approved.approved_by) == ("approved", books.finance)
    entry = LedgerEntry.objects.get(kind=EntryKind.REBATE)
    assert (entry.dealer_id, entry.amount, entry.rebate_delta, entry.balance_delta, entry.reference) == (
        store.dealer.pk, Decimal("11.50"), Decimal("11.50"), Decimal("0.00"), f"RB-{line.pk}")
    assert rebate_pool(dealer=store.dealer) == Decimal("11.50")
    assert rebate_pool(dealer=books.one) == Decimal("0.00")
    with pytest.raises(RebateRunNotDraft):
        rebate_run_approve(actor=books.controller, run=run)
    with pytest.raises(RebateRunNotDraft):
        rebate_line_exclude(actor=books.finance, line=line, reason="太晚了")
    assert LedgerEntry.objects.filter(kind=EntryKind.REBATE).count() == 1
    assert ledger_mismatches() == []
    assert set(AuditEntry.objects.filter(action__startswith="finance.rebate").values_list("action", flat=True)) == {
        "finance.rebate_rule.created", "finance.rebate_run.computed", "finance.rebate_line.excluded",
        "finance.rebate_run.approved"}


def test_a_rebate_credit_is_once_per_reference(books):
    first = rebate_credit(actor=books.finance, dealer=books.one, amount="100.00", currency="CNY", reference="RB-X")
    again = rebate_credit(actor=books.finance, dealer=books.one, amount="100.00", currency="CNY", reference="RB-X")
    assert first.pk == again.pk
    assert rebate_pool(dealer=books.one) == Decimal("100.00")


def test_rebate_usable_is_capped_by_the_brands_share(books):
    assert rebate_usable(dealer=books.one, currency="CNY", order_total="1000.00") == Decimal("0.00")
    rebate_credit(actor=books.finance, dealer=books.one, amount="250.00", currency="CNY", reference="RB-1")
    # default share 10 %: 100.00 of a 1,000.00 order; all 250.00 of a 5,000.00 one
    assert rebate_usable(dealer=books.one, currency="CNY", order_total="1000.00") == Decimal("100.00")
    assert rebate_usable(dealer=books.one, currency="CNY", order_total=Decimal("5000.00")) == Decimal("250.00")
    assert rebate_usable(dealer=books.one, currency="CNY", order_total="0.15") == Decimal("0.01")
    FinanceSettings.objects.update_or_create(pk=1, defaults={"rebate_share": Decimal("0")})
    assert rebate_usable(dealer=books.one, currency="CNY", order_total="1000.00") == Decimal("0.00")
    assert rebate_usable(dealer=books.one, currency="USD", order_total="1000.00") == Decimal("0.00")
    assert finance.account_for(books.one).rebate_balance == Decimal("250.00")

