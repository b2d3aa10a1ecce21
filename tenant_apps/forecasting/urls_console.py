from django.urls import path

from tenant_apps.forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.accuracy, name="accuracy"),
    path("demand/", views.demand, name="demand"),
    path("plan/", views.plan, name="plan"),
    path("train/", views.train, name="train"),
]
