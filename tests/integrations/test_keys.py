"""API keys: stored hashed, resolved in the host's schema only, scopes (403 scope_missing, no change), revoked and
expired keys (401), the rate per key (429 with Retry-After), every call in the audit log."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.integrations.models import ApiKey
from tenant_apps.integrations.services import api_key_revoke, api_key_rotate
from tenant_apps.ordering.models import Order
from tests.conftest import host_client
from tests.factories import token_for
from tests.factories.ordering import OrderFactory
from tests.integrations.conftest import key_client

FEED = "/api/v1/integrations/orders/changes/"


def _ack(order):
    return f"/api/v1/integrations/orders/{order.number}/acknowledge/"


def test_the_secret_is_shown_once_and_stored_only_hashed(make_key):
    api_key, secret = make_key()
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert secret.startswith(f"dms_{stored.prefix}_") and len(secret) > 40
    assert secret not in (stored.secret_hash, stored.salt) and secret[-20:] not in repr(stored.__dict__)
    assert key_client(secret).get(FEED).status_code == 200
    assert key_client(secret, header="x-api-key").get(FEED).status_code == 200
    assert key_client(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get(FEED).status_code == 401
    assert key_client("dms_nope").get(FEED).status_code == 401


def test_a_key_without_the_scope_gets_403_and_changes_nothing(store, make_key):
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])
    _key, secret = make_key(scopes=["orders:read"])
    response = key_client(secret).post(_ack(order), {"erp_order_number": "ERP-1"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"
    assert Order.objects.get(pk=order.pk).erp_order_number == ""
    assert not AuditEntry.objects.filter(action="ordering.order.erp_acknowledged").exists()


def test_a_revoked_key_is_401(store, make_key):
    api_key, secret = make_key()
    assert key_client(secret).get(FEED).status_code == 200
    api_key_revoke(actor=store.owner, api_key=api_key)
    response = key_client(secret).get(FEED)
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_rotated_key_works_during_the_overlap_then_401(store, make_key):
    old, old_secret = make_key(name="WMS")
    new, new_secret = api_key_rotate(actor=store.owner, api_key=old)
    assert new.name == "WMS" and new.scopes == old.scopes and new.prefix != old.prefix
    assert key_client(old_secret).get(FEED).status_code == 200
    assert key_client(new_secret).get(FEED).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert key_client(old_secret).get(FEED).status_code == 401
        assert key_client(new_secret).get(FEED).status_code == 200


def test_a_key_of_tenant_a_is_401_on_tenant_b(make_key, tenant_b):
    _key, secret = make_key()
    assert key_client(secret).get(FEED).status_code == 200
    assert key_client(secret, host="globex.localhost").get(FEED).status_code == 401


def test_a_user_token_or_no_credential_is_not_a_key(store):
    assert key_client("").get(FEED).status_code == 401
    token = token_for(store.owner)
    assert key_client("", header="x-api-key").get(FEED).status_code == 401
    assert host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {token}").get(FEED).status_code == 401


def test_the_rate_per_key_answers_429_with_retry_after(make_key):
    _key, secret = make_key(rate_per_minute=3)
    _other, other_secret = make_key(name="other", rate_per_minute=3)
    client = key_client(secret)
    assert [client.get(FEED).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(FEED)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert key_client(other_secret).get(FEED).status_code == 200  # counted per key


def test_every_call_is_audited_with_one_insert_naming_the_key(make_key, count_queries):
    api_key, secret = make_key(scopes=["orders:read"])
    before = AuditEntry.objects.filter(action="integrations.apikey.called").count()
    client = key_client(secret)
    client.get(FEED)  # the first call also notes last_used_at
    with count_queries() as queries:
        assert client.get(FEED).status_code == 200
        assert client.get(FEED + "?cursor=%%%").status_code == 400
    inserts = [sql for sql in queries.sql if sql.startswith("INSERT")]
    assert len(inserts) == 2 and all("audit_auditentry" in sql for sql in inserts)
    assert not [sql for sql in queries.sql if sql.startswith("UPDATE")]  # last_used_at at most once a minute
    calls = list(AuditEntry.objects.filter(action="integrations.apikey.called").order_by("id"))[before:]
    assert [(c.after["status"], c.actor_label, c.target_id) for c in calls] == [
        (200, str(api_key), str(api_key.pk)), (200, str(api_key), str(api_key.pk)),
        (400, str(api_key), str(api_key.pk))]
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


def test_refused_calls_are_audited_too(store, make_key):
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])
    api_key, secret = make_key(scopes=["orders:read"])
    key_client(secret).post(_ack(order), {"erp_order_number": "ERP-1"}, content_type="application/json")
    entry = AuditEntry.objects.filter(action="integrations.apikey.called").latest("id")
    assert entry.after == {"method": "POST", "path": _ack(order), "status": 403, "key": "ERP"}


def test_a_key_needs_a_plan_with_api_access(store, make_key):
    from billing_saas import services as billing
    from billing_saas.models import Plan

    _key, secret = make_key()
    plan = Plan.objects.create(code="tiny-int", name="Tiny", is_public=False, features=["custom_domain"])
    billing.subscription_plan_set(actor=None, subscription=store.tenant.subscription, plan=plan, reason="test")
    response = key_client(secret).get(FEED)
    assert response.status_code == 402 and response.json()["code"] == "feature_not_in_plan"
