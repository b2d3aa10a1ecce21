"""Fixtures of the announcements tests: HQ -> East (region) -> agent SH-001 -> Pudong SH-002 (tier A);
HQ -> South -> Canton GD-001; an admin, an analyst and a buyer at each dealer."""

import pytest

from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.factories.dealers import network


def login(email, language="en"):
    client = host_client("acme.localhost", language=language)
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        net = network()
        admin = UserFactory(email="admin@ann.test", full_name="", role="admin")
        analyst = UserFactory(email="analyst@ann.test", full_name="", role="analyst")
        agent_buyer = UserFactory(email="agent@ann.test", full_name="代理", role="dealer_buyer", dealer=net.agent)
        pudong_buyer = UserFactory(email="pudong@ann.test", full_name="浦东", role="dealer_buyer", dealer=net.pudong)
        canton_buyer = UserFactory(email="canton@ann.test", full_name="广州", role="dealer_owner", dealer=net.canton)
        yield {"net": net, "admin": admin, "analyst": analyst, "agent_buyer": agent_buyer,
               "pudong_buyer": pudong_buyer, "canton_buyer": canton_buyer}
