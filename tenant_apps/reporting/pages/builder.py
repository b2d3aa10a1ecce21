"""Reporting pages: the report builder (/console/reports/builder/). Choose dimensions, measures and filters with a
live preview (table and chart), save the report, open it (run for the reader, in their scope), share it with
roles, schedule it by mail, download it. Reading saved reports needs reports.view; building, sharing and
scheduling reports.build; a report the reader may not open is a 404."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import REPORTS_BUILD, REPORTS_EXPORT, REPORTS_VIEW, Role, has_perm
from tenant_apps.catalog.models import Category
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers.models import Node, Territory, Tier
from tenant_apps.dealers.selectors import dealers_visible_to, nodes_visible_to
from tenant_apps.reporting.builder import selectors, services
from tenant_apps.reporting.builder.forms import MULTIPLE, ScheduleForm, ShareForm, spec_query
from tenant_apps.reporting.charts import chart_for
from tenant_apps.reporting.cube import DIMENSIONS, MAX_DIMENSIONS, MEASURES, ReportError
from tenant_apps.reporting.models import ChartKind
from tenant_apps.reporting.selectors import report_run
from tenant_apps.reporting.specs import PERIODS, ReportForm, spec_params
from tenant_apps.reporting.writers import report_xlsx

MAX_CHOICES = 300  # dealers offered as a filter


def _report_or_404(request, report_id) -> object:
    try:
        return selectors.saved_report_get_for(actor=request.user, report_id=report_id)
    except DomainError:
        raise Http404 from None


def _managed(request, report_id):
    """The report, if the reader may change it: 404 when they may not open it, 403 when only open it."""
    report = _report_or_404(request, report_id)
    if not selectors.may_manage(request.user, report):
        raise PermissionDenied
    return report


def _role_labels(codes) -> list[str]:
    return [str(Role(code).label) for code in codes if code in Role.values]


@requires(REPORTS_VIEW)
@require_GET
def builder_list(request):
    reports = selectors.saved_report_list(actor=request.user)
    rows = [{"report": report, "mine": report.owner_id == request.user.pk, "shared": _role_labels(report.shared_roles)}
            for report in reports]
    return render(request, "reporting/builder/list.html", {
        "rows": rows, "can_build": has_perm(request.user, REPORTS_BUILD)})


# --- building ------------------------------------------------------------------------------------------------

def _choices(user) -> dict:
    regions = nodes_visible_to(user).exclude(kind=Node.Kind.DEALER).order_by("path")
    return {
        "periods": list(PERIODS.items()),
        "dimensions": [(name, label) for name, label in DIMENSIONS.items()],
        "measures": [(name, measure.label) for name, measure in MEASURES.items()],
        "regions": list(regions.values_list("pk", "name")),
        "provinces": list(Territory.objects.filter(parent__isnull=False, parent__parent__isnull=True)
                          .order_by("code").values_list("pk", "name")),
        "tiers": list(Tier.objects.order_by("rank", "name").values_list("pk", "name")),
        "categories": list(Category.objects.order_by("path").values_list("pk", "name")),
        "dealers": [(pk, short or legal) for pk, short, legal in
                    dealers_visible_to(user).order_by("code").values_list("pk", "name", "legal_name")[:MAX_CHOICES]],
        "charts": ChartKind.choices,
    }


def _state(query: QueryDict, *, name: str = "", chart: str = "") -> dict:
    """What the builder's controls show: the report query string's values."""
    dims = [dim for dim in (query.get("dims") or "").split(",") if dim]
    ids = {key: {value for item in query.getlist(key) for value in str(item).split(",") if value.strip()}
           for key in MULTIPLE}
    return {
        "name": name, "chart": chart or ChartKind.AUTO, "period": query.get("period") or (
            "custom" if query.get("date_from") else "this_month"),
        "date_from": query.get("date_from", ""), "date_to": query.get("date_to", ""),
        "dims": (dims + [""] * MAX_DIMENSIONS)[:MAX_DIMENSIONS],
        "measures": set((query.get("measures") or "net").split(",")),
        "region": query.get("region", ""), "province": query.get("province", ""),
        "category": query.get("category", ""), "tiers": ids["tier"], "dealers": ids["dealer"],
        # kept as they came (from an analysis link): no control of their own on this page
        "hidden": [(key, value) for key in ("rep", "series", "product", "sku") for value in sorted(ids[key])]
                  + [(key, query[key]) for key in ("currency", "limit") if query.get(key)],
    }


def _builder(request, *, report=None, query: QueryDict, name: str = "", chart: str = "", errors=None,
             status: int = 200):
    return render(request, "reporting/builder/edit.html", {
        "report": report, "state": _state(query, name=name, chart=chart), "choices": _choices(request.user),
        "errors": errors or {}, "preview": _preview(request.user, query, chart=chart),
    }, status=status)


def _preview(user, query: QueryDict, *, chart: str = "") -> dict:
    """The report the choices give (its table and chart), or the choices' errors."""
    form = ReportForm(query, actor=user)
    if not form.is_valid():
        return {"errors": {field: list(messages_) for field, messages_ in form.errors.items()}}
    try:
        result = report_run(actor=user, spec=form.spec())
    except ReportError as error:
        return {"errors": error.errors}
    kind = "" if chart in ("", ChartKind.AUTO) else chart
    shown = {"kind": "none", "title": "", "option": {}} if kind == ChartKind.NONE else chart_for(result, kind=kind)
    return {"report": result, "chart": shown, "spec_query": spec_params(result.spec)}


@requires(REPORTS_BUILD)
@require_GET
def builder_preview(request):
    """The live preview (htmx) of the builder's choices."""
    query = spec_query(request.GET)
    preview = _preview(request.user, query, chart=request.GET.get("chart", ""))
    status = 400 if preview.get("errors") and not request.headers.get("HX-Request") else 200
    return render(request, "reporting/builder/_preview.html", {"preview": preview}, status=status)


@requires(REPORTS_BUILD)
@require_http_methods(["GET", "POST"])
def builder_new(request):
    if request.method == "GET":
        return _builder(request, query=spec_query(request.GET) if request.GET else QueryDict(
            "period=this_month&dims=month&measures=net"))
    query = spec_query(request.POST)
    name, chart = request.POST.get("name", ""), request.POST.get("chart", "")
    try:
        report = services.saved_report_create(actor=request.user, name=name, params=query, chart=chart)
    except DomainError as error:
        messages.error(request, str(error.detail))
        return _builder(request, query=query, name=name, chart=chart, errors=error.fields, status=error.status)
    messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
    return redirect("reporting:builder-report", report_id=report.pk)


@requires(REPORTS_BUILD)
@require_http_methods(["GET", "POST"])
def builder_edit(request, report_id: int):
    report = _managed(request, report_id)
    if request.method == "GET":
        return _builder(request, report=report, query=selectors.stored_query(report.spec), name=report.name,
                        chart=report.chart)
    query = spec_query(request.POST)
    name, chart = request.POST.get("name", ""), request.POST.get("chart", "")
    try:
        services.saved_report_update(actor=request.user, report=report, name=name, params=query, chart=chart)
    except DomainError as error:
        messages.error(request, str(error.detail))
        return _builder(request, report=report, query=query, name=name, chart=chart, errors=error.fields,
                        status=error.status)
    messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
    return redirect("reporting:builder-report", report_id=report.pk)


# --- reading --------------------------------------------------------------------------------------------------

@requires(REPORTS_VIEW)
@require_GET
def builder_report(request, report_id: int):
    """The saved report, run for the reader (their scope, today's dates for a named period)."""
    report = _report_or_404(request, report_id)
    form = selectors.saved_report_form(report, actor=request.user)
    preview = _preview(request.user, form.data, chart=report.chart)
    return render(request, "reporting/builder/report.html", {
        "report": report, "preview": preview, "shared": _role_labels(report.shared_roles),
        "can_manage": selectors.may_manage(request.user, report),
        "can_export": has_perm(request.user, REPORTS_EXPORT),
        "schedules": selectors.schedules_of(report) if selectors.may_manage(request.user, report) else [],
    })


@requires(REPORTS_EXPORT)
@require_GET
def builder_xlsx(request, report_id: int):
    """The saved report as an XLSX workbook, run for the reader (a report's rows are capped by its spec)."""
    report = _report_or_404(request, report_id)
    form = selectors.saved_report_form(report, actor=request.user)
    if not form.is_valid():
        raise Http404
    try:
        result = report_run(actor=request.user, spec=form.spec())
    except ReportError:
        raise Http404 from None
    return FileResponse(io.BytesIO(report_xlsx(result, sheet=services.sheet_name(report))), as_attachment=True,
                        filename=services.file_name(report, result.spec.date_to), content_type=services.XLSX)


# --- sharing, scheduling, deleting ------------------------------------------------------------------------------

@requires(REPORTS_BUILD)
@require_http_methods(["GET", "POST"])
def builder_share(request, report_id: int):
    report = _managed(request, report_id)
    form = ShareForm(request.POST if request.method == "POST" else None, initial={"roles": report.shared_roles})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.saved_report_share(actor=request.user, report=report, roles=form.cleaned_data["roles"])
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Sharing saved."))
                return redirect("reporting:builder-report", report_id=report.pk)
    return render(request, "reporting/builder/share.html", {"report": report, "form": form}, status=status)


def _schedule_page(request, report, form, *, schedule=None, status=200):
    return render(request, "reporting/builder/schedules.html", {
        "report": report, "form": form, "schedule": schedule, "schedules": selectors.schedules_of(report)},
        status=status)


def _schedule_post(request, report, *, schedule=None):
    form = ScheduleForm(request.POST)
    if form.is_valid():
        values = {**form.cleaned_data, "recipients": [user.pk for user in form.cleaned_data["recipients"]]}
        try:
            if schedule is None:
                services.schedule_create(actor=request.user, report=report, **values)
            else:
                services.schedule_update(actor=request.user, schedule=schedule, **values)
        except DomainError as error:
            apply_domain_error(form, error)
            return _schedule_page(request, report, form, schedule=schedule, status=error.status)
        messages.success(request, _("Schedule saved."))
        return redirect("reporting:builder-schedules", report_id=report.pk)
    return _schedule_page(request, report, form, schedule=schedule, status=400)


@requires(REPORTS_BUILD)
@require_http_methods(["GET", "POST"])
def builder_schedules(request, report_id: int):
    report = _managed(request, report_id)
    if request.method == "POST":
        return _schedule_post(request, report)
    return _schedule_page(request, report, ScheduleForm(initial={"frequency": "weekly", "weekday": 0, "hour": 8,
                                                                 "active": True}))


@requires(REPORTS_BUILD)
@require_http_methods(["GET", "POST"])
def builder_schedule(request, report_id: int, schedule_id: int):
    report = _managed(request, report_id)
    try:
        schedule = selectors.schedule_get_for(actor=request.user, report=report, schedule_id=schedule_id)
    except DomainError:
        raise Http404 from None
    if request.method == "POST":
        return _schedule_post(request, report, schedule=schedule)
    form = ScheduleForm(initial={"frequency": schedule.frequency, "weekday": schedule.weekday,
                                 "day_of_month": schedule.day_of_month, "hour": schedule.hour,
                                 "recipients": list(schedule.recipients.all()), "active": schedule.active})
    return _schedule_page(request, report, form, schedule=schedule)


@requires(REPORTS_BUILD)
@require_POST
def builder_schedule_delete(request, report_id: int, schedule_id: int):
    report = _managed(request, report_id)
    try:
        schedule = selectors.schedule_get_for(actor=request.user, report=report, schedule_id=schedule_id)
    except DomainError:
        raise Http404 from None
    services.schedule_delete(actor=request.user, schedule=schedule)
    messages.success(request, _("Schedule deleted."))
    return redirect("reporting:builder-schedules", report_id=report.pk)


@requires(REPORTS_BUILD)
@require_http_methods(["GET", "POST"])
def builder_delete(request, report_id: int):
    report = _managed(request, report_id)
    if request.method == "POST":
        services.saved_report_delete(actor=request.user, report=report)
        messages.success(request, _("Report “%(name)s” deleted.") % {"name": report.name})
        return redirect("reporting:builder")
    return render(request, "reporting/builder/delete.html", {"report": report})


console_urls: list = [
    path("builder/", builder_list, name="builder"),
    path("builder/new/", builder_new, name="builder-new"),
    path("builder/preview/", builder_preview, name="builder-preview"),
    path("builder/<int:report_id>/", builder_report, name="builder-report"),
    path("builder/<int:report_id>/edit/", builder_edit, name="builder-edit"),
    path("builder/<int:report_id>/xlsx/", builder_xlsx, name="builder-xlsx"),
    path("builder/<int:report_id>/share/", builder_share, name="builder-share"),
    path("builder/<int:report_id>/schedules/", builder_schedules, name="builder-schedules"),
    path("builder/<int:report_id>/schedules/<int:schedule_id>/", builder_schedule, name="builder-schedule"),
    path("builder/<int:report_id>/schedules/<int:schedule_id>/delete/", builder_schedule_delete,
         name="builder-schedule-delete"),
    path("builder/<int:report_id>/delete/", builder_delete, name="builder-delete"),
]
storefront_urls: list = []
