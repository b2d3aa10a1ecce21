"""Reporting's tables: the sales rollups the reports read (rollups.py); saved reports, schedules and export jobs
in their own modules."""

from tenant_apps.reporting.models.rollups import (
    DealerDay,
    ProductMonth,
    RollupState,
    SalesDay,
    SalesMonth,
    SkuMonth,
)

__all__ = ["DealerDay", "ProductMonth", "RollupState", "SalesDay", "SalesMonth", "SkuMonth"]
