from django.urls import path

from tenant_apps.quoting import views

app_name = "quoting"

urlpatterns = [
    path("", views.preview, name="preview"),  # mounted at console/promotions/preview/
]
