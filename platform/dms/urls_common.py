"""URLs served on every host: sign-in, language switch, the auth API, the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenant_apps.accounts import api as accounts_api

urlpatterns = [
    path("accounts/", include("tenant_apps.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/auth/", include("dj_rest_auth.urls")),
    path("api/v1/me/", accounts_api.me, name="api-me"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
