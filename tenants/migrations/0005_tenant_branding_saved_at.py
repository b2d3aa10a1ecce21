from django.db import migrations, models
from django.db.models import F, Q


def _mark_branded(apps, schema_editor):
    """Workspaces whose branding step was already done (a logo, or a colour other than the default) keep it done."""
    Tenant = apps.get_model("tenants", "Tenant")
    Tenant.objects.filter(~Q(display_name="") & (~Q(logo="") | ~Q(primary_colour="#1F6FEB"))).update(
        branding_saved_at=F("updated_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0004_logo_storage"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="branding_saved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="branding saved"),
        ),
        migrations.RunPython(_mark_branded, migrations.RunPython.noop),
    ]
