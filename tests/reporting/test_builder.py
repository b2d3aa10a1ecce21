"""The report builder: saved reports reopen with the figures of the orders, are seen only by their owner, the
roles they are shared with and the administrators, and go out by mail on their schedules, run as each recipient
(their scope, their language), once per run."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.db.models import Sum
from django.utils import timezone, translation
from openpyxl import load_workbook

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.ordering.models import OrderLine
from tenant_apps.reporting.builder.selectors import saved_report_form, saved_report_get_for
from tenant_apps.reporting.builder.services import (
    saved_report_create,
    saved_report_share,
    schedule_create,
    schedules_send_due,
)
from tenant_apps.reporting.cube import DIMENSIONS, MEASURES
from tenant_apps.reporting.models import ReportSchedule, SavedReport
from tenant_apps.reporting.selectors import report_run
from tenant_apps.reporting.services import rollups_refresh
from tenant_apps.reporting.tasks import report_schedules_send
from tenants.tasks import for_each_tenant
from tests.conftest import host_client
from tests.factories.accounts import UserFactory
from tests.factories.dealers import DealerFactory, RegionFactory, address
from tests.factories.ordering import OrderFactory

HOST = "acme.localhost"
BUILDER = "/console/reports/builder/"


@pytest.fixture
def sales(store, tenant_a, in_tenant):
    """The store's dealer SH-1 (under headquarters) and a dealer GZ-1 in the region South, each with orders;
    the rollups up to date."""
    with in_tenant(tenant_a):
        south = RegionFactory(code="SOUTH", name="华南")
        canton = DealerFactory(parent=south, code="GZ-1", legal_name="广州经销商", territories=[store.shanghai],
                               status="active")
        address(dealer=canton, territory=store.shanghai)
        canton_buyer = UserFactory(email="buyer@gz.test", role="dealer_buyer", dealer=canton)
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 3), (store.water, 2)])
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 1)])
        OrderFactory(actor=canton_buyer, dealer=canton, lines=[(store.water, 5)])
        rollups_refresh()
        store.south, store.canton = south, canton
        store.analyst = UserFactory(email="analyst@acme.test", role="analyst", preferred_language="en")
        store.manager = UserFactory(email="south@acme.test", role="regional_manager", scope_node=south,
                                    preferred_language="zh-hans")
        yield store


def _net_by_dealer(dealer_ids=None) -> dict[str, Decimal]:
    """Net sales per dealer code, straight from the order lines."""
    lines = OrderLine.objects.all()
    if dealer_ids is not None:
        lines = lines.filter(order__dealer_id__in=dealer_ids)
    return {row["order__dealer__code"]: row["net"] for row in
            lines.values("order__dealer__code").annotate(net=Sum("net")).order_by()}


def test_a_saved_report_reopens_with_the_figures_of_the_orders(sales, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        report = saved_report_create(actor=sales.analyst, name="Net by SKU", chart="bar",
                                     params={"period": "last_30", "dims": "sku", "measures": "net,quantity"})
        assert SavedReport.objects.get(pk=report.pk).spec == {
            "period": "last_30", "dims": "sku", "measures": "net,quantity", "currency": "CNY"}
        reopened = saved_report_get_for(actor=sales.analyst, report_id=report.pk)
        form = saved_report_form(reopened, actor=sales.analyst)
        assert form.is_valid(), form.errors
        result = report_run(actor=sales.analyst, spec=form.spec())
        expected = {row["sku__code"]: (row["net"], row["quantity"]) for row in OrderLine.objects.values(
            "sku__code").annotate(net=Sum("net"), quantity=Sum("quantity")).order_by()}
        assert {row.labels[0].split(" ")[0]: row.values for row in result.rows} == expected
        assert expected == {"RB-250": (Decimal("20.00"), 4), "RB-330": (Decimal("42.00"), 7)}
        assert result.totals == (Decimal("62"), 11)
        assert AuditEntry.objects.filter(action="reporting.saved_report.created", target_id=str(report.pk)).count() == 1


def test_a_regional_manager_reads_a_shared_report_in_their_region_only(sales, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        report = saved_report_create(actor=sales.analyst, name="By dealer",
                                     params={"period": "last_30", "dims": "dealer", "measures": "net"})
        saved_report_share(actor=sales.analyst, report=report, roles=["regional_manager"])
        form = saved_report_form(saved_report_get_for(actor=sales.manager, report_id=report.pk), actor=sales.manager)
        assert form.is_valid(), form.errors
        result = report_run(actor=sales.manager, spec=form.spec())
        assert {row.labels[0]: row.values[0] for row in result.rows} == {"广州经销商": Decimal("30")}
        assert _net_by_dealer([sales.canton.pk]) == {"GZ-1": Decimal("30.00")}


def _schedule(sales, *, report=None):
    report = report or saved_report_create(actor=sales.analyst, name="Daily by dealer",
                                           params={"period": "last_30", "dims": "dealer", "measures": "net"})
    zh = UserFactory(email="zh@acme.test", role="finance", preferred_language="zh-hans")
    schedule = schedule_create(actor=sales.analyst, report=report, frequency="daily", hour=8,
                               recipients=[zh.pk, sales.analyst.pk, sales.manager.pk])
    return report, schedule


def _sheet(message):
    [(filename, content, mimetype)] = message.attachments
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    return filename, mimetype, rows


def test_the_scheduled_mail_goes_once_per_run_in_each_recipients_language_and_scope(
        sales, tenant_a, in_tenant, django_capture_on_commit_callbacks):
    with in_tenant(tenant_a):
        report, schedule = _schedule(sales)
        run_at = schedule.next_run_at
        assert timezone.localtime(run_at).hour == 8 and run_at > timezone.now()
        assert schedules_send_due(now=run_at - timedelta(minutes=1)) == 0
        now = run_at + timedelta(minutes=3)
        with django_capture_on_commit_callbacks(execute=True):
            assert schedules_send_due(now=now) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert schedules_send_due(now=now) == 0  # the task ran twice: nothing new
            assert report_schedules_send(now=(now + timedelta(minutes=15)).isoformat()) == 0
            assert for_each_tenant.delay("reporting.tasks.report_schedules_send").get() == 2  # beat: every tenant
        beat = settings.CELERY_BEAT_SCHEDULE["reporting-schedules-send"]
        assert (beat["task"], beat["args"], beat["schedule"]) == (
            "tenants.tasks.for_each_tenant", ["reporting.tasks.report_schedules_send"], 15 * 60.0)
        assert sorted(message.to[0] for message in mail.outbox) == [
            "analyst@acme.test", "south@acme.test", "zh@acme.test"]
        by_person = {message.to[0]: message for message in mail.outbox}
        all_net = _net_by_dealer()

        english = by_person["analyst@acme.test"]
        filename, mimetype, rows = _sheet(english)
        assert english.subject.startswith("Report “Daily by dealer”, ")
        assert filename.startswith("Report Daily by dealer ") and filename.endswith(".xlsx")
        assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert rows[0] == ("Dealer", "Net sales")
        assert rows[1:] == [("上海经销商", 32), ("广州经销商", 30), ("Total", 62)]
        assert sum(all_net.values()) == Decimal("62.00")

        chinese = by_person["zh@acme.test"]
        filename, _mimetype, rows = _sheet(chinese)
        with translation.override("zh-hans"):
            header = (str(DIMENSIONS["dealer"]), str(MEASURES["net"].label))
            total, subject = str(translation.gettext("Total")), translation.gettext("Report “%(name)s”, %(period)s")
        assert header != ("Dealer", "Net sales")
        assert rows[0] == header
        assert rows[-1] == (total, 62)
        assert chinese.subject.startswith(subject.split("“")[0] + "“Daily by dealer”")
        assert not filename.startswith("Report")

        regional = by_person["south@acme.test"]
        _filename, _mimetype, rows = _sheet(regional)
        assert rows[1:] == [("广州经销商", 30), (total, 30)]
        assert _net_by_dealer([sales.canton.pk]) == {"GZ-1": Decimal("30.00")}

        schedule.refresh_from_db()
        assert schedule.last_sent_at == now
        assert schedule.next_run_at == run_at + timedelta(days=1)
        assert AuditEntry.objects.filter(action="reporting.schedule.sent", target_id=str(schedule.pk)).count() == 1
        assert len(mail.outbox) == 3


def _browser(tenant, in_tenant, user, language: str = "en"):
    with in_tenant(tenant):
        client = host_client(HOST, language=language)
        client.force_login(user)
    return client


def test_built_on_the_page_saved_and_opened_with_the_figures_of_the_orders(sales, tenant_a, in_tenant):
    page = _browser(tenant_a, in_tenant, sales.analyst)
    preview = page.get(f"{BUILDER}preview/?period=last_30&dim1=dealer&measure=net&measure=orders",
                       HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert [(row.labels, row.values) for row in preview.context["preview"]["report"].rows] == [
        (("上海经销商",), (Decimal("32"), 2)), (("广州经销商",), (Decimal("30"), 1))]
    saved = page.post(f"{BUILDER}new/", {"name": "By dealer", "period": "last_30", "dim1": "dealer", "dim2": "",
                                         "measure": ["net", "orders"], "chart": "bar"})
    assert saved.status_code == 302
    with in_tenant(tenant_a):
        report = SavedReport.objects.get(name="By dealer")
    assert saved["Location"] == f"{BUILDER}{report.pk}/"
    assert report.spec == {"period": "last_30", "dims": "dealer", "measures": "net,orders", "currency": "CNY"}
    shown = page.get(saved["Location"])
    assert shown.status_code == 200
    assert [(row.labels, row.values) for row in shown.context["preview"]["report"].rows] == [
        (("上海经销商",), (Decimal("32"), 2)), (("广州经销商",), (Decimal("30"), 1))]
    text = shown.content.decode()
    assert 'action="/console/reports/exports/report/"' in text and 'name="spec"' in text
    download = page.get(f"{BUILDER}{report.pk}/xlsx/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
                .iter_rows(values_only=True))
    assert rows == [("Dealer", "Net sales", "Orders"), ("上海经销商", 32, 2), ("广州经销商", 30, 1),
                    ("Total", 62, 3)]
    with in_tenant(tenant_a):
        assert _net_by_dealer() == {"SH-1": Decimal("32.00"), "GZ-1": Decimal("30.00")}
    edited = page.post(f"{BUILDER}{report.pk}/edit/", {"name": "By dealer/region [east]\n", "period": "last_30",
                                                       "dim1": "dealer", "measure": ["net"], "chart": "pie"})
    assert edited.status_code == 302
    with in_tenant(tenant_a):
        report.refresh_from_db()
    assert (report.name, report.spec["measures"], report.chart) == ("By dealer/region [east]", "net", "pie")
    download = page.get(f"{BUILDER}{report.pk}/xlsx/")
    assert download.status_code == 200 and "By dealer region east" in download["Content-Disposition"]


def test_a_report_is_seen_by_the_roles_it_is_shared_with_only(sales, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        report = saved_report_create(actor=sales.analyst, name="Shared",
                                     params={"period": "last_30", "dims": "dealer", "measures": "net"})
        finance = UserFactory(email="fin@acme.test", role="finance")
        rep = UserFactory(email="rep@acme.test", role="sales_rep")
    url = f"{BUILDER}{report.pk}/"
    for user in (finance, rep, sales.manager):
        assert _browser(tenant_a, in_tenant, user).get(url).status_code == 404
    owner_page = _browser(tenant_a, in_tenant, sales.analyst)
    assert owner_page.post(f"{url}share/", {"roles": ["finance", "regional_manager"]}).status_code == 302
    with in_tenant(tenant_a):
        report.refresh_from_db()
    assert report.shared_roles == ["regional_manager", "finance"]
    finance_page = _browser(tenant_a, in_tenant, finance)
    assert finance_page.get(url).status_code == 200
    assert finance_page.get(f"{url}xlsx/").status_code == 200
    assert finance_page.get(BUILDER).context["rows"][0]["report"].pk == report.pk
    assert finance_page.get(f"{url}edit/").status_code == 403  # may open, may not change
    manager_view = _browser(tenant_a, in_tenant, sales.manager).get(url)
    assert manager_view.status_code == 200
    assert [row.labels[0] for row in manager_view.context["preview"]["report"].rows] == ["广州经销商"]
    rep_page = _browser(tenant_a, in_tenant, rep)
    assert [rep_page.get(url).status_code, rep_page.get(f"{url}xlsx/").status_code] == [404, 404]
    assert rep_page.get(BUILDER).context["rows"] == []
    dealer_page = _browser(tenant_a, in_tenant, sales.buyer)
    assert [dealer_page.get(url).status_code, dealer_page.get(BUILDER).status_code] == [403, 403]
    assert rep_page.post(f"{url}delete/").status_code == 403  # no reports.build
    with in_tenant(tenant_a):
        builder = UserFactory(email="analyst2@acme.test", role="analyst")
    assert _browser(tenant_a, in_tenant, builder).post(f"{url}delete/").status_code == 404
    with in_tenant(tenant_a):
        assert SavedReport.objects.filter(pk=report.pk).exists()


def test_bad_input_is_a_400_with_field_errors_and_saves_nothing(sales, tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        north = RegionFactory(code="NORTH", name="华北")
        report = saved_report_create(actor=sales.analyst, name="Kept",
                                     params={"period": "last_30", "dims": "dealer", "measures": "net"})
        reports_before = SavedReport.objects.count()
    page = _browser(tenant_a, in_tenant, sales.analyst)
    unknown = page.post(f"{BUILDER}new/", {"name": "Bad", "dim1": "colour", "measure": ["net"]})
    assert unknown.status_code == 400
    assert unknown.context["errors"]["dims"] == ["Unknown: colour."]
    nameless = page.post(f"{BUILDER}new/", {"name": " ", "dim1": "dealer", "measure": ["net", "profit"]})
    assert nameless.status_code == 400
    assert set(nameless.context["errors"]) == {"name", "measures"}
    hostile = page.post(f"{BUILDER}new/", {"name": "a\x01b", "dim1": "dealer", "measure": ["net"]})
    assert hostile.status_code == 400 and list(hostile.context["errors"]) == ["name"]
    manager = _browser(tenant_a, in_tenant, sales.manager)
    outside = manager.post(f"{BUILDER}new/", {"name": "North", "dim1": "dealer", "measure": ["net"],
                                              "region": str(north.pk)})
    assert outside.status_code == 400
    with translation.override("zh-hans"):  # the manager reads Chinese
        assert outside.context["errors"]["region"] == [
            translation.gettext("No such region in your part of the network.")]
    with in_tenant(tenant_b):
        stranger = UserFactory(email="stranger@globex.test", role="analyst")
        cursor = connection.cursor()
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), 100000 + %s)", [stranger.pk])
        stranger = UserFactory(email="stranger2@globex.test", role="analyst")
    with in_tenant(tenant_a):
        assert not User.objects.filter(pk=stranger.pk).exists()
    schedules = f"{BUILDER}{report.pk}/schedules/"
    for recipients in ([stranger.pk], [sales.buyer.pk], ["x1"], []):
        refused = page.post(schedules, {"frequency": "daily", "hour": "8", "recipients": recipients,
                                        "active": "on"})
        assert refused.status_code == 400
        assert list(refused.context["form"].errors) == ["recipients"]
    no_day = page.post(schedules, {"frequency": "monthly", "hour": "25", "recipients": [sales.analyst.pk]})
    assert no_day.status_code == 400 and set(no_day.context["form"].errors) == {"hour"}
    no_weekday = page.post(schedules, {"frequency": "weekly", "hour": "7", "recipients": [sales.analyst.pk]})
    assert no_weekday.status_code == 400 and set(no_weekday.context["form"].errors) == {"weekday"}
    with in_tenant(tenant_a):
        assert (SavedReport.objects.count(), ReportSchedule.objects.count()) == (reports_before, 0)
        assert SavedReport.objects.get(pk=report.pk).spec == report.spec
    made = page.post(schedules, {"frequency": "weekly", "weekday": "4", "hour": "7",
                                 "recipients": [sales.analyst.pk, sales.manager.pk], "active": "on"})
    assert made.status_code == 302
    with in_tenant(tenant_a):
        schedule = ReportSchedule.objects.get(report=report)
    local = timezone.localtime(schedule.next_run_at)
    assert (local.weekday(), local.hour, local.minute) == (4, 7, 0)


def test_the_list_costs_the_same_queries_whatever_the_number_of_reports(sales, tenant_a, in_tenant,
                                                                         count_queries):
    with in_tenant(tenant_a):
        first = saved_report_create(actor=sales.analyst, name="One",
                                    params={"period": "last_30", "dims": "dealer", "measures": "net"})
        schedule_create(actor=sales.analyst, report=first, frequency="daily", hour=6, recipients=[sales.analyst.pk])
    page = _browser(tenant_a, in_tenant, sales.analyst)
    page.get(BUILDER)
    with count_queries() as one:
        assert page.get(BUILDER).status_code == 200
    with in_tenant(tenant_a):
        other = UserFactory(email="other-analyst@acme.test", role="analyst")
        for number in range(5):
            report = saved_report_create(actor=other, name=f"Other {number}",
                                         params={"period": "this_year", "dims": "month", "measures": "net"})
            saved_report_share(actor=other, report=report, roles=["analyst"])
            schedule_create(actor=other, report=report, frequency="weekly", weekday=number, hour=9,
                            recipients=[other.pk, sales.analyst.pk])
    with count_queries() as six:
        listed = page.get(BUILDER)
    assert len(listed.context["rows"]) == 6
    assert len(six.sql) == len(one.sql)


def test_the_builder_pages_read_in_chinese(sales, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        reader = UserFactory(email="zh-analyst@acme.test", role="analyst", preferred_language="")
        saved_report_create(actor=reader, name="报表一",
                            params={"period": "last_30", "dims": "dealer", "measures": "net"})
    page = _browser(tenant_a, in_tenant, reader, language="zh-hans")
    text = page.get(BUILDER).content.decode()
    assert "已保存的报表" in text and "新建报表" in text and "报表一" in text
    new = page.get(f"{BUILDER}new/").content.decode()
    assert "维度" in new and "指标" in new and "保存报表" in new
