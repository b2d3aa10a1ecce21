"""Account probing and lockout: sign-in takes as long and answers the same for an unknown email as for a known one
(sign-in, password reset, "find my workspace"), and failures slow guessing down with growing delays instead of a
lock that anyone, from anywhere, could set off against a real user."""

import re
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache

from tenant_apps.accounts.services import user_create
from tenant_apps.accounts.throttle import DEFAULTS, delay
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

KNOWN, UNKNOWN = "owner@acme.test", "nobody-here@acme.test"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


class SlowHasher(PBKDF2PasswordHasher):
    """A real password hash, slow enough (tens of ms) to tell apart from none, fast enough for the suite."""

    algorithm = "pbkdf2_sha256_tests"
    iterations = 60_000


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _api_sign_in(email: str, password: str, address: str = "127.0.0.1"):
    return host_client("acme.localhost", REMOTE_ADDR=address).post(
        "/api/v1/auth/login/", {"email": email, "password": password}, content_type="application/json")


def test_an_unknown_email_takes_as_long_as_a_known_one(tenant_a, in_tenant, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.SlowHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]
    with in_tenant(tenant_a):
        user_create(actor=None, email="slow@acme.test", password=DEFAULT_PASSWORD)
    timings: dict[str, list[float]] = {"slow@acme.test": [], UNKNOWN: []}
    for _round in range(7):
        for email in timings:
            cache.clear()  # the growing delays are not what is measured here
            started = time.perf_counter()
            assert _api_sign_in(email, "wrong-password-1").status_code == 400
            timings[email].append(time.perf_counter() - started)
    # the fastest round of each is its own cost (a busy machine only ever adds time); an unknown email is hashed
    # too (a dummy): not a tenth of the time as before
    known, unknown = min(timings["slow@acme.test"]), min(timings[UNKNOWN])
    assert unknown >= known / 2, (known, unknown)


def test_known_and_unknown_emails_get_the_same_answers(tenant_a, public_client):
    known, unknown = _api_sign_in(KNOWN, "wrong-password-1"), _api_sign_in(UNKNOWN, "wrong-password-1")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (400, known.json())

    def page(email):
        answer = host_client("acme.localhost").post("/accounts/login/", {"username": email, "password": "wrong-pw-1"})
        return answer.status_code, CSRF.sub("", answer.content.decode().replace(email, "EMAIL"))

    assert page(KNOWN) == page(UNKNOWN)

    def reset(email):
        client = host_client("acme.localhost")
        sent = client.post("/accounts/password/reset/", {"email": email})
        api = client.post("/api/v1/auth/password/reset/", {"email": email}, content_type="application/json")
        return sent.status_code, sent["Location"], api.status_code, api.json()

    assert reset(KNOWN) == reset(UNKNOWN)

    def find(email):
        answer = host_client("localhost").post("/find/", {"email": email})
        return answer.status_code, CSRF.sub("", answer.content.decode())

    assert find(KNOWN) == find(UNKNOWN)


def test_failures_from_anywhere_keep_the_real_user_out_briefly_at_most(tenant_a, settings):
    settings.LOGIN_THROTTLE = {"account": (10, 0.3)}  # the account's cap, short enough to wait for here
    for attacker in range(20):  # 20 guesses from 20 addresses
        assert _api_sign_in(KNOWN, f"guess-{attacker}", address=f"198.51.100.{attacker}").status_code in (400, 429)
    time.sleep(0.35)
    assert _api_sign_in(KNOWN, DEFAULT_PASSWORD, address="203.0.113.5").status_code == 200
    # and at the defaults, what a user elsewhere waits after any number of failures is one minute at most
    assert delay(10_000, free=DEFAULTS["account"][0], cap=DEFAULTS["account"][1]) == 60


def test_guessing_from_one_address_is_slowed_with_growing_delays(tenant_a):
    for _guess in range(5):
        assert _api_sign_in(KNOWN, "wrong-password-1").status_code == 400
    # the sixth try waits, even with the right password, and says for how long
    refused = _api_sign_in(KNOWN, DEFAULT_PASSWORD)
    assert (refused.status_code, refused["Retry-After"]) == (429, "1")
    assert refused.json()["detail"].startswith("Too many failed sign-ins. Wait a moment, then try again.")
    page = host_client("acme.localhost").post("/accounts/login/", {"username": KNOWN, "password": DEFAULT_PASSWORD})
    assert page.status_code == 200 and "Too many failed sign-ins." in page.content.decode()
    # another client is not slowed by this one's failures on another account
    assert _api_sign_in("someone@acme.test", "wrong-password-1", address="203.0.113.9").status_code == 400
    # each further failure doubles the wait, up to a quarter of an hour for one client on one account
    free, cap = DEFAULTS["pair"]
    assert [delay(n, free=free, cap=cap) for n in range(4, 10)] == [0, 1, 2, 4, 8, 16]
    assert delay(30, free=free, cap=cap) == 15 * 60
