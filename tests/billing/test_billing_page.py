"""The owner's plan and billing page: the plan, its state and the usage against its limits; a plan change shows
the price difference before it is confirmed (and a downgrade the usage over the smaller plan); Stripe Checkout,
the portal and Alipay periods open from it; other staff cannot open it."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing_saas import services
from billing_saas.models import Plan, PrepaidPayment, Renewal, Subscription
from billing_saas.stripe_fake import CARD_OK
from tenant_apps.accounts.services import user_create
from tests.billing.conftest import hosted_post, signed_in
from tests.factories import DEFAULT_PASSWORD

HOST = "acme.localhost"



@pytest.fixture
def owner(tenant_a):
    return signed_in("owner@acme.test")


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _sub(tenant) -> Subscription:
    return Subscription.objects.select_related("plan").get(tenant=tenant)


def _active(tenant, *, plan="growth", days_left=15, renewal=Renewal.PREPAID):
    now = timezone.now()
    return services.subscription_paid(actor=None, subscription=_sub(tenant), period_start=now - timedelta(days=15),
                                      period_end=now + timedelta(days=days_left), renewal=renewal,
                                      plan=Plan.objects.get(code=plan), interval="month")


def test_the_page_shows_the_plan_its_state_and_usage_against_the_limits(owner, tenant_a):
    page = owner.get("/console/billing/")
    assert page.status_code == 200
    html, text = page.content.decode(), _text(page)
    assert 'data-state="trialing"' in html and "Growth" in text and "Trial ends" in text
    # every limited resource, with the plan's limit (growth: 500 dealers, 200 users)
    for resource in ("dealers", "users", "skus", "orders_month", "storage_mb"):
        assert f'id="usage-{resource}"' in html
    assert re.search(r'id="usage-dealers">.*?</td><td class="num">\d+</td>\s*<td class="num">500</td>', html, re.S)
    assert 'id="plan-starter"' in html and "¥1,999.00" in text and "¥19,990.00" in text  # monthly and yearly


def test_staff_without_the_billing_capability_cannot_open_it(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        user_create(actor=None, email="admin@acme.test", password=DEFAULT_PASSWORD, role="admin")
    admin = signed_in("admin@acme.test")
    assert admin.get("/console/billing/").status_code == 403
    assert admin.post("/console/billing/cancel/").status_code == 403
    assert 'href="/console/billing/"' not in admin.get("/console/").content.decode()


def test_an_upgrade_shows_what_is_due_before_it_is_confirmed(owner, tenant_a):
    _active(tenant_a, plan="growth", days_left=15, renewal=Renewal.CARD)
    # a card subscription outside Stripe (no Stripe id): the page changes it through billing's service
    preview = owner.get("/console/billing/change/", {"plan": "enterprise", "interval": "month"})
    assert preview.status_code == 200
    assert "To pay now CN¥6,500.00" in _text(preview) and 'id="confirm-change"' in preview.content.decode()
    assert _sub(tenant_a).plan.code == "growth"  # nothing changes on looking
    done = owner.post("/console/billing/change/", {"plan": "enterprise", "interval": "month"})
    assert done.status_code == 302 and done["Location"] == "/console/billing/"
    assert _sub(tenant_a).plan.code == "enterprise"


def test_a_downgrade_over_the_smaller_plan_lists_what_is_over_and_cannot_be_confirmed(owner, tenant_a, in_tenant):
    _active(tenant_a, plan="growth")
    with in_tenant(tenant_a):
        user_create(actor=None, email="admin@acme.test", password=DEFAULT_PASSWORD, role="admin")
    starter = Plan.objects.get(code="starter")
    starter.max_users = 1  # the owner and an admin: one too many
    starter.save()
    page = owner.get("/console/billing/change/", {"plan": "starter", "interval": "month"})
    assert "Starter allows 1. Remove" in _text(page) and 'id="confirm-change"' not in page.content.decode()
    assert owner.post("/console/billing/change/", {"plan": "starter", "interval": "month"}).status_code == 200
    assert _sub(tenant_a).plan.code == "growth" and _sub(tenant_a).scheduled_plan_id is None


@pytest.mark.parametrize("query", [{"plan": "nope", "interval": "month"}, {"plan": "growth", "interval": "week"},
                                   {"plan": "Growth", "interval": "month"}, {}])
def test_an_unknown_plan_or_period_is_a_message_not_an_error(owner, tenant_a, query):
    response = owner.get("/console/billing/change/", query)
    assert response.status_code == 302 and response["Location"] == "/console/billing/"
    assert "Choose one of the plans offered." in _text(owner.get("/console/billing/"))


def test_pay_by_card_opens_stripe_checkout_and_comes_back_active(owner, tenant_a, stripe_fake):
    response = owner.post("/console/billing/checkout/", {"plan": "growth", "interval": "year"})
    assert response.status_code == 302 and response["Location"].startswith(f"{stripe_fake.url}/pay/cs_test_")
    status, back = hosted_post(response["Location"], {"action": "pay", "card": CARD_OK})
    assert status == 303 and back == "http://acme.localhost/console/billing/?paid=1"
    stripe_fake.deliver()
    page = owner.get("/console/billing/?paid=1")
    assert 'data-state="active"' in page.content.decode() and "Thank you: your payment was received." in _text(page)
    subscription = _sub(tenant_a)
    assert (subscription.plan.code, subscription.interval, subscription.renewal) == ("growth", "year", "card")
    assert 'id="manage-card"' in page.content.decode()
    portal = owner.post("/console/billing/portal/")
    assert portal.status_code == 302 and portal["Location"].startswith(f"{stripe_fake.url}/portal/")


def test_alipay_periods_are_paid_on_stripe_and_move_the_paid_through_date(owner, tenant_a, stripe_fake):
    _active(tenant_a, plan="growth", days_left=5)
    end = _sub(tenant_a).current_period_end
    response = owner.post("/console/billing/prepay/", {"method": "alipay", "periods": "2"})
    assert response.status_code == 302 and response["Location"].startswith(f"{stripe_fake.url}/pay/")
    payment = PrepaidPayment.objects.get(subscription__tenant=tenant_a)
    assert (payment.amount, payment.status) == (Decimal("13998.00"), "pending")
    assert hosted_post(response["Location"], {"action": "pay", "method": "alipay"})[0] == 303
    stripe_fake.deliver()
    assert _sub(tenant_a).current_period_end == services.add_interval(end, "month", 2)


@pytest.mark.parametrize("form", [{"method": "alipay", "periods": "0"}, {"method": "paypal", "periods": "1"},
                                  {"method": "alipay", "periods": "99999999999999999999"}])
def test_a_bad_prepaid_form_is_a_message_and_nothing_is_made(owner, tenant_a, form):
    response = owner.post("/console/billing/prepay/", form)
    assert response.status_code == 302 and not PrepaidPayment.objects.exists()


def test_stripe_out_of_reach_is_a_message_on_the_page(owner, tenant_a, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = "sk_test_x", "http://127.0.0.1:9"  # nothing listens
    response = owner.post("/console/billing/checkout/", {"plan": "growth", "interval": "month"})
    assert response.status_code == 302 and response["Location"] == "/console/billing/"
    page = owner.get("/console/billing/")
    assert page.status_code == 200 and 'class="toast' in page.content.decode()


def test_cancel_then_keep_the_subscription(owner, tenant_a):
    _active(tenant_a)
    assert owner.post("/console/billing/cancel/").status_code == 302
    assert _sub(tenant_a).cancel_at_period_end
    assert "Ends at the end of the period" in _text(owner.get("/console/billing/"))
    assert owner.post("/console/billing/resume/").status_code == 302
    assert not _sub(tenant_a).cancel_at_period_end
