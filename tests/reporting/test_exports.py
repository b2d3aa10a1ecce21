"""Exports: orders, order lines, shipments, returns and reports to CSV/XLSX with the list's filters, in the
requester's scope, run as a job (eager here: the in-process task on commit), downloaded only by the requester."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import user_create
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import services as dealers
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.ordering import lifecycle
from tenant_apps.ordering.models import Order, OrderLine
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.reporting.cube import Filters, ReportSpec
from tenant_apps.reporting.exports import services
from tenant_apps.reporting.exports.errors import ExportForbidden, ExportInvalid
from tenant_apps.reporting.exports.spec import spec_from_json, spec_to_json
from tenant_apps.reporting.models import ExportJob
from tenant_apps.reporting.selectors import report_run
from tenant_apps.reporting.services import rollups_refresh
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

FORMULA = '=HYPERLINK("http://evil.test","点我")'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Files under a temporary folder (the tenant storage keeps its root until its own setting changes)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(store, tenant_a, in_tenant):
    """The store's dealer SH-1 (under HQ, two orders) and, in region 西区, a dealer whose name looks like a formula
    (one order); an admin (no language of their own: pages in the browser's), the owner (reads Chinese), a
    regional manager of 西区 and the store's buyer."""
    with in_tenant(tenant_a):
        hq = dealers.headquarters_ensure(name="HQ")
        west = dealers.region_create(actor=None, parent=hq, name="西区", code="R-WEST")
        other = dealers.dealer_create(actor=None, parent=west, code="CD-1", legal_name=FORMULA, status="active",
                                      territories=[store.shanghai])
        dealers.address_add(actor=None, dealer=other, kind="shipping", recipient="李", phone="13900000000",
                            territory=store.shanghai, line="成都 2 号", is_default=True)
        other_buyer = user_create(actor=None, email="buyer@cd.test", password=DEFAULT_PASSWORD,
                                  role="dealer_buyer", dealer=other)
        first = order_submit(actor=store.buyer, dealer=store.dealer, lines=[
            SubmitLine(store.sku.pk, store.can.pk, 30), SubmitLine(store.water.pk, None, 4)]).order
        second = order_submit(actor=store.buyer, dealer=store.dealer, lines=[
            SubmitLine(store.sku.pk, store.case.pk, 1)]).order
        theirs = order_submit(actor=other_buyer, dealer=other, lines=[SubmitLine(store.water.pk, None, 5)]).order
        people = SimpleNamespace(
            owner=User.objects.get(email="owner@acme.test"),
            admin=user_create(actor=None, email="admin@acme.test", password=DEFAULT_PASSWORD, role="admin"),
            rm_west=user_create(actor=None, email="rm.west@acme.test", password=DEFAULT_PASSWORD,
                                role="regional_manager", scope_node=west),
            buyer=store.buyer, other_buyer=other_buyer)
    return SimpleNamespace(store=store, tenant=tenant_a, hq=hq, west=west, other=other, first=first, second=second,
                           theirs=theirs, **people.__dict__)


def signed_in(user, language: str = "en"):
    client = host_client("acme.localhost", language=language)
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def start(client, capture, *, kind="orders", fmt="xlsx", query="", area="console"):
    """Post the Export form; the job runs on commit (in-process). Returns the response and the job's id."""
    url = "/console/reports/exports/start/" if area == "console" else "/account/reports/exports/start/"
    with capture(execute=True):
        response = client.post(url, {"kind": kind, "fmt": fmt, "query": query})
    match = re.search(r"/exports/(\d+)/$", response.get("Location", ""))
    return response, int(match.group(1)) if match else None


def download(client, job_id, area="console"):
    prefix = "/console/reports" if area == "console" else "/account/reports"
    response = client.get(f"{prefix}/exports/{job_id}/download/")
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def xlsx_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# --- what is exported -------------------------------------------------------------------------------------------


def test_order_lines_xlsx_has_exactly_the_filtered_lines_and_totals(world, django_capture_on_commit_callbacks,
                                                                       in_tenant):
    client = signed_in(world.admin)
    response, job_id = start(client, django_capture_on_commit_callbacks, kind="order_lines",
                             query="q=SH-1&status=&page=3&sort=-total")
    assert response.status_code == 302
    got, content = download(client, job_id)
    assert got["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert got["Content-Disposition"] == f'attachment; filename="order-lines-{got_name_stamp(world, job_id)}.xlsx"'
    rows = xlsx_rows(content)
    header, body = rows[0], rows[1:]
    assert header[:6] == ("Order number", "Dealer code", "Dealer", "Status", "Placed", "Line")
    with in_tenant(world.tenant):
        lines = list(OrderLine.objects.filter(order__dealer=world.store.dealer).select_related("order")
                     .order_by("-order__created_at", "-order_id", "line_no"))
    assert [(row[0], row[5]) for row in body] == [(line.order.number, line.line_no) for line in lines]
    assert len(body) == 3
    net = header.index("Net")
    assert sum(Decimal(str(row[net])) for row in body) == sum(line.net for line in lines) == Decimal("294.00")
    assert {row[header.index("Quantity (base units)")] for row in body} == {30, 4, 24}
    assert all(isinstance(row[4], datetime) for row in body)  # dates as dates
    assert world.theirs.number not in {row[0] for row in body}


def got_name_stamp(world, job_id) -> str:
    with schema(world):
        job = ExportJob.objects.get(pk=job_id)
    return f"{job.created_at:%Y%m%d-%H%M}-{job_id}"


def schema(world):
    from django_tenants.utils import schema_context

    return schema_context(world.tenant.schema_name)


def test_orders_csv_has_the_rows_of_the_order_list_with_its_filters(world, django_capture_on_commit_callbacks):
    client = signed_in(world.admin)
    with schema(world):
        Order.objects.filter(pk=world.second.pk).update(total=Decimal("999.00"))
    board = client.get("/console/orders/?amount_min=500").content.decode()
    _response, job_id = start(client, django_capture_on_commit_callbacks, fmt="csv", query="amount_min=500")
    _got, content = download(client, job_id)
    rows = csv_rows(content)
    assert rows[0] == ["Order number", "Dealer code", "Dealer", "Status", "Placed", "Submitted", "Lines", "Currency",
                       "Subtotal", "Discount", "Total"]
    assert [row[0] for row in rows[1:]] == [world.second.number]
    assert world.second.number in board and world.first.number not in board
    assert rows[1][6] == "1" and rows[1][10] == "999.00"


def test_the_regional_manager_exports_only_their_region(world, django_capture_on_commit_callbacks):
    client = signed_in(world.rm_west)
    _response, job_id = start(client, django_capture_on_commit_callbacks, fmt="csv")
    rows = csv_rows(download(client, job_id)[1])
    assert [row[0] for row in rows[1:]] == [world.theirs.number]


def test_a_dealer_exports_only_its_own_orders(world, django_capture_on_commit_callbacks):
    client = signed_in(world.buyer)
    page = client.get("/orders/").content.decode()
    assert 'action="/account/reports/exports/start/"' in page
    # a filter naming another dealer narrows to nothing, never widens
    _response, job_id = start(client, django_capture_on_commit_callbacks, kind="order_lines", fmt="csv",
                              area="storefront")
    rows = csv_rows(download(client, job_id, area="storefront")[1])
    assert sorted({row[0] for row in rows[1:]}) == sorted([world.first.number, world.second.number])
    _response, job_id = start(client, django_capture_on_commit_callbacks, fmt="csv", area="storefront",
                              query=f"dealer={world.other.pk}")
    assert csv_rows(download(client, job_id, area="storefront")[1])[1:] == []
    # dealers cannot export shipments or reach the console's export pages
    response, job_id = start(client, django_capture_on_commit_callbacks, kind="shipments", area="storefront")
    assert (response.status_code, job_id) == (403, None)
    assert client.get("/console/reports/exports/").status_code == 403


def test_a_formula_looking_dealer_name_is_exported_as_text(world, django_capture_on_commit_callbacks):
    client = signed_in(world.admin)
    _response, job_id = start(client, django_capture_on_commit_callbacks, query="q=CD-1")
    rows = xlsx_rows(download(client, job_id)[1])
    assert rows[1][2] == "'" + FORMULA
    workbook = load_workbook(io.BytesIO(download(client, job_id)[1]))
    assert workbook.active.cell(row=2, column=3).data_type == "s"
    _response, job_id = start(client, django_capture_on_commit_callbacks, fmt="csv", query="q=CD-1")
    assert csv_rows(download(client, job_id)[1])[1][2] == "'" + FORMULA


def test_headers_are_in_the_requesters_language(world, django_capture_on_commit_callbacks):
    client = signed_in(world.admin, language="zh-hans")
    _response, job_id = start(client, django_capture_on_commit_callbacks, fmt="csv")
    header = csv_rows(download(client, job_id)[1])[0]
    assert header[:4] == ["订单号", "经销商代码", "经销商", "状态"]


def test_shipments_export_lists_the_shipments_in_scope(world, django_capture_on_commit_callbacks):
    with schema(world):
        for order in (world.first, world.theirs):
            order = Order.objects.get(pk=order.pk)
            if order.status != "approved":
                order = lifecycle.order_transition(actor=None, order=order, action="approve")
            lifecycle.order_transition(actor=None, order=order, action="allocate")
            shipment = fulfillment.shipment_create(actor=world.admin, order=order, warehouse_id=world.store.east.pk)
            fulfillment.shipment_ship(actor=world.admin, shipment=shipment, carrier=None, tracking_number="")
    owner = signed_in(world.admin)
    _response, job_id = start(owner, django_capture_on_commit_callbacks, kind="shipments", fmt="csv")
    rows = csv_rows(download(owner, job_id)[1])
    assert [(row[1], row[7], row[11]) for row in rows[1:]] == [
        (world.theirs.number, "Shipped", "5"), (world.first.number, "Shipped", "34")]
    west = signed_in(world.rm_west)
    _response, job_id = start(west, django_capture_on_commit_callbacks, kind="shipments", fmt="csv",
                              query="status=shipped")
    assert [row[1] for row in csv_rows(download(west, job_id)[1])[1:]] == [world.theirs.number]
    # the returns list's default: the open ones (none here)
    _response, job_id = start(owner, django_capture_on_commit_callbacks, kind="returns", fmt="xlsx")
    assert xlsx_rows(download(owner, job_id)[1])[0][0] == "RMA number"
    assert len(xlsx_rows(download(owner, job_id)[1])) == 1


# --- access, bad input ------------------------------------------------------------------------------------------


def test_another_users_job_is_404(world, django_capture_on_commit_callbacks):
    owner = signed_in(world.admin)
    _response, job_id = start(owner, django_capture_on_commit_callbacks)
    admin = signed_in(world.owner)  # the owner sees everything, but not another person's exports
    for suffix in ("", "progress/", "download/"):
        assert admin.get(f"/console/reports/exports/{job_id}/{suffix}").status_code == 404
        assert owner.get(f"/console/reports/exports/{job_id}/{suffix}").status_code == 200
    assert f'data-job="{job_id}"' not in admin.get("/console/reports/exports/").content.decode()
    assert f'data-job="{job_id}"' in owner.get("/console/reports/exports/").content.decode()
    assert host_client("acme.localhost").get(f"/console/reports/exports/{job_id}/download/").status_code == 302
    assert owner.get("/console/reports/exports/99999999999999999999/").status_code == 404


@pytest.mark.parametrize(("form", "field"), [
    ({"kind": "orders", "fmt": "xlsx", "query": "from=yesterday"}, "from"),
    ({"kind": "orders", "fmt": "xlsx", "query": "region=999999"}, "region"),
    ({"kind": "orders", "fmt": "xlsx", "query": "amount_min=-5"}, "amount_min"),
    ({"kind": "shipments", "fmt": "csv", "query": "dealer=999999"}, "dealer"),
    ({"kind": "returns", "fmt": "csv", "query": "status=lost"}, "status"),
    ({"kind": "orders", "fmt": "pdf", "query": ""}, "fmt"),
    ({"kind": "users", "fmt": "csv", "query": ""}, "kind"),
    ({"kind": "report", "fmt": "csv", "query": ""}, "kind"),
])
def test_bad_filters_are_a_400_with_field_errors_and_no_job(world, django_capture_on_commit_callbacks, form, field):
    client = signed_in(world.admin)
    with schema(world):
        jobs, entries = ExportJob.objects.count(), AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/console/reports/exports/start/", form)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    with schema(world):
        assert (ExportJob.objects.count(), AuditEntry.objects.count()) == (jobs, entries)


def test_the_region_filter_of_a_regional_manager_cannot_name_another_region(world):
    with schema(world):
        with pytest.raises(ExportInvalid) as caught:
            services.export_start(actor=world.rm_west, kind="orders", fmt="csv", filters={"region": world.hq.pk})
        assert list(caught.value.fields) == ["region"]
        with pytest.raises(ExportForbidden):
            services.export_start(actor=world.buyer, kind="returns", fmt="csv", filters={})


# --- the job: states, failures, queries ---------------------------------------------------------------------------


def test_progress_goes_queued_running_done(world, django_capture_on_commit_callbacks):
    client = signed_in(world.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/console/reports/exports/start/", {"kind": "order_lines", "fmt": "csv"})
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/console/reports/exports/{job_id}/").content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 1s"' in page and "Waiting to start" in page
    assert 'id="export-download"' not in page
    written = []

    def watch(execute, sql, params, many, context):
        if sql.startswith('UPDATE "reporting_exportjob"') and '"status"' in sql.split("WHERE")[0]:
            written.append(next(p for p in params if p in ("queued", "running", "done", "failed")))
        return execute(sql, params, many, context)

    with schema(world), connection.execute_wrapper(watch):
        assert len(callbacks) == 1
        callbacks[0]()
    assert written == ["running", "done"]
    progress = client.get(f"/console/reports/exports/{job_id}/progress/").content.decode()
    assert 'data-status="done"' in progress and "hx-get" not in progress
    assert f'href="/console/reports/exports/{job_id}/download/"' in progress and "Ready: 4 rows." in progress
    with schema(world):
        job = ExportJob.objects.get(pk=job_id)
        assert (job.rows_done, job.rows_total, job.error) == (4, 4, "")
        assert job.started_at <= job.finished_at and job.expires_at == job.created_at + timedelta(days=7)
        assert job.file.name.startswith("exports/") and job.file.name.endswith(".csv")
        assert AuditEntry.objects.filter(action="reporting.export.requested", target_id=str(job_id)).count() == 1
        # a second delivery of the task writes nothing again
        assert services.export_run(job_id=job_id).finished_at == job.finished_at


def test_a_job_whose_filters_no_longer_fit_ends_failed_with_a_message(world, django_capture_on_commit_callbacks):
    client = signed_in(world.rm_west)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/console/reports/exports/start/",
                               {"kind": "orders", "fmt": "xlsx", "query": f"region={world.west.pk}"})
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    with schema(world):  # the manager is moved to another region before the job runs
        south = dealers.region_create(actor=None, parent=world.hq, name="南区", code="R-SOUTH")
        User.objects.filter(pk=world.rm_west.pk).update(scope_node=south)
        callbacks[0]()
        job = ExportJob.objects.get(pk=job_id)
    assert job.status == "failed" and not job.file
    assert job.error == "The filters no longer fit what you may see. No such region in your part of the network."
    page = client.get(f"/console/reports/exports/{job_id}/")
    assert page.status_code == 200 and 'data-status="failed"' in page.content.decode()
    assert "No such region in your part of the network." in page.content.decode()
    assert client.get(f"/console/reports/exports/{job_id}/download/").status_code == 404


def test_a_job_that_cannot_write_its_file_ends_failed_not_500(world, django_capture_on_commit_callbacks, settings,
                                                              tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker  # the storage cannot make its folders under a file
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s/"
    client = signed_in(world.admin)
    response, job_id = start(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    with schema(world):
        job = ExportJob.objects.get(pk=job_id)
    assert job.status == "failed"
    assert job.error == "The file could not be written. Try again; if it fails again, tell us."
    assert client.get(f"/console/reports/exports/{job_id}/").status_code == 200


@pytest.mark.parametrize("kind", ["orders", "order_lines", "shipments"])
def test_the_workers_queries_do_not_grow_with_the_orders(world, kind):
    def run() -> int:
        job = services.export_start(actor=world.admin, kind=kind, fmt="xlsx", filters={})
        with CaptureQueriesContext(connection) as queries:
            services.export_run(job_id=job.pk)
        assert ExportJob.objects.get(pk=job.pk).status == "done"
        return len(queries)

    with schema(world):
        few = run()
        for _n in range(17):
            order_submit(actor=world.buyer, dealer=world.store.dealer, lines=[
                SubmitLine(world.store.sku.pk, None, 1), SubmitLine(world.store.water.pk, None, 1)])
        assert Order.objects.count() == 20
        assert run() == few


# --- reports ----------------------------------------------------------------------------------------------------


def test_a_report_export_writes_the_report_the_page_shows(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    spec = ReportSpec(date_from=today - timedelta(days=30), date_to=today, dimensions=("dealer",),
                      measures=("net", "lines"), filters=Filters(tiers=(world.store.tier.pk,)))
    with schema(world):
        rollups_refresh()
        report = report_run(actor=world.admin, spec=spec)
        with django_capture_on_commit_callbacks(execute=True):
            job = services.export_report_start(actor=world.admin, spec=spec, fmt="xlsx")
        job.refresh_from_db()
    assert job.status == "done" and job.filters["filters"] == {"tiers": [world.store.tier.pk]}
    client = signed_in(world.admin)
    rows = xlsx_rows(download(client, job.pk)[1])
    assert rows[0] == ("Dealer", "Net sales", "Order lines")
    assert rows[-1] == ("Total", float(report.totals[0]), report.totals[1]) == ("Total", 294.0, 3)
    assert len(rows) == len(report.rows) + 2


def test_report_specs_go_to_json_and_back():
    spec = ReportSpec(date_from=datetime(2025, 1, 1).date(), date_to=datetime(2025, 3, 31).date(),
                      dimensions=("month", "region"), measures=("net", "orders"), currency="CNY",
                      filters=Filters(region=4, tiers=(1, 2)), limit=200)
    data = spec_to_json(spec)
    assert data == {"date_from": "2025-01-01", "date_to": "2025-03-31", "dimensions": ["month", "region"],
                    "measures": ["net", "orders"], "currency": "CNY", "filters": {"region": 4, "tiers": [1, 2]},
                    "limit": 200}
    assert spec_from_json(data) == spec
    with pytest.raises(ExportInvalid) as caught:
        spec_from_json({**data, "date_to": "soon", "filters": {"tiers": ["1; DROP"]}, "measures": ["profit"]})
    assert set(caught.value.fields) == {"date_to", "filters.tiers"}
    with pytest.raises(ExportInvalid) as caught:
        spec_from_json({**data, "measures": ["profit"]})
    assert set(caught.value.fields) == {"measures"}


def test_a_bad_report_spec_posted_is_a_400(world):
    client = signed_in(world.admin)
    response = client.post("/console/reports/exports/report/", {"spec": "{not json", "fmt": "csv"})
    assert response.status_code == 400 and 'data-field="spec"' in response.content.decode()
    response = client.post("/console/reports/exports/report/", {"spec": '{"date_from": "2025-02-01", '
                                                                        '"date_to": "2025-01-01"}', "fmt": "csv"})
    assert response.status_code == 400 and 'data-field="date_to"' in response.content.decode()
    with schema(world):
        assert ExportJob.objects.count() == 0
