"""The operator's business page: MRR and ARR per currency (active and past-due subscriptions at their plan's monthly
amount, nothing converted), states, plan mix, trial conversion, who is overdue or read-only, who is near a limit.

The subscriptions are built through billing's services on tenant rows without schemas (none of these reads touches
a tenant's schema; provisioning one costs a schema each): the two test tenants (acme, globex) are in their trial.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing_saas import services as billing
from billing_saas.models import Plan, PlanPrice, Subscription, SubscriptionChange, Usage
from billing_saas.selectors import business_figures, trial_conversion, usage_near_limits
from tenant_apps.core.money import format_money
from tenants.models import Tenant
from tests.conftest import host_client


def _tenant(slug: str, currency: str) -> Tenant:
    return Tenant.objects.create(schema_name=f"t_{slug}", slug=slug, name=f"{slug.title()} Group",
                                 default_currency=currency)


def _trial(slug: str, plan: str = "starter", currency: str = "CNY", interval: str = "month") -> Subscription:
    return billing.subscription_start(actor=None, tenant=_tenant(slug, currency), plan=Plan.objects.get(code=plan),
                                      currency=currency, interval=interval)


def _paid(slug: str, plan: str = "starter", currency: str = "CNY", interval: str = "month",
          ends_in: timedelta = timedelta(days=30)) -> Subscription:
    subscription = _trial(slug, plan, currency, interval)
    now = timezone.now()
    return billing.subscription_paid(actor="stripe", subscription=subscription, period_start=now - timedelta(days=1),
                                     period_end=now + ends_in, renewal="card")


def _past_due(slug: str, **kwargs) -> Subscription:
    return billing.subscription_payment_failed(actor="stripe", subscription=_paid(slug, **kwargs))


@pytest.fixture
def fleet(db):
    """acme, globex: trials (growth, CNY: tests/conftest.py). Paying: two CNY (starter monthly, growth yearly), two
    USD (starter monthly; growth monthly past due); a custom plan without a USD price, active in USD. Not paying: one
    read-only, one cancelled, one enterprise trial, one trial cancelled at its end."""
    custom = Plan.objects.create(code="custom", name="Custom deal", sort_order=9)
    PlanPrice.objects.create(plan=custom, currency="CNY", interval="month", amount=Decimal("500.00"))
    _paid("cny-starter")
    _paid("cny-growth-year", plan="growth", interval="year", ends_in=timedelta(days=365))
    _paid("usd-starter", currency="USD")
    _past_due("usd-growth", plan="growth", currency="USD")
    _paid("usd-custom", plan="custom", currency="USD")
    read_only = _past_due("cny-read-only")
    Subscription.objects.filter(pk=read_only.pk).update(state_changed_at=timezone.now() - timedelta(days=8))
    cancelled = _paid("cny-cancelled", plan="growth", ends_in=-timedelta(hours=1))
    billing.subscription_cancel(actor=None, subscription=cancelled)
    _trial("cny-enterprise-trial", plan="enterprise")
    gave_up = _trial("trial-gave-up")
    billing.subscription_cancel(actor=None, subscription=gave_up)
    Subscription.objects.filter(pk=gave_up.pk).update(trial_ends_at=timezone.now() - timedelta(hours=1))
    # the schedule: read-only after the grace period; the cancellations take effect
    assert billing.dunning_run() == {"fall_due": 0, "restrict": 1, "suspend": 0, "cancel": 2, "downgrade": 0}
    return {"gave_up": gave_up}


def test_mrr_counts_active_and_past_due_at_their_monthly_amount_per_currency(fleet):
    figures = business_figures()
    # CNY: starter 1,999 + growth yearly 69,990 / 12 = 5,832.50; USD: starter 299 + growth 999 (past due)
    assert figures.mrr == {"CNY": Decimal("7831.50"), "USD": Decimal("1298.00")}
    assert figures.arr == {"CNY": Decimal("93978.00"), "USD": Decimal("15576.00")}
    assert figures.unpriced == 1  # the custom plan has no USD price: not in MRR, and said so
    assert figures.states == {"trialing": 3, "active": 4, "past_due": 1, "read_only": 1, "suspended": 0,
                              "cancelled": 2}
    assert figures.paying == 5


def test_plan_mix_splits_paying_trials_and_the_rest(fleet):
    mix = {row.plan.code: (row.paying, row.trialing, row.other, row.mrr) for row in business_figures().plans}
    assert mix == {
        "starter": (2, 0, 2, {"CNY": Decimal("1999.00"), "USD": Decimal("299.00")}),
        "growth": (2, 2, 1, {"CNY": Decimal("5832.50"), "USD": Decimal("999.00")}),
        "enterprise": (0, 1, 0, {"CNY": Decimal("0"), "USD": Decimal("0")}),
        "custom": (1, 0, 0, {"CNY": Decimal("0"), "USD": Decimal("0")}),
    }


def test_trial_conversion_reads_the_history_of_the_last_90_days(fleet):
    # eight trials ended (seven paid, one cancelled at its end); the test tenants' and the enterprise trial run on
    trials = business_figures().trials
    assert (trials.days, trials.ended, trials.converted, trials.percent) == (90, 8, 7, 88)
    SubscriptionChange.objects.filter(subscription=fleet["gave_up"], action="billing.subscription.cancelled").update(
        created_at=timezone.now() - timedelta(days=91))
    trials = trial_conversion()
    assert (trials.ended, trials.converted, trials.percent) == (7, 7, 100)


def test_a_trial_that_fell_due_and_was_paid_later_converted(db):
    subscription = _trial("late-payer")
    Subscription.objects.filter(pk=subscription.pk).update(trial_ends_at=timezone.now() - timedelta(hours=1))
    billing.dunning_run()
    assert (trial_conversion().ended, trial_conversion().converted) == (1, 0)
    now = timezone.now()
    billing.subscription_paid(actor="stripe", subscription=subscription, period_start=now,
                              period_end=now + timedelta(days=30), renewal="card")
    assert (trial_conversion().ended, trial_conversion().converted) == (1, 1)


def test_past_due_and_read_only_tenants_with_since_when(fleet):
    figures = business_figures()
    assert [(s.tenant.slug, s.plan.code) for s in figures.past_due] == [("usd-growth", "growth")]
    assert [s.tenant.slug for s in figures.read_only] == ["cny-read-only"]
    assert abs(figures.read_only[0].state_changed_at - timezone.now()) < timedelta(minutes=1)


def _world(prefix: str, count: int) -> None:
    """`count` paying tenants, every third past due, each with measured usage near the starter's dealer limit."""
    for number in range(count):
        slug = f"{prefix}{number}"
        subscription = _past_due(slug) if number % 3 == 0 else _paid(slug, currency="USD")
        Usage.objects.create(tenant_id=subscription.tenant_id, dealers=45, users=number % 25)


def _queries(count_queries) -> int:
    with count_queries() as queries:
        business_figures()
        usage_near_limits()
    return len(queries.sql)


def test_the_figures_cost_the_same_queries_for_3_or_30_tenants(db, count_queries):
    _world("a", 3)
    few = _queries(count_queries)
    _world("b", 27)
    assert (business_figures().paying, len(business_figures().past_due), len(usage_near_limits())) == (30, 10, 30)
    assert _queries(count_queries) == few == 6


def test_near_limits_from_the_measured_usage(db):
    near = _paid("near")  # starter: 50 dealers, 20 users, 2,000 SKUs
    Usage.objects.create(tenant_id=near.tenant_id, dealers=40, users=10, skus=2500)
    calm = _paid("calm")
    Usage.objects.create(tenant_id=calm.tenant_id, dealers=39, users=15)
    unlimited = _paid("unlimited", plan="enterprise")
    Usage.objects.create(tenant_id=unlimited.tenant_id, dealers=100000, users=5000)
    rows = usage_near_limits()
    assert [(row.subscription.tenant.slug, [(u.resource, u.used, u.limit, u.percent, u.over) for u in row.uses])
            for row in rows] == [("near", [("dealers", 40, 50, 80, False), ("skus", 2500, 2000, 125, True)])]


# --- the page ----------------------------------------------------------------------------------------------------


def test_the_business_page_shows_mrr_per_currency(fleet, operator_client):
    body = operator_client.get("/operator/business/").content.decode()
    mrr = body.split('id="mrr"')[1].split('id="arr"')[0]
    assert format_money(Decimal("7831.50"), "CNY") in mrr.split('id="mrr-cny"')[1].split("</div>")[0]
    assert format_money(Decimal("1298.00"), "USD") in mrr.split('id="mrr-usd"')[1].split("</div>")[0]
    assert format_money(Decimal("93978.00"), "CNY") in body.split('id="arr-cny"')[1].split("</div>")[0]
    assert "nothing is converted" in body.split('id="mrr-note"')[1]
    assert "1 paying subscription has no price" in body
    assert "7 of 8 trials that ended in the last 90 days became paying subscriptions." in body
    past_due = body.split('id="past-due"')[1].split("</table>")[0]
    assert 'data-slug="usd-growth"' in past_due and "cny-read-only" not in past_due
    assert 'data-slug="cny-read-only"' in body.split('id="read-only"')[1].split("</table>")[0]
    assert '<tr data-plan="growth"><td>Growth</td><td class="num">2</td><td class="num">2</td>' in body


def test_a_newly_paid_tenant_appears_in_mrr(db, operator_client):
    before = operator_client.get("/operator/business/").context["figures"].mrr
    _paid("fresh", plan="growth", currency="USD")
    after = operator_client.get("/operator/business/")
    assert after.context["figures"].mrr["USD"] == before["USD"] + Decimal("999.00")
    assert format_money(after.context["figures"].mrr["USD"], "USD") in after.content.decode().split(
        'id="mrr-usd"')[1].split("</div>")[0]


def test_the_business_page_in_chinese(fleet, operator_client):
    body = operator_client.get("/operator/business/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "月经常性收入" in body and "¥7,831.50" in body and "成长版" in body
    assert "Monthly recurring revenue" not in body


def test_the_console_links_to_the_business_page(operator_client):
    assert 'href="/operator/business/"' in operator_client.get("/operator/").content.decode()


def test_the_business_page_is_for_operators_only(db, public_client, tenant_a):
    from tenant_apps.accounts.services import user_create
    from tests.factories import DEFAULT_PASSWORD

    anonymous = host_client("localhost").get("/operator/business/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    user_create(actor=None, email="someone@platform.test", password=DEFAULT_PASSWORD)
    public_client.post("/accounts/login/", {"username": "someone@platform.test", "password": DEFAULT_PASSWORD})
    assert public_client.get("/operator/business/").status_code == 403
    assert host_client("acme.localhost").get("/operator/business/").status_code == 404
