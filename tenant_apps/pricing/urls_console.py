from django.urls import path  # noqa: F401

app_name = "pricing_console"

urlpatterns: list = []
