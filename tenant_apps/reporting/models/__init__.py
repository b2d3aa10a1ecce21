"""Reporting's tables: the sales rollups the reports read (rollups.py); saved reports, schedules and export jobs
in their own modules."""

from tenant_apps.reporting.models.builder import ChartKind, Frequency, ReportSchedule, SavedReport
from tenant_apps.reporting.models.exports import ExportFormat, ExportJob, ExportKind, ExportStatus
from tenant_apps.reporting.models.rollups import DealerDay, RollupState, SalesDay, SalesMonth

__all__ = ["ChartKind", "DealerDay", "ExportFormat", "ExportJob", "ExportKind", "ExportStatus", "Frequency",
           "ReportSchedule", "RollupState", "SalesDay", "SalesMonth", "SavedReport"]
