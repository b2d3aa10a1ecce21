"""The base of every factory here: `create` calls the app's service (as product code does), never the ORM."""

from __future__ import annotations

import factory


class ServiceFactory(factory.Factory):
    """`_service` is the public service that makes the object; `actor` is None (a system action) unless given.
    Builds in the schema the connection is on (use inside `in_tenant(...)` or `schema_context(...)`)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.setdefault("actor", None)
        return cls._service(*args, **kwargs)
