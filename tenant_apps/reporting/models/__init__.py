"""Reporting's tables: the sales rollups the reports read (rollups.py); saved reports, schedules and export jobs
in their own modules."""

from tenant_apps.reporting.models.builder import ChartKind, Frequency, ReportSchedule, SavedReport
from tenant_apps.reporting.models.exports import ExportFormat, ExportJob, ExportKind, ExportStatus
from tenant_apps.reporting.models.rollups import (
    DealerDay,
    ProductMonth,
    RollupState,
    SalesDay,
    SalesMonth,
    SkuMonth,
)

__all__ = ["ChartKind", "DealerDay", "ExportFormat", "ExportJob", "ExportKind", "ExportStatus", "Frequency",
           "ProductMonth", "ReportSchedule", "RollupState", "SalesDay", "SalesMonth", "SavedReport", "SkuMonth"]
