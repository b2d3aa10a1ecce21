from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shared_apps.demo"
    label = "demo"
    verbose_name = "Demo data"
