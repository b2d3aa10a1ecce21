from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing_saas", "0004_plan_prices_and_subscriptions")]
    operations = [
        migrations.RemoveField(model_name="plan", name="currency"),
        migrations.RemoveField(model_name="plan", name="monthly_price"),
    ]
