"""Model fields of our own: encrypted text, and PostgreSQL ltree paths."""

from __future__ import annotations

from django.db import models
from django.db.models import Lookup

from tenant_apps.core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with AES-GCM. Not searchable or sortable; keep a masked hint beside it."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)


class LtreeField(models.CharField):
    """A PostgreSQL ltree label path such as "1.5.23" (the ltree extension lives in public)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2048)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "ltree"

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs


@LtreeField.register_lookup
class DescendantOf(Lookup):
    """`path__descendant_of="1.5"`: the node itself and everything below it (ltree <@)."""

    lookup_name = "descendant_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} <@ {rhs}::ltree", [*lhs_params, *rhs_params]


@LtreeField.register_lookup
class AncestorOf(Lookup):
    """`path__ancestor_of="1.5.23"`: the node itself and every node above it (ltree @>)."""

    lookup_name = "ancestor_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> {rhs}::ltree", [*lhs_params, *rhs_params]
