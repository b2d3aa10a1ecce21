"""URLs served on every host: the favicon, the language switch, a password-reset link's page (operators on the
platform host, brand and dealer staff on a brand's), and the OpenAPI schema and docs of the host's own API.
What only one kind of host has is in urls_public or urls_tenant: each serves only what its schema holds."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from dms.schema import HostSchemaView
from tenant_apps.accounts.forms import PasswordSetForm
from tenants import views as tenant_views

urlpatterns = [
    path("favicon.ico", tenant_views.favicon, name="favicon"),
    # un-namespaced: the name Django's and dj-rest-auth's reset emails link to
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html", success_url="/accounts/password/reset/done/",
        form_class=PasswordSetForm,
    ), name="password_reset_confirm"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", HostSchemaView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (no inline script); Swagger UI itself comes from a CDN.
    path("api/docs/", csp_update({
        "script-src": settings.SWAGGER_UI_CDN, "style-src": settings.SWAGGER_UI_CDN, "img-src": settings.SWAGGER_UI_CDN,
    })(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
]
