from django.urls import path  # noqa: F401

app_name = "promotions_console"

urlpatterns: list = []
