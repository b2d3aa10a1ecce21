"""URLs served on every host: the favicon, sign-in, language switch, the auth API, the OpenAPI schema and docs."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from dms.schema import HostSchemaView
from tenant_apps.accounts import api as accounts_api
from tenants import views as tenant_views

urlpatterns = [
    path("favicon.ico", tenant_views.favicon, name="favicon"),
    path("accounts/", include("tenant_apps.accounts.urls")),
    # un-namespaced: the name Django's and dj-rest-auth's reset emails link to
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html", success_url="/accounts/password/reset/done/",
    ), name="password_reset_confirm"),
    path("api/v1/", include("tenant_apps.accounts.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/auth/", include("dj_rest_auth.urls")),
    path("api/v1/me/", accounts_api.me, name="api-me"),
    path("api/schema/", HostSchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
