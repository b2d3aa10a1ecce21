"""Throttles key on the client's address from the proxy setup we document (TRUSTED_PROXY_COUNT), never on an
X-Forwarded-For the client writes itself."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from tenant_apps.core.clients import client_address
from tests.conftest import host_client

SIGNUP = ("localhost", "/api/v1/signup/", {"company_name": "x"})
ACCEPT = ("acme.localhost", "/api/v1/invitations/accept/", {"token": "not-a-token", "full_name": "x", "password": "x"})
# the pages count with their API twins (an attacker would otherwise take the page)
SIGNUP_PAGE = ("localhost", "/signup/", {"company_name": "x"})
ACCEPT_PAGE = ("acme.localhost", "/accounts/invite/{token}/", {"full_name": "x", "password": "x"})


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _answers(host: str, path: str, body: dict, forwarded_for) -> list[int]:
    """The statuses of 31 calls (the throttles allow 30 an hour), each claiming the address forwarded_for(i)."""
    client = host_client(host)
    kwargs = {"content_type": "application/json"} if path.startswith("/api/") else {}
    return [client.post(path, body, HTTP_X_FORWARDED_FOR=forwarded_for(i), **kwargs).status_code for i in range(31)]


@pytest.fixture
def pending_invitation(tenant_a, in_tenant):
    from tenant_apps.accounts.models import User
    from tenant_apps.dealers.services import invitation_create

    with in_tenant(tenant_a):
        return invitation_create(actor=User.objects.get(email="owner@acme.test"), email="new@acme.test",
                                 role="admin")[1]


def test_the_pages_count_with_their_api(tenant_a, pending_invitation):
    for host, path, body in (SIGNUP_PAGE, ACCEPT_PAGE):
        path = path.format(token=pending_invitation)
        answers = _answers(host, path, body, lambda i: f"198.51.100.{i}")
        assert 429 not in answers[:30] and answers[30] == 429, (path, answers)
    api = host_client("localhost").post(SIGNUP[1], SIGNUP[2], content_type="application/json")
    assert api.status_code == 429 and int(api["Retry-After"]) > 0


@pytest.mark.parametrize(("host", "path", "body"), [SIGNUP, ACCEPT], ids=["signup", "invitation-accept"])
def test_a_made_up_forwarded_for_does_not_reset_the_throttle(tenant_a, host, path, body):
    answers = _answers(host, path, body, lambda i: f"198.51.100.{i}")
    assert 429 not in answers[:30] and answers[30] == 429


@pytest.mark.parametrize(("host", "path", "body"), [SIGNUP, ACCEPT], ids=["signup", "invitation-accept"])
def test_behind_one_proxy_the_address_it_saw_is_the_client(tenant_a, settings, host, path, body):
    settings.TRUSTED_PROXY_COUNT = 1
    # whatever the client puts in front, the address our proxy appended (right-most) is the one counted
    answers = _answers(host, path, body, lambda i: f"198.51.100.{i}, 203.0.113.7")
    assert 429 not in answers[:30] and answers[30] == 429
    cache.clear()
    # different clients behind the same proxy are counted apart
    assert 429 not in _answers(host, path, body, lambda i: f"203.0.113.{i}")


@pytest.mark.parametrize(("trusted", "expected"), [(0, "10.0.0.9"), (1, "2.2.2.2"), (2, "1.1.1.1"), (5, "1.1.1.1")])
def test_the_client_address_by_trusted_proxies(settings, trusted, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2")
    assert client_address(request) == expected
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.9")) == "10.0.0.9"
