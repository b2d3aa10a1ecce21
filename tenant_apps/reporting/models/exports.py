"""Export jobs: a user's request to write orders, order lines, shipments, returns or a report to a CSV or XLSX
file, run by a task (tenant_apps/reporting/exports/services.py), downloaded only by whoever asked for it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    ORDERS = "orders", _("Orders")
    ORDER_LINES = "order_lines", _("Order lines")
    SHIPMENTS = "shipments", _("Shipments")
    RETURNS = "returns", _("Returns")
    REPORT = "report", _("Report")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV file")
    XLSX = "xlsx", _("Excel workbook")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_path(job: ExportJob, filename: str) -> str:
    """Under the tenant's own media folder (TenantFileSystemStorage adds the schema): exports/<uuid>.<ext>.
    The client never names the stored file."""
    return f"exports/{uuid.uuid4().hex}.{job.fmt}"


class ExportJob(models.Model):
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=16, choices=ExportKind.choices)
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    # The list page's filters as its query parameters ({"status": "approved", "from": "2025-01-01"}), or the
    # report's spec (exports.spec.spec_to_json); validated again, in the requester's scope, when the job runs.
    filters = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)  # the column headers' language
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    error = models.TextField(blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=export_path, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.kind}.{self.fmt} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def download_name(self) -> str:
        """A safe name for the download (ASCII letters, digits and dashes only)."""
        return f"{self.kind.replace('_', '-')}-{self.created_at:%Y%m%d-%H%M}-{self.pk}.{self.fmt}"
