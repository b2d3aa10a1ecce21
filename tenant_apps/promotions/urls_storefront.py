from django.urls import path

from tenant_apps.promotions import views_storefront as views

app_name = "promotions"

urlpatterns = [
    path("", views.current, name="current"),
]
