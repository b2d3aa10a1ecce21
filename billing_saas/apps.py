from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BillingSaasConfig(AppConfig):
    name = "billing_saas"
    verbose_name = "SaaS billing"

    def ready(self):
        # plans are kept per process by the limit checks: a saved plan is read again (cache upkeep)
        from billing_saas.limits import plans_forget
        from billing_saas.models import Plan, PlanPrice

        for model in (Plan, PlanPrice):
            post_save.connect(plans_forget, sender=model, dispatch_uid=f"plans_forget_save_{model.__name__}")
            post_delete.connect(plans_forget, sender=model, dispatch_uid=f"plans_forget_delete_{model.__name__}")
