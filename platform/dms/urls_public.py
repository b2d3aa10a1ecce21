"""URLs of the platform host (public schema): public site, onboarding, operator console."""

from django.urls import include, path

from dms.urls_common import urlpatterns as common
from shared_apps.public_site import views as public_views
from tenant_apps.accounts.urls import sign_in_patterns

urlpatterns = [
    path("", public_views.home, name="home"),
    path("", include("onboarding.urls")),
    path("operator/", include("shared_apps.operator_console.urls")),
    path("billing/", include("billing_saas.urls")),  # Stripe's webhook
    # operators sign in, out and reset their password; users, invitations and the auth API are a brand's
    path("accounts/", include((sign_in_patterns, "accounts"))),
    *common,
]

handler500 = "dms.errors.server_error"  # a database outage is a 503 wherever it is raised
