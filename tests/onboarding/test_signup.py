"""Self-service sign-up on the public host, the hand-off to the new subdomain, and Find my workspace."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from tenant_apps.accounts.models import User
from tenants.models import Domain, HandoffToken, Tenant
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

FORM = {
    "company_name": "Initech 饮料集团", "slug": "initech", "owner_name": "Bill Lumbergh",
    "email": "Bill@Initech.test", "password": DEFAULT_PASSWORD, "locale": "zh-hans", "currency": "CNY",
    "plan": "starter",
}
HANDOFF = re.compile(r"^http://initech\.localhost(/accounts/handoff/[\w-]+/)$")


def _signup(client, **changes):
    return client.post("/signup/", {**FORM, **changes})


def test_signup_page_is_on_the_platform_host_only(public_client, client_a):
    page = public_client.get("/signup/")
    assert page.status_code == 200
    assert 'name="slug"' in page.content.decode()
    assert client_a.get("/signup/").status_code == 404


def test_plan_names_are_translated_on_the_signup_page(public_client):
    zh = public_client.get("/signup/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "入门版" in zh and "成长版" in zh and "企业版" in zh
    assert "Starter" not in zh and "Growth" not in zh and "Enterprise" not in zh


def test_signup_provisions_and_hands_the_owner_over_to_the_new_subdomain(public_client):
    response = _signup(public_client)
    assert response.status_code == 302
    match = HANDOFF.match(response["Location"])
    assert match, response["Location"]
    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.name, tenant.plan.code, tenant.default_currency) == ("Initech 饮料集团", "starter", "CNY")
    assert tenant.trial_ends_at.date() == (timezone.now() + timedelta(days=30)).date()
    with schema_context("t_initech"):
        owner = User.objects.get()
        assert (owner.email, owner.full_name, owner.is_owner) == ("bill@initech.test", "Bill Lumbergh", True)

    # The new host knows nothing of the public host's session: the one-time token signs the owner in.
    brand = host_client("initech.localhost")
    assert brand.get("/console/").status_code == 302
    landed = brand.get(match.group(1), follow=True)
    assert landed.redirect_chain[-1][0] == "/console/"
    page = landed.content.decode()
    assert "Initech 饮料集团" in page
    assert 'id="checklist"' in page
    # the welcome says the workspace is ready, with no engineering figures (provisioning time is for bench/)
    assert '<div class="toast success" role="status">Your workspace is ready.</div>' in page
    # single use
    again = host_client("initech.localhost").get(match.group(1))
    assert again.status_code == 302 and again["Location"] == "/accounts/login/"


def test_a_handoff_token_is_worthless_on_another_host_or_after_expiry(public_client, client_b):
    path = HANDOFF.match(_signup(public_client)["Location"]).group(1)
    assert client_b.get(path)["Location"] == "/accounts/login/"
    assert client_b.get("/console/").status_code == 302  # not signed in on B
    HandoffToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert host_client("initech.localhost").get(path)["Location"] == "/accounts/login/"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"slug": "acme"}, "slug", "This subdomain is already taken."),
    ({"slug": "www"}, "slug", "This subdomain is reserved."),
    ({"slug": "a_b"}, "slug", "Use 3 to 40 lowercase letters"),
    ({"password": "12345678"}, "password", "This password is too short"),
    ({"password": "password1234"}, "password", "This password is too common."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"company_name": ""}, "company_name", "This field is required."),
    ({"plan": "platinum"}, "plan", "Select a valid choice."),
])
def test_bad_input_shows_field_errors_and_makes_nothing(public_client, changes, field, message):
    before = (Tenant.objects.count(), Domain.objects.count())
    response = _signup(public_client, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field])
    assert (Tenant.objects.count(), Domain.objects.count()) == before
    assert not schema_exists("t_initech")


def test_a_duplicate_submit_gets_a_clear_error_and_one_tenant(public_client):
    assert _signup(public_client).status_code == 302
    again = _signup(public_client)
    assert again.status_code == 200
    assert again.context["form"].errors["slug"] == ["This subdomain is already taken."]
    assert Tenant.objects.filter(slug="initech").count() == 1


def test_live_subdomain_check_suggests_from_a_chinese_name_and_flags_taken(public_client):
    suggested = public_client.get("/signup/slug/", {"company_name": "青岛啤酒", "slug": ""}).content.decode()
    assert 'value="qingdaopijiu"' in suggested
    assert 'data-available="qingdaopijiu"' in suggested
    taken = public_client.get("/signup/slug/", {"slug": "acme", "typed": "1"}).content.decode()
    assert "This subdomain is already taken." in taken
    typed = public_client.get("/signup/slug/",
                              {"company_name": "Acme", "slug": "my-shop", "typed": "1"}).content.decode()
    assert 'value="my-shop"' in typed  # a subdomain the user typed is never replaced by a suggestion


def test_signup_api(public_client):
    body = {**FORM, "slug": "initech-api"}
    created = public_client.post("/api/v1/signup/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["slug"] == "initech-api"
    assert data["url"] == "http://initech-api.localhost/"
    assert data["handoff_url"].startswith("http://initech-api.localhost/accounts/handoff/")
    assert data["provision_ms"] > 0
    refused = public_client.post("/api/v1/signup/", {**body, "password": "123"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "signup_invalid"
    assert "password" in refused.json()["fields"]
    check = public_client.get("/api/v1/signup/check-slug/", {"slug": "initech-api", "company_name": "Initech"}).json()
    assert check == {"slug": "initech-api", "available": False, "errors": ["This subdomain is already taken."],
                     "suggestion": "initech"}


def test_find_my_workspace_mails_the_list_and_answers_the_same_either_way(public_client, in_tenant, tenant_b):
    from tests.factories import UserFactory

    with in_tenant(tenant_b):
        UserFactory(email="owner@acme.test")  # the same person also works in globex
    known = public_client.post("/find/", {"email": "Owner@Acme.test"})
    unknown = public_client.post("/find/", {"email": "nobody@nowhere.test"})
    assert known.status_code == unknown.status_code == 200
    answer = 'id="find-answer"'
    assert answer in known.content.decode() and answer in unknown.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@acme.test"]
    assert "http://acme.localhost/accounts/login/" in mail.outbox[0].body
    assert "http://globex.localhost/accounts/login/" in mail.outbox[0].body
