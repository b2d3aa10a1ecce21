"""The status history's "provisioned by pool/clone/migrate" reasons were an engineering detail shown in the
operator console; the method is Tenant.provisioned_by (shown there as a label). Data only."""

from django.db import migrations


def forwards(apps, schema_editor):
    TenantStatusChange = apps.get_model("tenants", "TenantStatusChange")
    TenantStatusChange.objects.filter(action="tenants.tenant.provisioned", reason__startswith="provisioned by ").update(
        reason=""
    )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_tenant_branding_saved_at")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
