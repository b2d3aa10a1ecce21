"""The brand console's finance pages, mounted at /console/finance/ (namespace finance_console): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance import views_console as statements

app_name = "finance_console"

urlpatterns: list = [
    path("statements/", statements.statements_page, name="statements"),
    path("statements/generate/", statements.statements_generate, name="statements_generate"),
    path("statements/<int:statement_id>/", statements.statement_page, name="statement"),
    path("statements/<int:statement_id>/pdf/", statements.statement_file, {"fmt": "pdf"}, name="statement_pdf"),
    path("statements/<int:statement_id>/xlsx/", statements.statement_file, {"fmt": "xlsx"}, name="statement_xlsx"),
    path("statements/<int:statement_id>/resolve/", statements.statement_resolve, name="statement_resolve"),
]
