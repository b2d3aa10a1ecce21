import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ordering', '0006_saved_order_view'),
    ]

    operations = [
        migrations.AddField(
            model_name='cart',
            name='submitted_order',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name='+', to='ordering.order'),
        ),
        migrations.AddField(
            model_name='order',
            name='idempotency_fingerprint',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
    ]
