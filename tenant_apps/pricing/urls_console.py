from django.urls import path

from tenant_apps.pricing import views

app_name = "pricing_console"

urlpatterns = [
    path("", views.price_lists, name="lists"),
    path("lists/<int:pk>/", views.price_list_detail, name="list"),
    path("import/", views.price_import, name="import"),
    path("export/", views.price_export, name="export"),
    path("protection/", views.protections, name="protections"),
    path("resale/", views.resale_prices, name="resale"),
    path("floor-violations/", views.floor_violations, name="floor-violations"),
]
