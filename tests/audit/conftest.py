"""The audit tests reuse the ordering tests' store and the dealer tests' network and API clients."""

from tests.dealers.conftest import api_client, client_for, in_a, net  # noqa: F401
from tests.ordering.conftest import store  # noqa: F401
