"""factory-boy factories. They build through the real services, as product code does."""

from __future__ import annotations

import factory

from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.models import User

DEFAULT_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.Factory):
    """Creates a user in the schema the connection is on (use inside tenant_context)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="zh_CN")
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return account_services.user_create(actor=None, **kwargs)
