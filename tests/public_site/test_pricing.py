"""The public pricing page (the platform's home) and the sign-up form read the plans and their prices from the
database: CNY and USD, monthly and yearly, limits ("unlimited" where a plan has none) and features, translated."""

from decimal import Decimal

from billing_saas.models import Plan, PlanPrice


def _card(body: str, code: str) -> str:
    return body.split(f'id="plan-{code}"')[1].split('<div class="card"')[0]


def test_the_plans_with_their_prices_limits_and_features(public_client):
    body = public_client.get("/", {"currency": "USD"}).content.decode()
    starter = _card(body, "starter")
    assert 'data-currency="USD"' in body.split('id="plan-starter"')[1][:40]
    assert '<div class="value" data-interval="month">$299.00' in starter
    assert "$2,990.00 / year" in starter and "two months free" in starter
    assert "Up to 50 dealers" in starter and "Up to 2,000 SKUs" in starter and "30-day free trial" in starter
    assert '<li data-feature="custom_domain" class="muted">— Custom domain</li>' in starter
    growth = _card(body, "growth")
    assert "$999.00" in growth and '<li data-feature="custom_domain">✓ Custom domain</li>' in growth
    enterprise = _card(body, "enterprise")
    assert "$2,899.00" in enterprise and "Unlimited dealers" in enterprise and "Unlimited users" in enterprise
    assert "200 GB of file storage" in enterprise and "Up to 3,000 orders a month" in starter


def test_each_currency_from_the_database(public_client):
    english = public_client.get("/").content.decode()  # English asks for USD first
    assert "$299.00" in _card(english, "starter")
    cny = public_client.get("/", {"currency": "cny"}).content.decode()
    assert "CN¥1,999.00" in _card(cny, "starter") and "CN¥19,990.00 / year" in _card(cny, "starter")
    assert 'href="?currency=USD#pricing"' in cny and 'aria-current="true">CNY</a>' in cny
    unknown = public_client.get("/", {"currency": "EUR"}).content.decode()
    assert "$299.00" in _card(unknown, "starter")


def test_a_price_changed_in_the_database_changes_the_page(public_client):
    PlanPrice.objects.filter(plan__code="starter", currency="USD", interval="month").update(amount=Decimal("349.00"))
    PlanPrice.objects.filter(plan__code="starter", currency="USD", interval="year").update(amount=Decimal("3990.00"))
    starter = _card(public_client.get("/", {"currency": "USD"}).content.decode(), "starter")
    assert "$349.00" in starter and "$299.00" not in starter
    # twelve months would be 4,188: the year saves 198, not two months
    assert "$3,990.00 / year" in starter and "two months free" not in starter and "save $198.00" in starter


def test_a_plan_not_offered_or_without_a_price_in_the_currency_is_not_shown(public_client):
    Plan.objects.filter(code="enterprise").update(is_public=False)
    extra = Plan.objects.create(code="regional", name="Regional", sort_order=5)
    PlanPrice.objects.create(plan=extra, currency="CNY", interval="month", amount=Decimal("999.00"))
    usd = public_client.get("/", {"currency": "USD"}).content.decode()
    assert 'id="plan-enterprise"' not in usd and 'id="plan-regional"' not in usd
    cny = public_client.get("/", {"currency": "CNY"}).content.decode()
    regional = _card(cny, "regional")
    assert "CN¥999.00" in regional and 'data-interval="year"' not in regional


def test_the_pricing_page_in_chinese(public_client):
    body = public_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    starter = _card(body, "starter")  # Chinese asks for CNY first
    assert "入门版" in starter and "¥1,999.00" in starter and "¥19,990.00" in starter and "免费两个月" in starter
    assert "最多 50 个经销商" in starter and "每月最多 3,000 笔订单" in starter and "2 GB 文件存储" in starter
    assert "Up to" not in body and "Unlimited" not in body and "two months free" not in body


def test_the_signup_form_shows_each_plan_in_both_currencies_monthly_and_yearly(public_client):
    page = public_client.get("/signup/", {"plan": "growth", "currency": "USD"})
    labels = dict(page.context["form"].fields["plan"].choices)
    assert labels["starter"] == ("Starter — 30-day free trial, then CN¥1,999.00 / month or CN¥19,990.00 / year; "
                                 "$299.00 / month or $2,990.00 / year")
    body = page.content.decode()
    assert 'value="growth" id="id_plan_1" checked' in body.replace('\n', ' ') or (
        'value="growth"' in body and 'checked' in body.split('value="growth"')[1][:80])
    assert '<option value="USD" selected>USD</option>' in body
