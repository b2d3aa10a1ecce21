"""Writes of the report builder: saved reports (create, change, share with roles, delete), their schedules, and
the scheduled mail. Every write takes its actor and records an audit entry; a refused write changes nothing.

A spec is read through specs.ReportForm as the actor may see it (an id outside their scope is a field error) and
stored by selectors.stored_spec. Whoever opens or receives the report later has it run in their own scope.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import REPORTS_BUILD, has_perm
from tenant_apps.audit.services import audit_record
from tenant_apps.core.errors import DomainError, ValidationFailed
from tenant_apps.core.workspace import connection_tenant
from tenant_apps.reporting.builder.selectors import (
    RECIPIENT_ROLES,
    SHARE_ROLES,
    may_manage,
    recipient_choices,
    saved_report_form,
    stored_spec,
)
from tenant_apps.reporting.builder.timing import next_run
from tenant_apps.reporting.cube import MEASURES, ReportError
from tenant_apps.reporting.models import ChartKind, Frequency, ReportSchedule, SavedReport
from tenant_apps.reporting.selectors import report_run
from tenant_apps.reporting.services import rollups_refresh
from tenant_apps.reporting.specs import ReportForm
from tenant_apps.reporting.writers import report_xlsx

logger = logging.getLogger(__name__)
MAX_NAME = 120
MAX_REPORTS = 200  # per person
MAX_SCHEDULES = 10  # per report
MAX_RECIPIENTS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\[\]]+')


def file_name(report: SavedReport, day) -> str:
    """The report's XLSX file name in the current language (no character a file system or header refuses)."""
    name = " ".join(_UNSAFE.sub(" ", report.name).split())[:60] or _("Report")
    return _("Report %(name)s %(date)s.xlsx") % {"name": name, "date": day.isoformat()}


def sheet_name(report: SavedReport) -> str:
    """A worksheet title Excel takes: no []:*?/\\, at most 31 characters."""
    return " ".join(_UNSAFE.sub(" ", report.name).split())[:31] or _("Report")


def _refuse(actor, report: SavedReport | None = None) -> None:
    if report is None and has_perm(actor, REPORTS_BUILD):
        return
    if report is not None and may_manage(actor, report):
        return
    raise DomainError(_("You may not change this report."), code="forbidden", status=403)


def _query(params: Mapping) -> QueryDict:
    if isinstance(params, QueryDict):
        return params
    query = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        if isinstance(value, list | tuple):
            query.setlist(str(key), [str(item) for item in value])
        elif value is not None:
            query[str(key)] = str(value)
    return query


def _checked(*, actor, owner_id: int, name: str, params: Mapping, chart: str,
             report_id: int | None = None) -> tuple[str, dict, str]:
    """(name, stored spec, chart) or ValidationFailed with every field's errors."""
    errors: dict[str, list[str]] = {}
    name = " ".join(str(name or "").split())  # one line: it becomes a mail's subject and a file's name
    if not name:
        errors["name"] = [_("Give the report a name.")]
    elif _CONTROL.search(name):
        errors["name"] = [_("The name holds characters that cannot be shown.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("At most %(max)s characters.") % {"max": MAX_NAME}]
    elif SavedReport.objects.filter(owner_id=owner_id, name=name).exclude(pk=report_id).exists():
        errors["name"] = [_("You already have a report of this name.")]
    chart = chart or ChartKind.AUTO
    if chart not in ChartKind.values:
        errors["chart"] = [_("Choose a chart from the list.")]
    form = ReportForm(_query(params), actor=actor)
    if not form.is_valid():
        for field, messages in form.errors.items():
            errors.setdefault("spec" if field == "__all__" else field, []).extend(str(m) for m in messages)
    if errors:
        raise ValidationFailed(_("The report could not be saved."), fields=errors)
    return name, stored_spec(form), chart


def _state(report: SavedReport) -> dict:
    return {"name": report.name, "spec": report.spec, "chart": report.chart, "shared_roles": report.shared_roles}


def _save(report: SavedReport) -> None:
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationFailed(_("The report could not be saved."),
                               fields={"name": [_("You already have a report of this name.")]}) from None


@transaction.atomic
def saved_report_create(*, actor, name: str, params: Mapping, chart: str = "") -> SavedReport:
    """Save the report `params` (a report query string's parameters) asks for, as `actor` may see it."""
    _refuse(actor)
    name, spec, chart = _checked(actor=actor, owner_id=actor.pk, name=name, params=params, chart=chart)
    if SavedReport.objects.filter(owner=actor).count() >= MAX_REPORTS:
        raise ValidationFailed(_("The report could not be saved."), fields={
            "name": [_("You have %(max)s saved reports; delete one first.") % {"max": MAX_REPORTS}]})
    report = SavedReport(name=name, owner=actor, spec=spec, chart=chart)
    _save(report)
    audit_record(actor=actor, action="reporting.saved_report.created", target=report, after=_state(report))
    return report


@transaction.atomic
def saved_report_update(*, actor, report: SavedReport, name: str, params: Mapping, chart: str = "") -> SavedReport:
    _refuse(actor, report)
    before = _state(report)
    report.name, report.spec, report.chart = _checked(actor=actor, owner_id=report.owner_id, name=name,
                                                      params=params, chart=chart, report_id=report.pk)
    _save(report)
    audit_record(actor=actor, action="reporting.saved_report.updated", target=report, before=before,
                 after=_state(report))
    return report


@transaction.atomic
def saved_report_share(*, actor, report: SavedReport, roles: Iterable[str]) -> SavedReport:
    """Share `report` with the people of `roles` (brand roles; none: only its owner and the administrators)."""
    _refuse(actor, report)
    roles = [str(role) for role in (roles or [])]
    unknown = [role for role in roles if role not in SHARE_ROLES]
    if unknown:
        raise ValidationFailed(_("The report could not be shared."),
                               fields={"roles": [_("Choose roles of the brand's staff from the list.")]})
    before = {"shared_roles": report.shared_roles}
    report.shared_roles = [role for role in SHARE_ROLES if role in roles]
    report.save(update_fields=["shared_roles", "updated_at"])
    audit_record(actor=actor, action="reporting.saved_report.shared", target=report, before=before,
                 after={"shared_roles": report.shared_roles})
    return report


@transaction.atomic
def saved_report_delete(*, actor, report: SavedReport) -> None:
    """Delete `report` and its schedules."""
    _refuse(actor, report)
    audit_record(actor=actor, action="reporting.saved_report.deleted", target=report, before=_state(report))
    SavedReport.objects.filter(pk=report.pk).delete()


# --- schedules ----------------------------------------------------------------------------------------------

def _int(value, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _schedule_values(*, frequency, hour, weekday, day_of_month, recipients) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {"frequency": frequency, "weekday": None, "day_of_month": None}
    if frequency not in Frequency.values:
        errors["frequency"] = [_("Choose daily, weekly or monthly.")]
    values["hour"] = _int(hour, 0, 23)
    if values["hour"] is None:
        errors["hour"] = [_("Choose an hour from 0 to 23.")]
    if frequency == Frequency.WEEKLY:
        values["weekday"] = _int(weekday, 0, 6)
        if values["weekday"] is None:
            errors["weekday"] = [_("Choose a day of the week.")]
    if frequency == Frequency.MONTHLY:
        values["day_of_month"] = _int(day_of_month, 1, 28)
        if values["day_of_month"] is None:
            errors["day_of_month"] = [_("Choose a day from 1 to 28.")]
    ids = set()
    for item in recipients or []:
        pk = getattr(item, "pk", item)
        number = _int(pk, 1, 2**31 - 1)
        if number is None:
            ids = None
            break
        ids.add(number)
    people = list(recipient_choices().filter(pk__in=ids)) if ids else []
    if ids is None or len(people) != len(ids):
        errors["recipients"] = [_("Choose people of the brand's staff in this workspace.")]
    elif not people:
        errors["recipients"] = [_("Choose at least one recipient.")]
    elif len(people) > MAX_RECIPIENTS:
        errors["recipients"] = [_("At most %(max)s recipients.") % {"max": MAX_RECIPIENTS}]
    if errors:
        raise ValidationFailed(_("The schedule could not be saved."), fields=errors)
    values["recipients"] = people
    return values


def _schedule_state(schedule: ReportSchedule, recipients: list) -> dict:
    return {"frequency": schedule.frequency, "hour": schedule.hour, "weekday": schedule.weekday,
            "day_of_month": schedule.day_of_month, "active": schedule.active,
            "recipients": sorted(user.email for user in recipients),
            "next_run_at": schedule.next_run_at.isoformat() if schedule.next_run_at else None}


def _next(schedule: ReportSchedule, after: datetime) -> datetime:
    return next_run(frequency=schedule.frequency, hour=schedule.hour, weekday=schedule.weekday,
                    day_of_month=schedule.day_of_month, after=after)


@transaction.atomic
def schedule_create(*, actor, report: SavedReport, frequency: str, hour, weekday=None, day_of_month=None,
                    recipients: Iterable = (), active: bool = True) -> ReportSchedule:
    """Mail `report` (XLSX attached) to `recipients` (brand staff ids or users) daily, weekly or monthly."""
    _refuse(actor, report)
    values = _schedule_values(frequency=frequency, hour=hour, weekday=weekday, day_of_month=day_of_month,
                              recipients=recipients)
    if report.schedules.count() >= MAX_SCHEDULES:
        raise ValidationFailed(_("The schedule could not be saved."), fields={
            "frequency": [_("A report has at most %(max)s schedules.") % {"max": MAX_SCHEDULES}]})
    people = values.pop("recipients")
    schedule = ReportSchedule(report=report, created_by=actor, active=bool(active), **values)
    schedule.next_run_at = _next(schedule, timezone.now())
    schedule.save()
    schedule.recipients.set(people)
    audit_record(actor=actor, action="reporting.schedule.created", target=schedule,
                 after=_schedule_state(schedule, people))
    return schedule


@transaction.atomic
def schedule_update(*, actor, schedule: ReportSchedule, frequency: str, hour, weekday=None, day_of_month=None,
                    recipients: Iterable = (), active: bool = True) -> ReportSchedule:
    _refuse(actor, schedule.report)
    values = _schedule_values(frequency=frequency, hour=hour, weekday=weekday, day_of_month=day_of_month,
                              recipients=recipients)
    before = _schedule_state(schedule, list(schedule.recipients.all()))
    people = values.pop("recipients")
    for key, value in values.items():
        setattr(schedule, key, value)
    schedule.active = bool(active)
    schedule.next_run_at = _next(schedule, timezone.now())
    schedule.save()
    schedule.recipients.set(people)
    audit_record(actor=actor, action="reporting.schedule.updated", target=schedule, before=before,
                 after=_schedule_state(schedule, people))
    return schedule


@transaction.atomic
def schedule_delete(*, actor, schedule: ReportSchedule) -> None:
    _refuse(actor, schedule.report)
    audit_record(actor=actor, action="reporting.schedule.deleted", target=schedule,
                 before=_schedule_state(schedule, list(schedule.recipients.all())))
    ReportSchedule.objects.filter(pk=schedule.pk).delete()


# --- the scheduled mail -------------------------------------------------------------------------------------


def _language(user) -> str:
    try:
        fallback = getattr(connection_tenant(), "default_locale", "") or "zh-hans"
    except ObjectDoesNotExist:  # no brand on the connection's schema
        fallback = "zh-hans"
    language = user.preferred_language or fallback
    return language if language in dict(settings.LANGUAGES) else "zh-hans"


def _message(report: SavedReport, user, now: datetime) -> EmailMessage | None:
    """The mail of `report` to `user`: run as them (their scope), in their language; None when the report names
    something outside their scope."""
    with translation.override(_language(user)):
        form = saved_report_form(report, actor=user, today=timezone.localdate(now))
        if not form.is_valid():
            logger.warning("reporting.schedule.out_of_scope", extra={"report_id": report.pk, "user_id": user.pk})
            return None
        try:
            result = report_run(actor=user, spec=form.spec())
        except ReportError:
            logger.warning("reporting.schedule.cannot_run", extra={"report_id": report.pk, "user_id": user.pk})
            return None
        spec = result.spec
        period = f"{spec.date_from.isoformat()} – {spec.date_to.isoformat()}"
        filename = file_name(report, spec.date_to)
        subject = _("Report “%(name)s”, %(period)s") % {"name": report.name, "period": period}
        totals = "\n".join(f"{MEASURES[measure].label}: {value}"
                           for measure, value in zip(spec.measures, result.totals, strict=True))
        body = _("Hello %(person)s,\n\nattached is the report “%(name)s” for %(period)s, with the figures of "
                 "your part of the network.\n\nTotals:\n%(totals)s\n\nYou receive it because you are among the "
                 "report's recipients; whoever scheduled it can change that in the report builder.") % {
            "person": user.get_short_name(), "name": report.name, "period": period, "totals": totals}
        content = report_xlsx(result, sheet=sheet_name(report))
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email],
                        attachments=[(filename, content, XLSX)])


def _deliver(messages: list[EmailMessage]) -> None:
    if messages:
        get_connection().send_messages(messages)


def _schedule_send(schedule_id: int, run_at: datetime, now: datetime) -> bool:
    """Send one due run: claimed by moving `next_run_at` on (a conditional update on the run's own time), so a
    second run of the task, or a concurrent one, finds nothing to send. The mail goes after commit."""
    with transaction.atomic():
        schedule = (ReportSchedule.objects.select_for_update(skip_locked=True).select_related("report")
                    .filter(pk=schedule_id, active=True, next_run_at=run_at).first())
        if schedule is None:
            return False
        following = _next(schedule, now)
        claimed = ReportSchedule.objects.filter(pk=schedule.pk, next_run_at=run_at).update(
            last_sent_at=now, next_run_at=following)
        if not claimed:
            return False
        people = list(schedule.recipients.filter(is_active=True, role__in=RECIPIENT_ROLES).order_by("email"))
        messages, skipped = [], []
        for user in people:
            message = _message(schedule.report, user, now)
            if message is None:
                skipped.append(user.email)
            else:
                messages.append(message)
        audit_record(actor=None, action="reporting.schedule.sent", target=schedule, after={
            "run_at": run_at.isoformat(), "sent_to": [m.to[0] for m in messages], "skipped": skipped,
            "next_run_at": following.isoformat()})
        transaction.on_commit(lambda: _deliver(messages))
    return True


def schedules_send_due(*, now: datetime | None = None) -> int:
    """Mail every schedule whose run is due at `now` (the rollups brought up to date first). Returns the number
    of runs sent. Idempotent: a run is sent once, however often (or concurrently) this is called."""
    now = now or timezone.now()
    due = list(ReportSchedule.objects.filter(active=True, next_run_at__lte=now).order_by("next_run_at", "id")
               .values_list("pk", "next_run_at"))
    if not due:
        return 0
    rollups_refresh()
    return sum(_schedule_send(pk, run_at, now) for pk, run_at in due)
