"""factory-boy factories, one module per app. They build through the real services, as product code does, in
the schema the connection is on. The names tests imported from `tests.factories` before it became a package
are re-exported here."""

from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory, token_for

__all__ = ["DEFAULT_PASSWORD", "UserFactory", "token_for"]
