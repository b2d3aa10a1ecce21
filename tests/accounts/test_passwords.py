"""Changing and resetting a password: the current password is required to change it (page and API), and a change
or a reset ends every other sign-in of the user: their other browsers' sessions and every API token."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

OWNER = "owner@acme.test"
NEW = "another-Passw0rd-9"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _browser():
    client = host_client("acme.localhost")
    client.cookies["django_language"] = "en"  # the owner's own language is zh-Hans; read English here
    assert client.post("/accounts/login/", {"username": OWNER, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _token() -> str:
    signed_in = host_client("acme.localhost").post("/api/v1/auth/login/",
                                                   {"email": OWNER, "password": DEFAULT_PASSWORD},
                                                   content_type="application/json")
    assert signed_in.status_code == 200, signed_in.content
    return signed_in.json()["key"]


def _signs_in_with(password: str) -> bool:
    return host_client("acme.localhost").post(
        "/accounts/login/", {"username": OWNER, "password": password}).status_code == 302


def _me(client, token: str | None = None) -> int:
    extra = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return client.get("/api/v1/me/", **extra).status_code


def test_the_api_changes_a_password_only_with_the_current_one(tenant_a):
    token = _token()
    api = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    missing = api.post("/api/v1/auth/password/change/", {"new_password1": NEW, "new_password2": NEW},
                       content_type="application/json")
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["old_password"]
    wrong = api.post("/api/v1/auth/password/change/", {"old_password": "not-my-password", "new_password1": NEW,
                                                       "new_password2": NEW}, content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["fields"] == {"old_password": ["Your current password is not right."]}
    assert _me(host_client("acme.localhost"), token) == 200  # nothing ended
    assert _signs_in_with(DEFAULT_PASSWORD) and not _signs_in_with(NEW)


def test_a_change_by_token_ends_every_other_sign_in_and_answers_a_fresh_token(tenant_a):
    other_browser, old_token = _browser(), _token()
    assert _me(other_browser) == 200
    api = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {old_token}")
    changed = api.post("/api/v1/auth/password/change/", {"old_password": DEFAULT_PASSWORD, "new_password1": NEW,
                                                         "new_password2": NEW}, content_type="application/json")
    assert changed.status_code == 200, changed.content
    fresh = changed.json()["key"]
    assert fresh and fresh != old_token
    assert _me(host_client("acme.localhost"), old_token) == 401
    assert _me(host_client("acme.localhost"), fresh) == 200
    assert _me(other_browser) == 401  # the other browser's session is signed out
    assert _signs_in_with(NEW)


def test_a_change_by_session_keeps_that_session_and_ends_the_rest(tenant_a):
    browser, other_browser, token = _browser(), _browser(), _token()
    changed = browser.post("/api/v1/auth/password/change/", {"old_password": DEFAULT_PASSWORD, "new_password1": NEW,
                                                             "new_password2": NEW}, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["key"] is None
    assert (_me(browser), _me(other_browser), _me(host_client("acme.localhost"), token)) == (200, 401, 401)


def test_the_account_page_needs_the_current_password_and_ends_the_other_sign_ins(tenant_a):
    browser, other_browser, token = _browser(), _browser(), _token()
    form = {"action": "password", "password-new_password1": NEW, "password-new_password2": NEW}
    wrong = browser.post("/account/", {**form, "password-old_password": "not-my-password"})
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly." in wrong.content.decode()
    assert (_me(other_browser), _me(host_client("acme.localhost"), token)) == (200, 200)

    changed = browser.post("/account/", {**form, "password-old_password": DEFAULT_PASSWORD})
    assert changed.status_code == 302
    assert _me(browser) == 200  # this device stays signed in
    assert _me(other_browser) == 401
    assert _me(host_client("acme.localhost"), token) == 401
    assert _signs_in_with(NEW)


def _reset_link() -> str:
    assert host_client("acme.localhost").post("/accounts/password/reset/", {"email": OWNER}).status_code == 302
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)


def test_a_reset_by_link_ends_every_session_and_token(tenant_a):
    browser, token = _browser(), _token()
    stranger = host_client("acme.localhost")
    set_url = stranger.get(_reset_link(), follow=True).redirect_chain[-1][0]
    done = stranger.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert (_me(browser), _me(host_client("acme.localhost"), token)) == (401, 401)
    assert _signs_in_with(NEW)


def test_a_reset_through_the_api_ends_every_session_and_token(tenant_a):
    browser, token = _browser(), _token()
    uid, reset_token = _reset_link().rstrip("/").split("/")[-2:]
    done = host_client("acme.localhost").post("/api/v1/auth/password/reset/confirm/", {
        "uid": uid, "token": reset_token, "new_password1": NEW, "new_password2": NEW}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert (_me(browser), _me(host_client("acme.localhost"), token)) == (401, 401)
    assert _signs_in_with(NEW)


def test_a_stolen_token_cannot_guess_the_current_password_faster_than_sign_in(tenant_a):
    token = _token()
    api = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token}")

    def change(old: str):
        return api.post("/api/v1/auth/password/change/", {"old_password": old, "new_password1": NEW,
                                                         "new_password2": NEW}, content_type="application/json")

    for guess in range(10):  # the account's free failures
        assert change(f"guess-{guess}").json()["fields"] == {"old_password": ["Your current password is not right."]}
    # now even the right one must wait, as sign-in must
    assert change(DEFAULT_PASSWORD).json()["fields"] == {
        "old_password": ["Too many failed sign-ins. Wait a moment, then try again."]}
    assert _signs_in_with(DEFAULT_PASSWORD) is False
