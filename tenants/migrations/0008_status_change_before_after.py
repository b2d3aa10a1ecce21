from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0007_domain_claims_compete_and_expire'),
    ]

    operations = [
        migrations.AddField(
            model_name='tenantstatuschange',
            name='after',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='tenantstatuschange',
            name='before',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
