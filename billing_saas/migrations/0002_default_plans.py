from decimal import Decimal

from django.db import migrations

PLANS = [
    ("starter", "Starter", True, 30, 50, 20, Decimal("1999.00"), 1),
    ("growth", "Growth", False, 30, 500, 200, Decimal("6999.00"), 2),
    ("enterprise", "Enterprise", False, 30, None, None, Decimal("19999.00"), 3),
]


def create_plans(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing_saas", "Plan")
    for code, name, default, trial, dealers, users, price, order in PLANS:
        Plan.objects.update_or_create(code=code, defaults=dict(
            name=name, is_default=default, trial_days=trial, max_dealers=dealers, max_users=users,
            monthly_price=price, sort_order=order))


class Migration(migrations.Migration):
    dependencies = [("billing_saas", "0001_initial")]
    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
