"""API authentication: DRF's token authentication, read in one prepared query with the user and the user's
dealer (every dealer API call needs it, and ordering is the hottest of them). The dealer's encrypted bank
account is left out (deferred): nothing on the way in needs it. A token works only on a plan with API access
(billing_saas: 402 feature_not_in_plan otherwise); a session works on every plan."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from billing_saas.limits import feature_check
from billing_saas.models import Feature
from tenant_apps.accounts.models import User
from tenant_apps.core import prepared
from tenant_apps.core.rows import Columns


@cache
def _shape() -> tuple[Columns, Columns, Columns, str]:
    # The dealer's model as User.dealer names it (accounts sits below dealers and imports nothing of it).
    Dealer = User._meta.get_field("dealer").related_model  # noqa: N806 - a model class
    token, user = Columns(Token, alias="t"), Columns(User, alias="u")
    dealer = Columns(Dealer, alias="d", exclude=("bank_account",))
    sql = (f"SELECT {token.sql}, {user.sql}, {dealer.sql} FROM {Token._meta.db_table} t "  # noqa: S608 - names
           f"JOIN {User._meta.db_table} u ON u.id = t.user_id "
           f"LEFT JOIN {Dealer._meta.db_table} d ON d.id = u.dealer_id WHERE t.key = %(key)s")
    return token, user, dealer, sql


def token_user(key: str) -> tuple[User, Token] | None:
    """The token with this key and its user (the user's dealer loaded with it), or None. One query."""
    token_cols, user_cols, dealer_cols, sql = _shape()
    with connection.cursor() as cursor:
        prepared.execute(cursor, "token_user", sql, {"key": key})
        row = cursor.fetchone()
    if row is None:
        return None
    split, end = len(token_cols), len(token_cols) + len(user_cols)
    token, user = token_cols.instance(row[:split]), user_cols.instance(row[split:end])
    user.dealer = dealer_cols.instance(row[end:]) if user.dealer_id is not None else None
    token.user = user
    return user, token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        if connection.schema_name == get_public_schema_name():
            # API tokens belong to a brand's workspace; the platform's host has no token API (nor dealers)
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        found = token_user(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # API tokens are how other systems (an ERP, scripts, integrations) use the API: the plan's "API access".
        # Our own pages call the API with their session (SessionAuthentication), on every plan. 402, no query.
        feature_check(Feature.API_ACCESS)
        return user, token
