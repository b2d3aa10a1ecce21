"""The rollups are kept in step incrementally (a cancel, a revision on another day, a return received later), and
the check command proves them equal to the orders: a changed, deleted or added rollup row is named."""

from datetime import datetime, timedelta
from decimal import Decimal as D
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from tenant_apps.ordering.lifecycle import order_cancel
from tenant_apps.ordering.submission import SubmitLine, order_revise
from tenant_apps.reporting.cube import ReportSpec
from tenant_apps.reporting.selectors import report_run, rollup_mismatches
from tenant_apps.reporting.services import rollups_refresh
from tests.factories import UserFactory
from tests.factories.ordering import OrderFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2027, 3, 1, 10, tzinfo=SHANGHAI)


def _day_total(owner, day) -> tuple:
    return report_run(actor=owner, spec=ReportSpec(date_from=day, date_to=day, measures=("net", "lines"))).totals


def test_a_cancel_and_a_revision_move_only_the_order_day(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        owner = UserFactory(email="o@brand.test", role="owner")
        with time_machine.travel(MONDAY, tick=True):
            kept = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 4)])
            dropped = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.water, 2)])
        state = rollups_refresh()
        assert state.watermark is not None
        assert _day_total(owner, MONDAY.date()) == (D("32.00"), 2)
        with time_machine.travel(MONDAY + timedelta(days=2), tick=True):  # Wednesday
            order_cancel(actor=owner, order=dropped, reason="no longer needed")
            order_revise(actor=store.buyer, order=kept, lines=[SubmitLine(store.sku.pk, None, 6)])
        state = rollups_refresh()
        assert state.last_days == 1  # the Monday, nothing else
        assert _day_total(owner, MONDAY.date()) == (D("30.00"), 1)  # revised: still Monday's order
        assert _day_total(owner, MONDAY.date() + timedelta(days=2)) == (D("0"), 0)
        assert rollup_mismatches() == []


def test_a_refresh_with_nothing_changed_recomputes_nothing(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 1)])
        assert rollups_refresh().last_days == 1
        assert rollups_refresh().last_days == 1  # changed within the margin before the last refresh: again
        with time_machine.travel(datetime.now(SHANGHAI) + timedelta(hours=1), tick=True):
            rollups_refresh()
            assert rollups_refresh().last_days == 0


@pytest.mark.parametrize("tamper", [
    "UPDATE reporting_salesday SET net = net + 1 WHERE sku_id = %(sku)s",
    "DELETE FROM reporting_salesmonth WHERE sku_id = %(sku)s",
    "INSERT INTO reporting_dealerday (day, dealer_id, currency, orders, lines, quantity, gross, discount, net, "
    "returned_quantity, returned_net) VALUES ('2020-01-01', %(dealer)s, 'CNY', 1, 1, 1, 100, 0, 100, 0, 0)",
])
def test_the_check_command_names_a_tampered_row(store, tenant_a, in_tenant, tamper):
    with in_tenant(tenant_a):
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 3)])
        rollups_refresh()
        out = StringIO()
        call_command("reporting_check", schema=tenant_a.schema_name, stdout=out)
        assert "rollups match the orders" in out.getvalue()
        with connection.cursor() as cursor:
            cursor.execute(tamper, {"sku": store.sku.pk, "dealer": store.dealer.pk})
        out = StringIO()
        with pytest.raises(CommandError, match="1 workspace"):
            call_command("reporting_check", schema=tenant_a.schema_name, stdout=out)
        assert f"dealer {store.dealer.pk}" in out.getvalue()
        rollups_refresh(full=True)  # a rebuild puts it right
        assert rollup_mismatches() == []
