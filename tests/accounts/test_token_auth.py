"""Token sign-in on the API: one query reads the token, its user and the user's dealer; a deactivated user's or
a deleted token is refused at once (nothing about a token is kept between requests)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.authentication import token_user
from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealers
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def _buyer(in_tenant, tenant):
    with in_tenant(tenant):
        hq = dealers.headquarters_ensure(name="HQ")
        dealer = dealers.dealer_create(actor=None, parent=hq, code="TK-1", legal_name="令牌经销商", status="active",
                                       bank_account="6222020200112233445")
        user = user_create(actor=None, email="buyer@token.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                           dealer=dealer)
        return user, dealer, Token.objects.create(user=user).key


def test_the_token_its_user_and_dealer_come_in_one_query(tenant_a, in_tenant):
    user, _dealer, key = _buyer(in_tenant, tenant_a)
    with in_tenant(tenant_a):
        with CaptureQueriesContext(connection) as queries:
            found_user, token = token_user(key)
            assert (found_user.pk, found_user.email, found_user.dealer.code, token.key) == (
                user.pk, "buyer@token.test", "TK-1", key)
        assert [q["sql"].split(" ")[0] for q in queries.captured_queries
                if not q["sql"].startswith(("PREPARE", "SET search_path"))] == ["EXECUTE"]
        # the encrypted bank account was not read on the way in; asked for, it loads (and decrypts)
        assert found_user.dealer.bank_account == "6222020200112233445"
        assert token_user("0" * 40) is None


def test_a_deactivated_user_or_a_deleted_token_is_refused_at_once(tenant_a, in_tenant):
    user, _dealer, key = _buyer(in_tenant, tenant_a)
    client = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    with in_tenant(tenant_a):
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    refused = client.get("/api/v1/me/")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    with in_tenant(tenant_a):
        type(user).objects.filter(pk=user.pk).update(is_active=True)
    assert client.get("/api/v1/me/").status_code == 200
    with in_tenant(tenant_a):
        Token.objects.filter(key=key).delete()
    assert client.get("/api/v1/me/").status_code == 401
