from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tenant_apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # billing meters what the plan limits through the app that owns it (billing_saas.usage)
        from billing_saas.models import Resource
        from billing_saas.usage import meter_register
        from tenant_apps.accounts.invitations import users_count

        meter_register(Resource.USERS, users_count)
