"""A link is shown only to whoever may open its page (accounts.access.may_open, from the capability the page's view
declares): roles that would get a 403 do not see it."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.accounts.access import may_open
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def people(tenant_a):
    with schema_context(tenant_a.schema_name):
        return {role: UserFactory(role=role) for role in ("admin", "finance", "warehouse", "dealer_buyer")}


def _page(user, path):
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_may_open_follows_the_capability_the_page_declares(people, tenant_a):
    with schema_context(tenant_a.schema_name):
        assert may_open(people["admin"], "fulfillment:carriers")
        assert not may_open(people["warehouse"], "fulfillment:carriers")
        assert may_open(people["warehouse"], "/console/fulfillment/")
        assert not may_open(people["finance"], "/console/approvals/workflows/")
        assert may_open(people["finance"], "console:home")
        assert not may_open(people["dealer_buyer"], "console:home")
        assert not may_open(people["admin"], "no-such:page")


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("finance", False)])
def test_approval_workflows_are_linked_for_who_configures_them(people, role, shown):
    assert ('href="/console/approvals/workflows/"' in _page(people[role], "/console/approvals/")) is shown


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("warehouse", False)])
def test_carriers_are_linked_for_who_edits_settings(people, role, shown):
    assert ('href="/console/fulfillment/carriers/"' in _page(people[role], "/console/fulfillment/")) is shown


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("finance", False), ("warehouse", False)])
def test_the_getting_started_company_step_links_only_for_who_may_edit_it(people, role, shown):
    assert ('href="/console/company/"' in _page(people[role], "/console/")) is shown
