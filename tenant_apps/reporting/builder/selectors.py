"""Reads of the report builder: the saved reports a reader may open, a stored spec read back as the reader may
run it, and the people a schedule may mail."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import REPORTS_BUILD, REPORTS_VIEW, Role, has_perm
from tenant_apps.core.errors import NotFound
from tenant_apps.reporting.models import ReportSchedule, SavedReport
from tenant_apps.reporting.specs import ReportForm, period_dates, spec_form_from_dict, spec_to_dict

# Who manages every saved report of the workspace (besides each report's owner).
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.SUPPORT})
# The roles a report can be shared with, and the people a schedule can mail: the brand's staff.
SHARE_ROLES = (Role.ADMIN, Role.REGIONAL_MANAGER, Role.SALES_REP, Role.FINANCE, Role.WAREHOUSE, Role.ANALYST)
RECIPIENT_ROLES = (Role.OWNER, *SHARE_ROLES)


def saved_reports_visible_to(actor) -> QuerySet[SavedReport]:
    """The reports `actor` may open: their own, those shared with their role; every one for the workspace's
    owner and administrators. Nothing without reports.view."""
    if not has_perm(actor, REPORTS_VIEW):
        return SavedReport.objects.none()
    reports = SavedReport.objects.all()
    if actor.role in MANAGER_ROLES:
        return reports
    return reports.filter(Q(owner=actor) | Q(shared_roles__contains=[actor.role]))


def saved_report_list(*, actor) -> list[SavedReport]:
    """The builder's list: the reader's own reports first, then the others, by name; each with its owner and its
    number of schedules (two queries, whatever the number of reports)."""
    reports = (saved_reports_visible_to(actor).select_related("owner")
               .annotate(schedule_count=Count("schedules")).order_by("name", "id"))
    return sorted(reports, key=lambda report: report.owner_id != actor.pk)


def saved_report_get_for(*, actor, report_id) -> SavedReport:
    """The report if `actor` may open it; NotFound otherwise, existing or not."""
    try:
        report_id = int(report_id)
    except (TypeError, ValueError):
        report_id = 0
    report = (saved_reports_visible_to(actor).select_related("owner").filter(pk=report_id).first()
              if 0 < report_id < 2**63 else None)
    if report is None:
        raise NotFound(_("No such report."))
    return report


def may_manage(actor, report: SavedReport) -> bool:
    """Whether `actor` may change, share, schedule or delete `report`: its owner, or the workspace's owner and
    administrators, with reports.build."""
    return has_perm(actor, REPORTS_BUILD) and (report.owner_id == actor.pk or actor.role in MANAGER_ROLES)


def schedule_get_for(*, actor, report: SavedReport, schedule_id) -> ReportSchedule:
    try:
        schedule_id = int(schedule_id)
    except (TypeError, ValueError):
        schedule_id = 0
    schedule = (report.schedules.filter(pk=schedule_id).first() if 0 < schedule_id < 2**63 else None)
    if schedule is None or not may_manage(actor, report):
        raise NotFound(_("No such schedule."))
    return schedule


def schedules_of(report: SavedReport) -> list[ReportSchedule]:
    return list(report.schedules.prefetch_related("recipients").order_by("id"))


def recipient_choices() -> QuerySet[User]:
    """The people a schedule may mail: the brand's active staff of this workspace (no dealer staff, no platform
    support)."""
    return User.objects.filter(is_active=True, role__in=RECIPIENT_ROLES).order_by("email")


def stored_spec(form: ReportForm) -> dict:
    """A checked spec as a saved report keeps it: a named period by its name (so that it moves with the calendar),
    else its dates."""
    data = spec_to_dict(form.spec())
    cleaned = form.cleaned_data
    if not cleaned.get("date_from") and not cleaned.get("date_to"):
        period = cleaned.get("period") or form.default_period
        if period != "custom":
            data.pop("date_from", None)
            data.pop("date_to", None)
            data["period"] = period
    return data


def stored_query(stored: dict, *, today: date | None = None) -> QueryDict:
    """A stored spec as the query string a report page reads, its named period resolved on `today`."""
    data = {key: value for key, value in (stored or {}).items() if isinstance(key, str)}
    if data.get("period") and not data.get("date_from") and not data.get("date_to"):
        start, end = period_dates(str(data["period"]), today)
        data["date_from"], data["date_to"] = start.isoformat(), end.isoformat()
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, str | int):
            query[key] = str(value)
    return query


def saved_report_form(report: SavedReport, *, actor, today: date | None = None) -> ReportForm:
    """The saved report's spec as `actor` may run it (checked again against their scope: call is_valid())."""
    return spec_form_from_dict(dict(stored_query(report.spec, today=today).items()), reader=actor)
