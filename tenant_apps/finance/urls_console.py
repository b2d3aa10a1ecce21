"""The brand console's finance pages, mounted at /console/finance/ (namespace finance_console): one list of
patterns per area, each area's views module adds its own."""

from django.urls import path

from tenant_apps.finance import views_console

app_name = "finance_console"

urlpatterns: list = []

receivables_patterns = [
    path("receivables/", views_console.receivables_dashboard, name="receivables"),
    path("receivables/ageing.xlsx", views_console.receivables_export, name="receivables-export"),
    path("receivables/dealers/<int:dealer_id>/", views_console.dealer_receivables, name="receivables-dealer"),
    path("receivables/dealers/<int:dealer_id>/lift/", views_console.block_lift, name="receivables-lift"),
    path("receivables/dealers/<int:dealer_id>/lift/end/", views_console.block_lift_end,
         name="receivables-lift-end"),
]
urlpatterns += receivables_patterns
