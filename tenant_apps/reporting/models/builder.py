"""Saved reports and their schedules (the report builder: tenant_apps/reporting/builder).

A saved report keeps its spec as the query parameters of specs.spec_to_dict, with a named period kept by name
(`period=this_month`) so that it always covers the right dates when it is opened or sent. The ids in it are
checked again against each reader's scope whenever it runs; nothing of a report's figures is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChartKind(models.TextChoices):
    AUTO = "auto", _("Chosen for the data")
    BAR = "bar", _("Bars")
    LINE = "line", _("Line")
    PIE = "pie", _("Pie")
    NONE = "none", _("Table only")


class SavedReport(models.Model):
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("owner"))
    spec = models.JSONField(default=dict)  # specs.spec_to_dict, a named period by name
    # brand role codes (accounts.permissions.Role) whose people may open it, besides its owner
    shared_roles = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    chart = models.CharField(_("chart"), max_length=8, choices=ChartKind.choices, default=ChartKind.AUTO)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="reporting_one_report_name_per_owner")]

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]


class ReportSchedule(models.Model):
    """A saved report mailed (XLSX attached) to brand users at `hour` (the workspace's time zone): every day, on
    `weekday` (0 = Monday) or on `day_of_month` (1-28). Each recipient gets it run as themselves, in their
    language. `next_run_at` is the run still to send; sending moves it on in the same statement that claims the
    run, so a run is mailed once however often the task runs."""

    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    hour = models.PositiveSmallIntegerField(_("hour"), default=8)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["active", "next_run_at"], name="reporting_schedule_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="reporting_schedule_hour"),
            models.CheckConstraint(condition=models.Q(weekday__isnull=True) | models.Q(weekday__lte=6),
                                   name="reporting_schedule_weekday"),
            models.CheckConstraint(
                condition=models.Q(day_of_month__isnull=True) | models.Q(day_of_month__gte=1, day_of_month__lte=28),
                name="reporting_schedule_day_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.frequency}"

    @property
    def weekday_label(self) -> str:
        return str(dict(WEEKDAYS).get(self.weekday, ""))
