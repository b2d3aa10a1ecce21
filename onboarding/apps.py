from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding")

    def ready(self):
        # Every user created in a workspace goes into the "Find my workspace" directory: accounts announces it
        # (tenant apps do not import onboarding, docs/dev/layers.md).
        from onboarding.directory import membership_on_user_created
        from tenant_apps.accounts.signals import user_created

        user_created.connect(membership_on_user_created, dispatch_uid="onboarding.directory")
