"""Prices per currency and billing period, limits and features for the shipped plans; a subscription for every
workspace that exists (a trial until its trial end, or active for a month when the trial is over: nobody is cut
off by this migration)."""

from datetime import timedelta
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

# code: (monthly CNY, monthly USD, dealers, users, SKUs, orders a month, storage MB, features)
PLANS = {
    "starter": (Decimal("1999.00"), Decimal("299.00"), 50, 20, 2000, 3000, 2048, []),
    "growth": (Decimal("6999.00"), Decimal("999.00"), 500, 200, 20000, 30000, 20480,
               ["custom_domain", "api_access"]),
    "enterprise": (Decimal("19999.00"), Decimal("2899.00"), None, None, None, None, 204800,
                   ["custom_domain", "api_access", "multi_tier", "advanced_reports"]),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing_saas", "Plan")
    PlanPrice = apps.get_model("billing_saas", "PlanPrice")
    Subscription = apps.get_model("billing_saas", "Subscription")
    SubscriptionChange = apps.get_model("billing_saas", "SubscriptionChange")
    Tenant = apps.get_model("tenants", "Tenant")
    for plan in Plan.objects.all():
        cny, usd, dealers, users, skus, orders, storage, features = PLANS.get(plan.code, (
            plan.monthly_price, None, plan.max_dealers, plan.max_users, None, None, None, []))
        if plan.code in PLANS:
            plan.max_dealers, plan.max_users, plan.max_skus = dealers, users, skus
            plan.max_orders_month, plan.max_storage_mb, plan.features = orders, storage, features
            plan.save()
        for currency, monthly in (("CNY", cny), ("USD", usd)):
            if monthly is None:
                continue
            PlanPrice.objects.get_or_create(plan=plan, currency=currency, interval="month",
                                            defaults={"amount": monthly})
            PlanPrice.objects.get_or_create(plan=plan, currency=currency, interval="year",
                                            defaults={"amount": monthly * 10})  # two months free
    default = Plan.objects.filter(is_default=True).first() or Plan.objects.first()
    now = timezone.now()
    for tenant in Tenant.objects.filter(subscription__isnull=True):
        plan = tenant.plan or default
        if plan is None:
            continue
        trial = tenant.trial_ends_at and tenant.trial_ends_at > now
        subscription = Subscription.objects.create(
            tenant=tenant, plan=plan, interval="month", currency=tenant.default_currency,
            state="trialing" if trial else "active", trial_ends_at=tenant.trial_ends_at,
            current_period_start=None if trial else now, current_period_end=None if trial else now + timedelta(days=30),
            renewal="" if trial else "prepaid", state_changed_at=now)
        SubscriptionChange.objects.create(subscription=subscription, action="billing.subscription.started",
                                          to_state=subscription.state, actor="migration",
                                          reason="subscriptions introduced")


class Migration(migrations.Migration):
    dependencies = [("billing_saas", "0003_subscriptions"), ("tenants", "0009_tenant_billing_state")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
