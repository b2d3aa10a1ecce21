"""UI foundation: language switch and defaults, locale-aware money, static assets, branding."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from PIL import Image

from tenant_apps.core.money import Money, format_money
from tenants import services as tenant_services
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def test_language_switch_sets_the_language_of_later_pages(db):
    client = host_client("localhost", language="zh-CN")
    assert "开始免费试用" in client.get("/signup/").content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/signup/"})
    assert switched.status_code == 302 and switched["Location"] == "/signup/"
    assert "Start your free trial" in client.get("/signup/").content.decode()


def test_brand_default_language_applies_when_the_browser_names_none(tenant_a, tenant_b):
    tenant_services.tenant_branding_update(actor="test", tenant=tenant_b, default_locale="en")
    from django.test import Client

    assert 'lang="en"' in Client(HTTP_HOST="globex.localhost").get("/").content.decode()
    assert 'lang="zh-hans"' in Client(HTTP_HOST="acme.localhost").get("/").content.decode()
    # a browser that names a language gets it
    assert 'lang="zh-hans"' in Client(HTTP_HOST="globex.localhost",
                                      HTTP_ACCEPT_LANGUAGE="zh-CN").get("/").content.decode()


def test_a_users_own_language_comes_before_the_browsers(tenant_a, in_tenant):
    from tests.factories import UserFactory

    with in_tenant(tenant_a):
        UserFactory(email="en-reader@acme.test", preferred_language="en", role="owner")
    client = host_client("acme.localhost", language="zh-CN")
    client.post("/accounts/login/", {"username": "en-reader@acme.test", "password": DEFAULT_PASSWORD})
    assert "Getting started" in client.get("/console/").content.decode()


@pytest.mark.parametrize(("language", "amount", "currency", "shown"), [
    ("zh-hans", "1234.5", "CNY", "¥1,234.50"),
    ("en", "1234.5", "CNY", "CN¥1,234.50"),
    ("en", "1234.5", "USD", "$1,234.50"),
    ("en", "1234.5", "JPY", "¥1,235"),
])
def test_money_is_shown_the_locale_way_and_rounded_to_the_minor_unit(language, amount, currency, shown):
    with translation.override(language):
        assert format_money(Decimal(amount), currency) == shown


def test_money_refuses_floats_and_mixed_currencies():
    assert Money(Decimal("0.125"), "CNY").amount == Decimal("0.13")
    assert (Money("1.10", "CNY") + Money("2.20", "CNY")).amount == Decimal("3.30")
    with pytest.raises(TypeError):
        Money(0.1, "CNY")
    with pytest.raises(ValueError):
        Money("1", "CNY") + Money("1", "USD")


def test_plan_prices_on_the_sign_up_page_are_locale_aware(db):
    assert "¥1,999.00" in host_client("localhost", language="zh-CN").get("/signup/").content.decode()
    assert "CN¥1,999.00" in host_client("localhost", language="en").get("/signup/").content.decode()


def test_htmx_and_styles_are_served_from_our_own_static_files(tenant_a):
    client = host_client("acme.localhost")
    page = client.get("/").content.decode()
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in page
    script = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert script.status_code == 200
    assert b"htmx" in b"".join(script.streaming_content)


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#D9282F").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def test_branding_logo_and_colour_show_on_the_brands_host_only(tenant_a, media_root):
    owner = host_client("acme.localhost")
    owner.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    saved = owner.post("/console/company/", {"display_name": "阿克米", "primary_colour": "#0E7C66",
                                              "default_locale": "zh-hans", "logo": _png()})
    assert saved.status_code == 302
    page = owner.get("/console/").content.decode()
    assert "--brand: #0E7C66" in page and "阿克米" in page
    logo_url = tenant_a.__class__.objects.get(pk=tenant_a.pk).logo.url
    assert logo_url.startswith("/media/branding/t_acme/logo-")
    assert host_client("acme.localhost").get(logo_url).status_code == 200
    assert host_client("globex.localhost").get(logo_url).status_code == 404


def test_bad_branding_input_is_a_field_error(tenant_a):
    owner = host_client("acme.localhost")
    owner.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    response = owner.post("/console/company/", {"display_name": "x", "primary_colour": "red", "default_locale": "fr"})
    assert response.status_code == 400  # field errors are a 4xx
    assert set(response.context["form"].errors) == {"primary_colour", "default_locale"}


@pytest.mark.parametrize("role", ["warehouse", "analyst", "sales_rep", "dealer_owner"])
def test_branding_and_domains_are_for_brand_settings_roles_only(tenant_a, in_tenant, role):
    from tests.factories import UserFactory

    with in_tenant(tenant_a):
        UserFactory(email=f"{role}@acme.test", role=role)
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": f"{role}@acme.test", "password": DEFAULT_PASSWORD})
    assert client.get("/console/company/").status_code == 403
    assert client.get("/console/domains/").status_code == 403
    assert client.post("/console/company/", {"display_name": "x", "primary_colour": "#000000",
                                              "default_locale": "en"}).status_code == 403


def test_a_page_outside_ones_role_or_none_at_all_is_the_brands_own_page_in_ones_language(tenant_a, in_tenant):
    from tenant_apps.accounts.services import user_create
    from tenant_apps.dealers import services as dealers

    with in_tenant(tenant_a):
        user_create(actor=None, email="rm@acme.test", password=DEFAULT_PASSWORD, role="regional_manager",
                    scope_node=dealers.headquarters_ensure(name="HQ"))
    client = host_client("acme.localhost", "zh-hans")
    assert client.post("/accounts/login/",
                       {"username": "rm@acme.test", "password": DEFAULT_PASSWORD}).status_code == 302
    forbidden = client.get("/console/fulfillment/")
    page = forbidden.content.decode()
    assert forbidden.status_code == 403
    assert "您无权打开此页面" in page and 'id="error-page"' in page and "dms/app.css" in page
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "找不到页面" in missing.content.decode()
    english = host_client("acme.localhost", "en").get("/no-such-page/")
    assert english.status_code == 404 and "Page not found" in english.content.decode()


def test_the_server_error_page_needs_no_request_and_speaks_the_readers_language():
    from django.template import loader

    with translation.override("zh-hans"):
        page = loader.get_template("500.html").render()
    assert "出了点问题" in page and "返回首页" in page
