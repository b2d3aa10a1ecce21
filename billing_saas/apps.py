from django.apps import AppConfig


class BillingSaasConfig(AppConfig):
    name = "billing_saas"
    verbose_name = "SaaS billing"
