"""A subscription's life without Stripe: the trial, plan changes with the price difference shown before (an
upgrade prorated now, a downgrade at the end of the period and refused while usage is over the smaller plan), prepaid
periods, and the dunning schedule, each step mirrored on the workspace (plan, billing state, suspension)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing_saas import services
from billing_saas.errors import DowngradeOverLimits, PlanChangeInvalid
from billing_saas.models import Plan, PrepaidPayment, Renewal, SubscriptionState
from tenants.models import Tenant, TenantStatus, TenantStatusChange


@pytest.fixture
def sub(tenant_a):
    return tenant_a.subscription


def _plans():
    return {plan.code: plan for plan in Plan.objects.prefetch_related("prices")}


def _active(sub, *, plan="growth", days_left=15, length=30, renewal=Renewal.CARD):
    now = timezone.now()
    return services.subscription_paid(actor=None, subscription=sub,
                                      period_start=now - timedelta(days=length - days_left),
                                      period_end=now + timedelta(days=days_left), renewal=renewal,
                                      plan=_plans()[plan], interval="month")


def _tenant(sub) -> Tenant:
    return Tenant.objects.get(pk=sub.tenant_id)


def test_a_new_workspace_is_on_a_trial_of_its_plan_and_the_tenant_shows_it(sub):
    assert sub.state == SubscriptionState.TRIALING and sub.trial_ends_at > timezone.now() + timedelta(days=20)
    tenant = _tenant(sub)
    assert (tenant.plan_id, tenant.trial_ends_at, tenant.billing_state) == (sub.plan_id, sub.trial_ends_at, "")


def test_an_upgrade_is_charged_now_for_the_rest_of_the_period(sub):
    sub = _active(sub, plan="growth", days_left=15, length=30)
    preview = services.plan_change_preview(subscription=sub, plan=_plans()["enterprise"], interval="month")
    # (19,999 - 6,999) for half the period, to the second (the test's own seconds make no cent of difference)
    assert (preview.kind, preview.due_now, preview.currency) == ("upgrade", Decimal("6500.00"), "CNY")
    services.subscription_plan_change(actor=None, subscription=sub, plan=_plans()["enterprise"], interval="month",
                                      expected_due=preview.due_now)
    sub.refresh_from_db()
    assert sub.plan.code == "enterprise" and _tenant(sub).plan.code == "enterprise"


def test_a_price_that_moved_since_the_preview_is_refused(sub):
    sub = _active(sub, plan="growth")
    with pytest.raises(PlanChangeInvalid) as refused:
        services.subscription_plan_change(actor=None, subscription=sub, plan=_plans()["enterprise"], interval="month",
                                          expected_due=Decimal("1.00"))
    assert "due_now" in refused.value.fields
    sub.refresh_from_db()
    assert sub.plan.code == "growth"


def test_a_downgrade_over_the_smaller_plan_says_exactly_what_is_over(sub):
    sub = _active(sub, plan="growth")
    usage = {"dealers": 120, "users": 12, "skus": 2500, "orders_month": 10, "storage_mb": 100}
    with pytest.raises(DowngradeOverLimits) as refused:
        services.subscription_plan_change(actor=None, subscription=sub, plan=_plans()["starter"], interval="month",
                                          usage=usage)
    assert refused.value.status == 409
    assert refused.value.fields == {
        "dealers": ["You have 120 dealers; Starter allows 50. Remove 70 first."],
        "skus": ["You have 2500 SKUs; Starter allows 2000. Remove 500 first."]}
    sub.refresh_from_db()
    assert sub.plan.code == "growth" and sub.scheduled_plan_id is None


def test_a_downgrade_waits_for_the_end_of_the_period(sub):
    sub = _active(sub, plan="growth", days_left=3)
    preview = services.subscription_plan_change(actor=None, subscription=sub, plan=_plans()["starter"],
                                                interval="month", usage={"dealers": 10})
    assert (preview.kind, preview.due_now, preview.takes_effect) == ("downgrade", 0, sub.current_period_end)
    sub.refresh_from_db()
    assert (sub.plan.code, sub.scheduled_plan.code) == ("growth", "starter")
    assert services.dunning_run(now=timezone.now())["downgrade"] == 0  # not yet
    assert services.dunning_run(now=sub.current_period_end + timedelta(minutes=1))["downgrade"] == 1
    sub.refresh_from_db()
    assert (sub.plan.code, sub.scheduled_plan_id, _tenant(sub).plan.code) == ("starter", None, "starter")


def test_a_prepaid_upgrade_costs_nothing_now_and_the_paid_time_shrinks(sub):
    sub = _active(sub, plan="growth", days_left=30, length=30, renewal=Renewal.PREPAID)
    preview = services.plan_change_preview(subscription=sub, plan=_plans()["enterprise"], interval="month")
    assert preview.due_now == 0
    # 30 days at 6,999 a month are worth 10.5 days at 19,999
    assert abs((preview.period_end - timezone.now()) - timedelta(days=30 * 6999 / 19999)) < timedelta(minutes=1)


def test_alipay_periods_move_the_paid_through_date_once(sub):
    sub = _active(sub, plan="growth", days_left=10, renewal=Renewal.PREPAID)
    end = sub.current_period_end
    payment = services.prepaid_payment_create(actor=None, subscription=sub, method="alipay", periods=3)
    assert (payment.amount, payment.currency, payment.status) == (Decimal("20997.00"), "CNY", "pending")
    services.prepaid_payment_succeeded(actor=None, payment=payment)
    services.prepaid_payment_succeeded(actor=None, payment=payment)  # the provider says it again: nothing more
    sub.refresh_from_db()
    assert sub.current_period_end == services.add_interval(end, "month", 3)
    assert PrepaidPayment.objects.get(pk=payment.pk).paid_through == sub.current_period_end


@pytest.mark.parametrize(("method", "periods", "field"), [("paypal", 1, "method"), ("alipay", 0, "periods"),
                                                        ("wechat_pay", 37, "periods")])
def test_a_prepaid_payment_out_of_range_is_refused_with_its_field(sub, method, periods, field):
    from billing_saas.errors import BillingInvalid

    with pytest.raises(BillingInvalid) as refused:
        services.prepaid_payment_create(actor=None, subscription=sub, method=method, periods=periods)
    assert list(refused.value.fields) == [field] and not PrepaidPayment.objects.exists()


def test_a_trial_without_a_card_goes_overdue_then_read_only_then_suspended_and_paying_restores_it(sub):
    start = sub.trial_ends_at  # (globex, the other workspace, is on the same trial and walks beside)

    def walk(now):
        services.dunning_run(now=now)
        sub.refresh_from_db()
        tenant = _tenant(sub)
        return sub.state, tenant.billing_state, tenant.status

    assert walk(start - timedelta(hours=1)) == ("trialing", "", "active")
    assert walk(start + timedelta(hours=1)) == ("past_due", "past_due", "active")
    overdue = sub.state_changed_at
    assert walk(start + timedelta(hours=2)) == ("past_due", "past_due", "active") and sub.state_changed_at == overdue
    assert walk(overdue + timedelta(days=6)) == ("past_due", "past_due", "active")
    assert walk(overdue + timedelta(days=7, minutes=1)) == ("read_only", "read_only", "active")
    assert walk(sub.state_changed_at + timedelta(days=23, minutes=1)) == ("suspended", "read_only", "suspended")
    now = timezone.now()
    services.subscription_paid(actor=None, subscription=sub, period_start=now, period_end=now + timedelta(days=30),
                               renewal=Renewal.CARD)
    tenant = _tenant(sub)
    assert (tenant.status, tenant.billing_state) == (TenantStatus.ACTIVE, "")
    history = list(TenantStatusChange.objects.filter(tenant=tenant).order_by("id").values_list("action", "actor"))
    assert history[-6:] == [
        ("billing.subscription.trial_ended", "system"), ("billing.subscription.read_only", "system"),
        ("billing.subscription.suspended", "system"), ("tenants.tenant.suspended", "billing"),
        ("billing.subscription.activated", "system"), ("tenants.tenant.restored", "billing")]


def test_an_operator_s_suspension_is_not_lifted_by_a_payment(sub):
    from tenants.services import tenant_suspend

    tenant_suspend(actor="operator@platform.test", tenant=_tenant(sub), reason="fraud review")
    _active(sub)
    assert _tenant(sub).status == TenantStatus.SUSPENDED


def test_a_cancellation_takes_effect_at_the_end_of_the_period(sub):
    sub = _active(sub, days_left=2)
    services.subscription_cancel(actor=None, subscription=sub, reason="closing the channel")
    assert services.dunning_run(now=timezone.now())["cancel"] == 0
    assert services.dunning_run(now=sub.current_period_end + timedelta(minutes=1))["cancel"] == 1
    sub.refresh_from_db()
    assert (sub.state, _tenant(sub).billing_state) == ("cancelled", "read_only")
