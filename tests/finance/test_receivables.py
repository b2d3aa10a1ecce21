"""Receivables (应收): due dates from net and monthly terms, the clock started by the first shipment, payments
allocated to the order they name first and oldest due first otherwise, ageing buckets at their boundaries, the
overdue block and its lifts, the storefront's credit summary."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance import selectors_receivables as receivables
from tenant_apps.finance import services
from tenant_apps.finance import services_receivables as ar
from tenant_apps.finance.errors import FinanceForbidden, FinanceInvalid
from tenant_apps.finance.models import BlockLift, Receivable, TermsKind
from tenant_apps.finance.services_receivables import Terms, due_date

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _on(day: date):
    """The clock at noon of `day` in the brand's time zone."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI), tick=False)


def _credit(dealer, limit="1000000.00", terms_days=30):
    services.dealer_settlement_set(actor=None, dealer=dealer, mode="credit", credit_limit=limit,
                                   terms_days=terms_days)


def _charge(dealer, reference, amount, shipped_on=None):
    services.credit_hold(actor=None, dealer=dealer, amount=amount, currency="CNY", reference=reference)
    if shipped_on:
        ar.receivable_shipped(reference=reference, dealer=dealer, shipped_on=shipped_on)


def _pay(dealer, amount, reference=""):
    return services.payment_record(actor=None, dealer=dealer, amount=amount, currency="CNY", reference=reference)


def _open(dealer, today=date(2027, 1, 1)):
    return {item.reference: item.open for item in receivables.open_items(
        dealers=type(dealer).objects.filter(pk=dealer.pk), today=today)}


# --- due dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shipped", "terms", "due"), [
    (date(2026, 11, 2), Terms(TermsKind.NET, 30, 25, 10), date(2026, 12, 2)),
    (date(2026, 12, 20), Terms(TermsKind.NET, 15, 25, 10), date(2027, 1, 4)),
    (date(2026, 11, 2), Terms(TermsKind.NET, 0, 25, 10), date(2026, 11, 2)),
    # monthly: by the 25th -> the 10th of the next month; after it -> the 10th of the month after
    (date(2026, 11, 25), Terms(TermsKind.MONTHLY, 30, 25, 10), date(2026, 12, 10)),
    (date(2026, 11, 26), Terms(TermsKind.MONTHLY, 30, 25, 10), date(2027, 1, 10)),
    (date(2026, 12, 1), Terms(TermsKind.MONTHLY, 30, 25, 10), date(2027, 1, 10)),
    (date(2026, 12, 31), Terms(TermsKind.MONTHLY, 30, 25, 10), date(2027, 2, 10)),
    # a cut-off past the month's end is its last day: the whole of February on one statement
    (date(2027, 2, 28), Terms(TermsKind.MONTHLY, 30, 31, 5), date(2027, 3, 5)),
    (date(2027, 1, 31), Terms(TermsKind.MONTHLY, 30, 31, 28), date(2027, 2, 28)),
])
def test_due_dates_from_net_and_monthly_terms(shipped, terms, due):
    assert due_date(shipped, terms) == due


def test_a_dealers_own_terms_override_the_brands(books):
    ar.finance_terms_update(actor=books.finance, terms_kind="monthly", cutoff_day=20, due_day=15)
    assert ar.terms_for(books.one) == Terms(TermsKind.MONTHLY, 30, 20, 15)
    ar.dealer_terms_set(actor=books.finance, dealer=books.two, terms_kind="net")
    services.dealer_settlement_set(actor=books.finance, dealer=books.two, terms_days=45)
    assert ar.terms_for(books.two).kind == "net"
    assert ar.terms_for(books.two).days == 45


@pytest.mark.parametrize(("call", "field"), [
    ({"terms_kind": "weekly"}, "terms_kind"), ({"cutoff_day": 0}, "cutoff_day"), ({"cutoff_day": 32}, "cutoff_day"),
    ({"due_day": 29}, "due_day"), ({"remind_before_days": -1}, "remind_before_days"),
    ({"remind_after_days": "7"}, "remind_after_days"),
])
def test_bad_terms_are_refused_with_the_field(books, call, field):
    with pytest.raises(FinanceInvalid) as refused:
        ar.finance_terms_update(actor=books.finance, **call)
    assert list(refused.value.fields) == [field]


# --- the clock -----------------------------------------------------------------------------------------------


def test_the_first_shipment_starts_the_clock_and_later_ones_change_nothing(books):
    _credit(books.one)
    _charge(books.one, "SO-1", "1000.00")
    assert Receivable.objects.count() == 0
    assert _open(books.one) == {"SO-1": D("1000.00")}  # owed, not yet due
    [first] = ar.receivable_shipped(reference="SO-1", dealer=books.one, shipped_on=date(2026, 11, 2))
    [again] = ar.receivable_shipped(reference="SO-1", dealer=books.one, shipped_on=date(2026, 11, 20))
    assert (first.pk, again.due_on, again.shipped_on, again.terms) == (
        again.pk, date(2026, 12, 2), date(2026, 11, 2), "net:30")
    assert Receivable.objects.count() == 1


def test_a_prepaid_order_has_no_receivable(books):
    services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="prepay")  # brands start on COD
    services.top_up_record(actor=None, dealer=books.one, amount="500.00")
    services.credit_hold(actor=None, dealer=books.one, amount="200.00", currency="CNY", reference="SO-P")
    assert ar.receivable_shipped(reference="SO-P", dealer=books.one, shipped_on=date(2026, 11, 2)) == []
    assert _open(books.one) == {}


# --- allocation ----------------------------------------------------------------------------------------------


def test_payments_naming_no_order_settle_the_oldest_due_first(books):
    _credit(books.one)
    _charge(books.one, "SO-3", "300.00", shipped_on=date(2026, 11, 20))
    _charge(books.one, "SO-1", "100.00", shipped_on=date(2026, 11, 1))
    _charge(books.one, "SO-9", "900.00")  # not shipped: paid last
    _charge(books.one, "SO-2", "200.00", shipped_on=date(2026, 11, 10))
    _pay(books.one, "250.00", reference="BANK-77")
    assert _open(books.one) == {"SO-2": D("50.00"), "SO-3": D("300.00"), "SO-9": D("900.00")}
    _pay(books.one, "400.00")
    assert _open(books.one) == {"SO-9": D("850.00")}
    items = receivables.open_items(dealers=type(books.one).objects.filter(pk=books.one.pk),
                                   today=date(2027, 1, 1), with_paid=True)
    assert [(item.reference, item.paid) for item in items] == [
        ("SO-1", D("100.00")), ("SO-2", D("200.00")), ("SO-3", D("300.00")), ("SO-9", D("50.00"))]


def test_a_payment_naming_an_order_settles_it_first_and_its_excess_goes_oldest_first(books):
    _credit(books.one)
    _charge(books.one, "SO-1", "100.00", shipped_on=date(2026, 11, 1))
    _charge(books.one, "SO-2", "200.00", shipped_on=date(2026, 11, 10))
    _charge(books.one, "SO-3", "300.00", shipped_on=date(2026, 11, 20))
    _pay(books.one, "300.00", reference="SO-3")
    assert _open(books.one) == {"SO-1": D("100.00"), "SO-2": D("200.00")}
    _pay(books.one, "150.00", reference="SO-2")  # 150 to SO-2
    assert _open(books.one) == {"SO-1": D("100.00"), "SO-2": D("50.00")}
    _pay(books.one, "120.00", reference="SO-1")  # 100 to SO-1, the 20 beyond it to the oldest open: SO-2
    assert _open(books.one) == {"SO-2": D("30.00")}


def test_a_release_gives_back_the_item_and_other_dealers_are_apart(books):
    _credit(books.one)
    _credit(books.two)
    _charge(books.one, "SO-1", "100.00", shipped_on=date(2026, 11, 1))
    _charge(books.two, "SO-2", "200.00", shipped_on=date(2026, 11, 1))
    services.credit_release(actor=None, dealer=books.one, amount="40.00", currency="CNY", reference="SO-1")
    _pay(books.two, "50.00")
    assert _open(books.one) == {"SO-1": D("60.00")}
    assert _open(books.two) == {"SO-2": D("150.00")}


# --- ageing --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_after_due", "bucket"), [
    (-1, "current"), (0, "current"), (1, "d1_30"), (30, "d1_30"), (31, "d31_60"), (60, "d31_60"),
    (61, "d61_90"), (90, "d61_90"), (91, "d90_plus"), (400, "d90_plus"),
])
def test_ageing_buckets_at_their_boundaries(books, days_after_due, bucket):
    _credit(books.one)
    _charge(books.one, "SO-1", "100.00", shipped_on=date(2026, 11, 2))  # due 2026-12-02
    with _on(date(2026, 12, 2) + timedelta(days=days_after_due)):
        report = receivables.ageing(actor=books.finance)
    [row] = report.dealers
    assert {name: value for name, value in row.buckets.as_dict().items() if value and name in receivables.BUCKETS} \
        == {bucket: D("100.00")}
    assert report.totals.total == D("100.00")
    assert report.totals.overdue == (D("0.00") if bucket == "current" else D("100.00"))


def test_ageing_per_region_within_the_readers_scope(tenant_a, in_tenant, count_queries):
    from tests.factories import UserFactory
    from tests.factories.dealers import DealerFactory, network

    with in_tenant(tenant_a):
        net = network()
        finance = UserFactory(email="ar-fin@acme.test", role="finance")
        east_manager = UserFactory(email="ar-rm@acme.test", role="regional_manager", scope_node=net.east)
        loose = DealerFactory(code="HQ-9")  # under no region
        for dealer, amount in ((net.agent, "100.00"), (net.pudong, "250.00"), (net.canton, "400.00"),
                               (loose, "30.00")):
            _credit(dealer)
            _charge(dealer, f"SO-{dealer.code}", amount, shipped_on=date(2026, 11, 2))  # due 2026-12-02
        _charge(net.pudong, "SO-NEW", "50.00")  # not shipped: current
        today = date(2027, 1, 15)  # 44 days overdue

        whole = receivables.ageing(actor=finance, today=today)
        assert [(row.region.code if row.region else None, row.dealers, row.buckets.d31_60, row.buckets.total)
                for row in whole.regions] == [("SOUTH", 1, D("400.00"), D("400.00")),
                                              ("EAST", 2, D("350.00"), D("400.00")), (None, 1, D("30.00"), D("30.00"))]
        assert [row.dealer.code for row in whole.top_overdue()] == ["GD-001", "SH-002", "SH-001", "HQ-9"]
        assert (whole.totals.total, whole.totals.overdue, whole.totals.current) == (
            D("830.00"), D("780.00"), D("50.00"))

        mine = receivables.ageing(actor=east_manager, today=today)
        assert [row.dealer.code for row in mine.dealers] == ["SH-002", "SH-001"]
        assert [row.region.code for row in mine.regions] == ["EAST"]
        drilled = receivables.ageing(actor=finance, region=net.south, today=today)
        assert [row.dealer.code for row in drilled.dealers] == ["GD-001"]

        with count_queries() as queries:
            receivables.ageing(actor=finance, today=today)
        few = len(queries.sql)
        for number in range(8):
            dealer = DealerFactory(code=f"MORE-{number}", parent=net.south if number % 2 else net.east)
            _credit(dealer)
            _charge(dealer, f"SO-M{number}", "10.00", shipped_on=date(2026, 10, 1))
        with count_queries() as queries:
            more = receivables.ageing(actor=finance, today=today)
        assert len(queries.sql) == few == 3
        assert len(more.dealers) == 12


# --- the overdue block ---------------------------------------------------------------------------------------


def _blocked_dealer(books):
    services.finance_settings_update(actor=None, overdue_block_days=30)
    _credit(books.one)
    _charge(books.one, "SO-1", "12000.00", shipped_on=date(2026, 10, 3))  # due 2026-11-02


def test_the_block_appears_past_the_threshold_and_goes_on_payment(books):
    _blocked_dealer(books)
    assert receivables.order_block_reason(books.one, today=date(2026, 12, 2)) is None  # 30 days: not more
    reason = receivables.order_block_reason(books.one, today=date(2026, 12, 3))
    assert reason == ("Orders are blocked: CN¥12,000.00 overdue more than 30 days since 2026-11-02. Pay or ask "
                      "the brand's finance to lift the block.")
    assert receivables.order_block_reason(books.two, today=date(2026, 12, 3)) is None
    _pay(books.one, "11999.99")
    assert "CN¥0.01" in receivables.order_block_reason(books.one, today=date(2026, 12, 3))
    _pay(books.one, "0.01")
    assert receivables.order_block_reason(books.one, today=date(2026, 12, 3)) is None


def test_no_block_when_the_brand_never_blocks(books):
    _blocked_dealer(books)
    services.finance_settings_update(actor=None, overdue_block_days=0)
    assert receivables.order_block_reason(books.one, today=date(2027, 6, 1)) is None


def test_a_lift_lets_the_dealer_order_until_it_expires_or_ends(books):
    _blocked_dealer(books)
    with _on(date(2026, 12, 10)):
        lift = ar.block_lift(actor=books.finance, dealer=books.one, reason="承诺月底付款", until=date(2026, 12, 31))
        assert receivables.order_block_reason(books.one) is None
    assert receivables.order_block_reason(books.one, today=date(2026, 12, 31)) is None
    assert receivables.order_block_reason(books.one, today=date(2027, 1, 1)) is not None  # expired
    assert AuditEntry.objects.filter(action="finance.block.lifted", dealer_id=books.one.pk).count() == 1
    with _on(date(2026, 12, 11)):
        ar.block_lift(actor=books.finance, dealer=books.one, reason="open-ended")
        assert receivables.order_block_reason(books.one) is None
        assert ar.block_lift_end(actor=books.controller, dealer=books.one, reason="paid nothing") == 1
        assert receivables.order_block_reason(books.one) is not None
    lift.refresh_from_db()
    assert lift.ended_at is not None  # replaced by the second lift
    assert BlockLift.objects.filter(ended_at__isnull=True).count() == 0
    assert AuditEntry.objects.filter(action="finance.block.lift_ended").count() == 1


def test_a_lift_needs_a_reason_a_future_day_and_finance_rights(books):
    _blocked_dealer(books)
    with _on(date(2026, 12, 10)):
        with pytest.raises(FinanceInvalid) as refused:
            ar.block_lift(actor=books.finance, dealer=books.one, reason="  ")
        assert list(refused.value.fields) == ["reason"]
        with pytest.raises(FinanceInvalid) as refused:
            ar.block_lift(actor=books.finance, dealer=books.one, reason="x", until=date(2026, 12, 9))
        assert list(refused.value.fields) == ["until"]
        with pytest.raises(FinanceForbidden):
            ar.block_lift(actor=books.clerk, dealer=books.one, reason="please")
    assert not BlockLift.objects.exists()


# --- the storefront's summary --------------------------------------------------------------------------------


def test_the_credit_summary(books):
    services.finance_settings_update(actor=None, overdue_block_days=30)
    _credit(books.one, limit="5000.00")
    _charge(books.one, "SO-1", "1000.00", shipped_on=date(2026, 10, 3))  # due 2026-11-02
    _charge(books.one, "SO-2", "700.00", shipped_on=date(2026, 11, 5))  # due 2026-12-05
    _charge(books.one, "SO-3", "300.00", shipped_on=date(2026, 11, 20))  # due 2026-12-20
    _charge(books.one, "SO-4", "200.00")
    summary = receivables.credit_summary(books.one, today=date(2026, 12, 1))
    assert (summary.limit, summary.used, summary.available, summary.due_soon, summary.overdue,
            summary.block_reason) == (D("5000.00"), D("2200.00"), D("2800.00"), D("700.00"), D("1000.00"), None)
    late = receivables.credit_summary(books.one, today=date(2026, 12, 6))
    assert (late.due_soon, late.overdue) == (D("0.00"), D("1700.00"))
    assert late.block_reason.startswith("Orders are blocked: CN¥1,000.00 overdue more than 30 days since 2026-11-02")
    assert receivables.credit_summary(books.two).used == D("0.00")
