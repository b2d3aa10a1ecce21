"""URLs of a brand's host (the tenant's schema): storefront, console, API."""

from django.urls import include, path, re_path

from dms.urls_common import urlpatterns as common
from tenant_apps.accounts import urls as accounts_urls
from tenant_apps.accounts.api import views as accounts_api_views
from tenant_apps.announcements import urls_storefront as announcements_storefront
from tenant_apps.console import urls_console as console_urls
from tenant_apps.console import urls_storefront as console_storefront
from tenant_apps.console import views as console_views
from tenant_apps.core import media
from tenant_apps.dealers import urls_console as dealers_urls
from tenant_apps.dealers.api import urls as dealers_api_urls
from tenant_apps.finance.payments import views as finance_payments
from tenant_apps.ordering import urls_storefront as ordering_storefront
from tenants import views as tenant_views

urlpatterns = [
    # The API first, ordering first in it: Django tries patterns in order, and submitting orders is the hottest
    # call (no two apps share a path, so the order decides nothing else).
    path("api/v1/", include("tenant_apps.ordering.api.urls")),
    path("api/v1/", include("tenant_apps.dealers.api.urls")),
    path("api/v1/", include("tenant_apps.inventory.api.urls")),
    path("api/v1/", include("tenant_apps.forecasting.api.urls")),
    path("api/v1/", include("tenant_apps.catalog.api.urls")),
    path("api/v1/", include("tenant_apps.pricing.api.urls")),
    path("api/v1/", include("tenant_apps.quoting.api.urls")),
    path("api/v1/", include("tenant_apps.promotions.api.urls")),
    path("api/v1/", include("tenant_apps.recommendations.api.urls")),
    path("api/v1/", include("tenant_apps.fulfillment.api.urls")),
    path("api/v1/", include("tenant_apps.finance.api.urls")),
    path("api/v1/", include("tenant_apps.approvals.api.urls")),
    path("api/v1/", include("tenant_apps.console.api.urls")),
    path("api/v1/", include("tenant_apps.accounts.api.urls")),
    path("api/v1/", include("tenant_apps.replenishment.api.urls")),
    path("api/v1/integrations/", include("tenant_apps.integrations.api.urls")),
    path("api/v1/", include(dealers_api_urls.people_patterns)),
    path("api/v1/auth/password/change/", accounts_api_views.PasswordChangeView.as_view(),
         name="rest_password_change"),
    path("api/v1/auth/", include("dj_rest_auth.urls")),
    path("api/v1/me/", accounts_api_views.me, name="api-me"),
    path("accounts/handoff/<str:token>/", tenant_views.handoff, name="handoff"),  # tenants: redeems the token
    path("accounts/", include(([*accounts_urls.urlpatterns, *dealers_urls.people_patterns], "accounts"))),
    path("", console_views.home, name="home"),
    path("console/", include("tenant_apps.console.urls_console")),
    path("console/network/", include("tenant_apps.dealers.urls_console")),
    path("console/inventory/", include("tenant_apps.inventory.urls_console")),
    path("console/catalog/", include("tenant_apps.catalog.urls_console")),
    path("console/pricing/", include("tenant_apps.pricing.urls_console")),
    path("console/promotions/preview/", include("tenant_apps.quoting.urls_console")),
    path("console/promotions/", include("tenant_apps.promotions.urls_console")),
    path("console/fulfillment/", include("tenant_apps.fulfillment.urls_console")),
    path("console/orders/", include("tenant_apps.ordering.urls_console")),
    path("console/approvals/", include("tenant_apps.approvals.urls_console")),
    path("console/finance/", include("tenant_apps.finance.urls_console")),
    path("console/reports/", include("tenant_apps.reporting.urls_console")),
    path("console/forecasts/", include("tenant_apps.forecasting.urls_console")),
    path("console/recommendations/", include("tenant_apps.recommendations.urls_console")),
    path("console/replenishment/", include("tenant_apps.replenishment.urls_console")),
    path("console/webhooks/", include("tenant_apps.webhooks.urls_console")),
    path("console/announcements/", include("tenant_apps.announcements.urls_console")),
    path("console/integrations/", include("tenant_apps.integrations.urls_console")),
    path("console/notifications/", include("tenant_apps.notifications.urls_console")),
    path("console/audit/", include((console_urls.audit_patterns, "audit"))),
    path("account/finance/", include("tenant_apps.finance.urls_storefront")),
    path("account/reports/", include("tenant_apps.reporting.urls_storefront")),
    path("account/notifications/", include("tenant_apps.notifications.urls_storefront")),
    path("finance/payments/webhook/<slug:provider>/", finance_payments.payment_webhook,
         name="finance-payment-webhook"),
    path("account/", include("tenant_apps.dealers.urls_storefront")),
    path("catalog/", include("tenant_apps.console.urls_storefront")),
    path("promotions/", include("tenant_apps.promotions.urls_storefront")),
    path("recommendations/", include("tenant_apps.recommendations.urls_storefront")),
    path("replenishment/", include("tenant_apps.replenishment.urls_storefront")),
    path("announcements/", include("tenant_apps.announcements.urls_storefront")),
    path("", include((announcements_storefront.root_patterns, "pwa"))),  # manifest, sw.js, icons, push
    path("cart/", include(ordering_storefront.cart_patterns)),
    path("shipments/", include("tenant_apps.fulfillment.urls_storefront")),
    path("orders/", include(ordering_storefront.orders_patterns)),
    path("supplier/", include((console_storefront.supplier_patterns, "supplier"))),
    re_path(r"^media/(?P<path>.+)$", media.tenant_media, name="tenant-media"),
    *common,
]

handler500 = "dms.errors.server_error"  # a database outage is a 503 wherever it is raised
