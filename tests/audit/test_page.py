"""The console's audit log (/console/audit/) and its API (/api/v1/audit/entries/): who reads it, in which
scope, its filters, its labels in both languages, and a constant number of queries per page."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from tenant_apps.accounts.permissions import Role
from tenant_apps.accounts.services import user_create
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import services
from tests.factories import DEFAULT_PASSWORD

HOST = "acme.localhost"
PAGE = "/console/audit/"
API = "/api/v1/audit/entries/"


class Browser(Client):
    """A browser on acme's host in `language`, leaving the test's connection on the schema it was on."""

    def __init__(self, language: str = "en", **kwargs):
        super().__init__(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=language, **kwargs)
        self.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


@pytest.fixture
def log(net, in_a):
    """People of tenant A and what the owner did: edited Pudong (East) and Canton (South), made a tier."""
    with in_a():
        people = {
            "owner": user_create(actor=None, email="boss@acme.test", password=DEFAULT_PASSWORD,
                                 role=Role.OWNER),
            "rm": user_create(actor=None, email="rm@acme.test", password=DEFAULT_PASSWORD,
                              role=Role.REGIONAL_MANAGER, scope_node=net.east),
            "warehouse": user_create(actor=None, email="wh@acme.test", password=DEFAULT_PASSWORD,
                                     role=Role.WAREHOUSE),
            "rep": user_create(actor=None, email="rep@acme.test", password=DEFAULT_PASSWORD,
                               role=Role.SALES_REP),
            "buyer": user_create(actor=None, email="buyer@acme.test", password=DEFAULT_PASSWORD,
                                 role=Role.DEALER_BUYER, dealer=net.pudong),
        }
        owner = people["owner"]
        services.dealer_update(actor=owner, dealer=net.pudong, name="Pudong Store")
        services.dealer_update(actor=owner, dealer=net.canton, name="Canton Store")
        services.tier_create(actor=owner, code="GOLD", name="Gold", rank=2)
    return people


def _browser(user, language: str = "en") -> Browser:
    client = Browser(language)
    response = client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


def _actions(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-action="')[1:]]


def test_the_owner_reads_every_entry_newest_first_in_words(log):
    response = _browser(log["owner"]).get(PAGE)
    assert response.status_code == 200
    actions = _actions(response)
    assert actions[:3] == ["dealers.tier.created", "dealers.dealer.updated", "dealers.dealer.updated"]
    html = response.content.decode()
    assert "Dealer tier · Created" in html and "Dealer · Edited" in html and "boss@acme.test" in html


def test_the_page_speaks_chinese(log):
    html = _browser(log["owner"], "zh-hans").get(PAGE).content.decode()
    assert "审计日志" in html and "经销商等级 · 已创建" in html


def test_a_regional_manager_reads_only_entries_about_dealers_of_their_region(log, net, in_a):
    response = _browser(log["rm"]).get(PAGE + "?subject=dealers.dealer")
    with in_a():
        dealers = set(AuditEntry.objects.filter(action__startswith="dealers.dealer.").values_list(
            "dealer_id", flat=True))
    assert {net.pudong.pk, net.canton.pk, net.agent.pk} <= dealers  # the log holds all three
    html = response.content.decode()
    assert response.status_code == 200 and "Pudong Store" in html and "Canton Store" not in html
    assert "dealers.tier.created" not in _actions(_browser(log["rm"]).get(PAGE))  # brand-wide: not theirs


@pytest.mark.parametrize("who", ["warehouse", "rep", "buyer"])
def test_people_without_the_capability_are_refused(log, who):
    assert _browser(log[who]).get(PAGE).status_code == 403


def test_anonymous_goes_to_sign_in(log):
    response = Browser().get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_console_links_the_page_for_readers_only(log):
    assert f'href="{PAGE}"' in _browser(log["owner"]).get("/console/").content.decode()
    assert f'href="{PAGE}"' not in _browser(log["warehouse"]).get("/console/").content.decode()


@pytest.mark.parametrize(("query", "expected"), [
    ("app=dealers&subject=dealers.tier", ["dealers.tier.created", "dealers.tier.created"]),  # GOLD, then A
    ("subject=dealers.tier&actor=boss", ["dealers.tier.created"]),
    ("actor=boss@", ["dealers.tier.created", "dealers.dealer.updated", "dealers.dealer.updated"]),
    ("action=dealers.dealer.upd", ["dealers.dealer.updated", "dealers.dealer.updated"]),
    ("app=pricing", []),
    ("date_from=2000-01-01&date_to=2099-12-31&actor=boss",
     ["dealers.tier.created", "dealers.dealer.updated", "dealers.dealer.updated"]),
])
def test_filters_narrow_the_list(log, query, expected):
    response = _browser(log["owner"]).get(f"{PAGE}?{query}")
    assert response.status_code == 200 and _actions(response) == expected


def test_a_record_filter_gives_one_dealers_history(log, net):
    response = _browser(log["owner"]).get(f"{PAGE}?target_type=dealers.dealer&target_id={net.canton.pk}")
    assert _actions(response) == ["dealers.dealer.updated", "dealers.dealer.created"]


@pytest.mark.parametrize(("query", "field", "message"), [
    ("date_from=1999-12-31", "date_from", "Enter a date from 2000-01-01 to 2099-12-31."),
    ("date_from=2026-02-01&date_to=2026-01-01", "date_to", "The end is before the start."),
    ("date_to=someday", "date_to", "Enter a valid date."),
    ("app=nothing", "app", "Select a valid choice. nothing is not one of the available choices."),
    ("action=DROP TABLE", "action", "Give an action code such as ordering.order."),
    ("dealer=99999999999999999999", "dealer",
     "Ensure this value is less than or equal to 9223372036854775807."),
])
def test_bad_filters_are_a_400_with_the_fields_error_and_no_entries(log, in_a, query, field, message):
    response = _browser(log["owner"]).get(f"{PAGE}?{query}")
    html = response.content.decode()
    assert response.status_code == 400 and f'data-field="{field}">{message}' in html
    assert _actions(response) == []
    api = _api(log["owner"], in_a).get(f"{API}?{query}")
    assert api.status_code == 400 and api.json()["fields"] == {field: [message]}


def test_a_page_costs_the_same_queries_for_3_entries_and_for_50(log, net, in_a, count_queries):
    client = _browser(log["owner"])
    with count_queries() as few:
        assert client.get(f"{PAGE}?app=dealers&subject=dealers.tier").status_code == 200
    with in_a():
        for number in range(60):
            services.tier_create(actor=log["owner"], code=f"T{number}", name=f"Tier {number}")
    with count_queries() as many:
        response = client.get(f"{PAGE}?app=dealers&subject=dealers.tier")
    assert len(_actions(response)) == 50
    assert len(many.sql) == len(few.sql)


def _api(user, in_a) -> Client:
    """A client sending `user`'s API token."""
    from rest_framework.authtoken.models import Token

    with in_a():
        token = Token.objects.create(user=user)
    return Browser(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_the_api_lists_the_same_entries_paginated_in_the_readers_scope(log, net, in_a):
    body = _api(log["owner"], in_a).get(f"{API}?app=dealers&subject=dealers.tier").json()
    assert body["count"] == 2 and [entry["after"]["code"] for entry in body["results"]] == ["GOLD", "A"]
    assert body["results"][0]["actor_label"] == "boss@acme.test" and body["results"][1]["actor_id"] is None
    first = body["results"][0]
    assert (first["action_label"], first["subject_label"]) == ("Created", "Dealer tier")
    mine = _api(log["rm"], in_a).get(f"{API}?subject=dealers.dealer").json()
    assert {entry["dealer_name"] for entry in mine["results"]} >= {"Pudong Store"}
    assert "Canton Store" not in {entry["dealer_name"] for entry in mine["results"]}
    assert {entry["dealer_id"] for entry in mine["results"]} <= {net.agent.pk, net.pudong.pk}
    assert _api(log["warehouse"], in_a).get(API).status_code == 403
    assert _api(log["buyer"], in_a).get(API).status_code == 403
