"""The brand console's report pages, mounted at /console/reports/ (namespace reporting): each area of
tenant_apps/reporting/pages lists its own patterns."""

from tenant_apps.reporting.pages import analyses, builder, dashboards, documents, exports, sales

app_name = "reporting"

urlpatterns = [*dashboards.console_urls, *sales.console_urls, *analyses.console_urls, *builder.console_urls,
               *exports.console_urls, *documents.console_urls]
