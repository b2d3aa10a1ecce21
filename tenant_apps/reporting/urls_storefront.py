"""The dealer's report pages, mounted at /account/reports/ (namespace reporting_storefront)."""

from tenant_apps.reporting.pages import analyses, builder, dashboards, documents, exports, sales

app_name = "reporting_storefront"

urlpatterns = [*dashboards.storefront_urls, *sales.storefront_urls, *analyses.storefront_urls,
               *builder.storefront_urls, *exports.storefront_urls, *documents.storefront_urls]
