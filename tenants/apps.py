from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Tenants")

    def ready(self):
        # Routing is kept per process for a moment (tenants.selectors.domain_for_host): any write of a tenant or a
        # domain here forgets it. Cache upkeep, not domain logic, hence a signal: it must catch every save.
        # billing (below the lifecycle) says when a subscription changed: mirrored on the tenant, which it may
        # suspend or restore (tenants.billing)
        from billing_saas.models import Resource
        from billing_saas.signals import subscription_changed
        from billing_saas.usage import meter_register
        from tenants import fleet_executor  # noqa: F401 - registers `migrate_schemas --executor fleet` (a subclass)
        from tenants.billing import subscription_mirror
        from tenants.models import Domain, Tenant
        from tenants.selectors import routing_forget, routing_forget_tenant_saved, tenant_storage_bytes
        from tenants.selectors_fleet import migration_source_register, migration_state_recorded

        subscription_changed.connect(subscription_mirror, dispatch_uid="tenants_subscription_mirror")
        # the workspace's files are laid out here (media per schema, branding): billing meters them through us
        meter_register(Resource.STORAGE_MB, tenant_storage_bytes)
        # the operator's fleet health reads what platform_migrate and provisioning recorded per schema
        migration_source_register(migration_state_recorded)
        post_save.connect(routing_forget_tenant_saved, sender=Tenant, dispatch_uid="routing_forget_save_Tenant")
        post_save.connect(routing_forget, sender=Domain, dispatch_uid="routing_forget_save_Domain")
        for model in (Tenant, Domain):
            post_delete.connect(routing_forget, sender=model, dispatch_uid=f"routing_forget_delete_{model.__name__}")
