"""The console page of the brand's ordering settings (/console/orders/settings/): behind settings.edit,
saved through ordering_settings_update (audited), bad values a 400 with the error beside the field."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from tenant_apps.accounts.services import user_create
from tenant_apps.audit.models import AuditEntry
from tenant_apps.ordering.models import OrderingSettings
from tenant_apps.ordering.services import ordering_settings_update
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

URL = "/console/orders/settings/"


@pytest.fixture
def people(store, tenant_a, in_tenant):
    """The store's dealer buyer, the tenant's owner, and brand staff with and without settings.edit."""
    with in_tenant(tenant_a):
        ordering_settings_update(actor=None, shortage_policy="backorder", auto_complete_days=10)
        for role in ("admin", "regional_manager", "analyst", "sales_rep"):
            user_create(actor=None, email=f"{role}@acme.test", password=DEFAULT_PASSWORD, role=role)
    return {"owner": "owner@acme.test", "admin": "admin@acme.test", "regional_manager": "regional_manager@acme.test",
            "analyst": "analyst@acme.test", "sales_rep": "sales_rep@acme.test", "dealer_buyer": store.buyer.email}


def signed_in(email: str):
    """Signed in, reading English whatever the user's preferred language (the tenant owner's is zh-Hans)."""
    client = host_client("acme.localhost")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _saved(tenant, in_tenant) -> tuple[tuple[str, int], int]:
    with in_tenant(tenant):
        row = OrderingSettings.objects.get()
        return (row.shortage_policy, row.auto_complete_days), \
            AuditEntry.objects.filter(action="ordering.settings.updated").count()


def _checked(body: str) -> list[str]:
    return re.findall(r'<input type="radio" name="shortage_policy" value="(\w+)"[^>]*\bchecked\b', body)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_a_brand_admin_sees_the_current_settings_with_each_choice_explained(people, role):
    page = signed_in(people[role]).get(URL)
    body = page.content.decode()
    assert page.status_code == 200
    assert _checked(body) == ["backorder"]
    assert re.search(r'<input type="number" name="auto_complete_days" value="10"', body)
    assert [value for value in re.findall(r'data-policy="(\w+)"', body)] == ["refuse", "backorder", "reduce"]
    assert "the shortfall becomes a separate backorder" in body and "0 = never" in body


def test_saving_changes_the_settings_and_audits_who_did_it(people, tenant_a, in_tenant):
    owner = signed_in(people["owner"])
    _values, audits_before = _saved(tenant_a, in_tenant)
    done = owner.post(URL, {"shortage_policy": "reduce", "auto_complete_days": "0"}, follow=True)
    assert done.redirect_chain == [(URL, 302)]
    assert "Ordering settings saved." in done.content.decode()
    assert _saved(tenant_a, in_tenant) == (("reduce", 0), audits_before + 1)
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.filter(action="ordering.settings.updated").latest("id")
        assert (entry.actor_label, entry.before, entry.after) == (
            "owner@acme.test", {"shortage_policy": "backorder", "auto_complete_days": 10, "confirm_on_behalf": False,
                                "confirm_on_behalf_days": 7},
            {"shortage_policy": "reduce", "auto_complete_days": 0, "confirm_on_behalf": False,
             "confirm_on_behalf_days": 7})
    assert _checked(done.content.decode()) == ["reduce"]


@pytest.mark.parametrize(("posted", "field", "message"), [
    ({"shortage_policy": "refuse", "auto_complete_days": "-1"}, "auto_complete_days",
     "Enter a whole number of days from 0 (never) to 365."),
    ({"shortage_policy": "refuse", "auto_complete_days": "366"}, "auto_complete_days",
     "Enter a whole number of days from 0 (never) to 365."),
    ({"shortage_policy": "refuse", "auto_complete_days": "soon"}, "auto_complete_days", "Enter a whole number."),
    ({"shortage_policy": "sometimes", "auto_complete_days": "3"}, "shortage_policy", "Select a valid choice."),
])
def test_a_bad_value_is_a_400_with_the_error_beside_its_field_and_nothing_saved(people, tenant_a, in_tenant,
                                                                               posted, field, message):
    before = _saved(tenant_a, in_tenant)
    page = signed_in(people["owner"]).post(URL, posted)
    body = page.content.decode()
    assert page.status_code == 400
    beside = re.search(rf'id="field-{field}"(.*?)(?:id="field-|class="actions")', body, re.S).group(1)
    assert re.search(rf'<ul class="errorlist"><li>{re.escape(message)}', beside)
    assert _saved(tenant_a, in_tenant) == before


@pytest.mark.parametrize("role", ["regional_manager", "analyst", "sales_rep", "dealer_buyer"])
def test_roles_without_settings_edit_are_refused_and_change_nothing(people, tenant_a, in_tenant, role):
    before = _saved(tenant_a, in_tenant)
    client = signed_in(people[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"shortage_policy": "refuse", "auto_complete_days": "1"}).status_code == 403
    assert _saved(tenant_a, in_tenant) == before


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(people, tenant_a, in_tenant):
    before = _saved(tenant_a, in_tenant)
    client = host_client("acme.localhost")
    for response in (client.get(URL), client.post(URL, {"shortage_policy": "refuse", "auto_complete_days": "1"})):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert _saved(tenant_a, in_tenant) == before


@pytest.mark.parametrize(("role", "shown"), [("owner", True), ("admin", True), ("regional_manager", False),
                                             ("analyst", False)])
def test_the_orders_board_links_to_the_settings_only_for_those_who_may_change_them(people, role, shown):
    body = signed_in(people[role]).get("/console/orders/").content.decode()
    assert (f'href="{URL}"' in body) is shown
