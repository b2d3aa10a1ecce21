"""The ordering store fixture, for the metrics tests that submit an order."""

from tests.ordering.conftest import store  # noqa: F401
