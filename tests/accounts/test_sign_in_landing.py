"""Where people land after signing in, and how a returning brand user finds their workspace's sign-in from the
platform's public site."""

import pytest

from tests.factories import DEFAULT_PASSWORD


def _sign_in(client, email, **extra):
    return client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD, **extra})


def test_operator_staff_land_on_the_operator_console_after_signing_in(operator, public_client):
    response = _sign_in(public_client, operator.email)
    assert response.status_code == 302 and response["Location"] == "/operator/"
    assert public_client.get("/operator/").status_code == 200
    again = public_client.get("/accounts/login/")  # already signed in: straight to the console
    assert again.status_code == 302 and again["Location"] == "/operator/"


def test_an_operator_sent_to_sign_in_from_a_page_returns_to_that_page(operator, public_client):
    response = _sign_in(public_client, operator.email, next="/operator/audit/")
    assert response["Location"] == "/operator/audit/"


def test_brand_staff_still_land_on_their_brand_home(tenant_a, client_a):
    response = _sign_in(client_a, "owner@acme.test")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_public_home_has_a_sign_in_entry_to_the_workspace_finder(public_client):
    home = public_client.get("/").content.decode()
    assert '<a href="/find/" id="public-sign-in">Sign in</a>' in home
    page = public_client.get("/find/").content.decode()
    assert 'id="workspace-address"' in page and 'href="/accounts/login/"' in page  # and the operators' own sign-in


@pytest.mark.parametrize("typed", ["acme", " Acme ", "acme.localhost", "http://ACME.localhost:8000/catalog/"])
def test_the_workspace_address_takes_a_returning_user_to_its_sign_in_page(typed, tenant_a, public_client):
    response = public_client.get("/find/", {"workspace": typed})
    assert response.status_code == 302 and response["Location"] == "http://acme.localhost/accounts/login/"


@pytest.mark.parametrize(("typed", "error"), [
    ("initech", "No workspace has this address."), ("ac me!", "Enter your workspace&#x27;s address, such as acme."),
    ("", "This field is required.")])
def test_an_unknown_or_malformed_workspace_address_is_a_field_error(typed, error, public_client):
    response = public_client.get("/find/", {"workspace": typed})
    assert response.status_code == 400
    assert error in response.content.decode() and 'aria-invalid="true"' in response.content.decode()


def test_zh_hans_sign_in_entry_reads_in_chinese(public_client):
    home = public_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="public-sign-in">登录</a>' in home
