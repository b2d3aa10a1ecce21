"""People: users of the schema the connection is on, built by `accounts.services.user_create`."""

from __future__ import annotations

import factory
from rest_framework.authtoken.models import Token

from tenant_apps.accounts import services
from tenant_apps.accounts.models import User
from tests.factories.base import ServiceFactory

DEFAULT_PASSWORD = "correct-horse-battery-9"


class UserFactory(ServiceFactory):
    """`UserFactory(role="dealer_buyer", dealer=...)`; `role`, `dealer`, `scope_node`... pass through."""

    class Meta:
        model = User

    _service = staticmethod(services.user_create)
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="zh_CN")
    password = DEFAULT_PASSWORD


def token_for(user) -> str:
    """The key of `user`'s API token (made on first use), for `Authorization: Token <key>`."""
    return Token.objects.get_or_create(user=user)[0].key
